"""The Discord bot: client, command tree, engine lifetime, command sync and the entry points.

Entry points for the CLI: ``run_bot(settings) -> int`` (``wirecheck run``) and
``command_payloads(settings) -> list[dict]`` (``wirecheck commands --json``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import signal
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from retrieval import Engine, ReloadFailed, ReloadInProgress, Settings

from .answers import AnswerCache
from .conversations import Conversations
from .errors import EngineUnavailable, report_interaction_error
from .gate import Gate
from .respond import NO_MENTIONS, RATE_LIMIT_WAIT_SECONDS

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.ask",
    "bot.exts.check",
    "bot.exts.sources",
    "bot.exts.admin",
    "bot.exts.feedback",
    "bot.exts.feeds",
)
SYNC_STAMP = "discord-commands.json"
# How often the bot looks for an index state switched by another process (a cheap SQLite read).
FOLLOW_SECONDS = 30

EngineFactory = Callable[[Settings], Engine]


def open_engine(settings: Settings) -> Engine:
    """Load the model, open the store and bring the index up to date with the corpus folder."""
    started = time.perf_counter()
    engine = Engine(settings, prefetch=True)
    try:
        # Another process (a separate indexer) may be writing: serve what it last switched to
        # and follow its next switch, rather than wait for it.
        report = engine.reload(wait=0.0)
    except (ReloadFailed, ReloadInProgress) as exc:
        log.warning("index update did not run (%s); serving the index as it was", exc)
    else:
        for err in report.errors:
            log.warning("skipped %s: %s", err.path, err.reason)
        log.info("%s", report.summary())
    # Built now rather than on the first question (seconds on a big corpus); a local model
    # is loaded now too.
    stats = engine.stats()
    engine.prepare_prose()
    log.info(
        "serving %d articles (%d stories, %d outlets); ready in %.1f s",
        stats.articles,
        stats.stories,
        len(stats.outlets),
        time.perf_counter() - started,
    )
    return engine


class WirecheckTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_interaction_error(interaction, error)


class WirecheckBot(commands.Bot):
    """Slash commands, a message context menu and @mentions; no prefix commands."""

    def __init__(self, settings: Settings, engine_factory: EngineFactory = open_engine) -> None:
        # The bot never joins voice: no warnings about voice libraries it does not need.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        # No message_content intent unless follow-ups read every message in our threads:
        # Discord still sends the text of messages that mention us.
        intents = discord.Intents.default()
        intents.message_content = settings.thread_read_messages
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            tree_cls=WirecheckTree,
            # A rate limit longer than this is raised to us (RateLimited) rather than slept
            # through inside discord.py; see respond.py.
            max_ratelimit_timeout=RATE_LIMIT_WAIT_SECONDS,
        )
        self.settings = settings
        self.engine: Engine | None = None
        self.gate = Gate(
            settings.max_concurrent_questions,
            settings.ask_cooldown_seconds,
            settings.question_timeout_seconds,
            max_waiting=settings.max_waiting_questions,
        )
        self.answers = AnswerCache()
        self.conversations = Conversations(
            settings.thread_max_turns, settings.thread_max_hours * 3600
        )
        self._engine_factory = engine_factory

    def require_engine(self) -> Engine:
        if self.engine is None:
            raise EngineUnavailable()
        return self.engine

    async def load_extensions(self) -> None:
        """Load every feature; cogs never touch the engine here, so this works without one."""
        for name in EXTENSIONS:
            await self.load_extension(name)

    async def setup_hook(self) -> None:
        await self.load_extensions()
        # Heavy (model load, store open, index sync): off the loop, once per process.
        self.engine = await asyncio.to_thread(self._engine_factory, self.settings)
        await self.sync_commands()
        self.follow_index.start()

    @tasks.loop(seconds=FOLLOW_SECONDS)
    async def follow_index(self) -> None:
        """Serve what a separate indexer process switched to (the scale-out setup)."""
        engine = self.engine
        if engine is None:
            return
        try:
            if await asyncio.to_thread(engine.refresh):
                log.info("now serving the index state another process switched to")
        except ReloadInProgress:
            log.debug("a reload of our own is switching the index")
        except Exception:  # a background loop: log and keep following
            log.warning("could not check for a new index state", exc_info=True)

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d server(s)", self.user, self.user.id, len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: mentions are answered by the ask feature's listener."""

    async def close(self) -> None:
        self.follow_index.cancel()
        await super().close()
        engine, self.engine = self.engine, None
        if engine is not None:
            await asyncio.to_thread(engine.close)

    async def sync_commands(self) -> None:
        """Register the commands with Discord unless the same payload was already registered.

        Guild syncs are instant (settings.guild_ids); a global sync can take up to an hour to show
        and is rate-limited, so an unchanged payload is not sent again (hash under store_dir).
        """
        guilds = [discord.Object(int(g)) for g in self.settings.guild_ids]
        stamp = _sync_stamp(self, guilds)
        path = self.settings.store_dir / SYNC_STAMP
        try:
            if path.read_text(encoding="utf-8") == stamp:
                log.info("application commands unchanged; not syncing")
                return
        except OSError:
            pass
        try:
            if guilds:
                for guild in guilds:
                    self.tree.copy_global_to(guild=guild)
                    synced = await self.tree.sync(guild=guild)
                    log.info("synced %d command(s) to guild %s", len(synced), guild.id)
            else:
                synced = await self.tree.sync()
                log.info(
                    "synced %d global command(s); they can take a while to appear", len(synced)
                )
        except discord.HTTPException as exc:
            log.warning("command sync failed (commands may be stale): %s", exc)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(stamp, encoding="utf-8")


class ShardedWirecheckBot(WirecheckBot, commands.AutoShardedBot):
    """The same bot as discord.py's AutoShardedBot (``discord_sharded``): one process, as many
    gateway shards as Discord recommends."""


def bot_class(settings: Settings) -> type[WirecheckBot]:
    return ShardedWirecheckBot if settings.discord_sharded else WirecheckBot


def _sync_stamp(bot: WirecheckBot, guilds: list[discord.Object]) -> str:
    body = {
        "application_id": bot.application_id,
        "guilds": sorted(g.id for g in guilds),
        "commands": collect_payloads(bot),
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()
    return json.dumps({"guilds": body["guilds"], "sha256": digest})


def collect_payloads(bot: commands.Bot) -> list[dict[str, Any]]:
    """Each global command as ``CommandTree.sync`` sends it, chat input first, then by name."""
    tree = bot.tree
    payloads = [cmd.to_dict(tree) for cmd in tree.get_commands()]
    return sorted(payloads, key=lambda p: (p.get("type", 1), p["name"]))


def command_payloads(settings: Settings) -> list[dict[str, Any]]:
    """The application-command payloads the bot registers; no token, no connection, no engine."""

    async def build() -> list[dict[str, Any]]:
        bot = bot_class(settings)(settings, engine_factory=_no_engine)
        await bot.load_extensions()
        return collect_payloads(bot)

    return asyncio.run(build())


def _no_engine(settings: Settings) -> Engine:
    raise RuntimeError("command_payloads never loads the engine")


class RedactSecrets(logging.Filter):
    """Replace secrets in log records (discord.py's and ours) before they are emitted: the
    message, the traceback of an exception logged with it, and a stack dump."""

    def __init__(self, *secrets: str | None) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatted here, so what the handler prints is the redacted text (a formatter
            # uses exc_text when it is set).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

    def excepthook(self, kind, value, tb) -> None:
        """For ``sys.excepthook``: an uncaught exception's traceback, redacted."""
        sys.stderr.write(self.redact("".join(traceback.format_exception(kind, value, tb))))


def run_bot(settings: Settings, engine_factory: EngineFactory = open_engine) -> int:
    """Run until stopped. 0 after a clean stop, 1 when Discord refuses us, 2 without a token."""
    token = (settings.discord_token or "").strip()
    if not token:
        print(
            "error: no Discord bot token; set DISCORD_TOKEN (or WIRECHECK_DISCORD_TOKEN)",
            file=sys.stderr,
        )
        return 2
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    redact = RedactSecrets(token, settings.llm_api_key)
    for handler in root.handlers:
        handler.addFilter(redact)
    previous_hook, sys.excepthook = sys.excepthook, redact.excepthook
    try:
        asyncio.run(_serve(bot_class(settings)(settings, engine_factory), token))
    except discord.LoginFailure:
        print("error: Discord rejected the bot token; check DISCORD_TOKEN", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("error: Discord refused the requested gateway intents", file=sys.stderr)
        return 1
    except (discord.DiscordException, OSError) as exc:
        log.debug("bot stopped", exc_info=True)
        print(f"error: the bot stopped: {redact_text(str(exc), redact)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        sys.excepthook = previous_hook
        for handler in root.handlers:
            handler.removeFilter(redact)
    return 0


async def _serve(bot: WirecheckBot, token: str) -> None:
    # A service manager stops us with SIGTERM: close cleanly (gateway, then the engine's store).
    with suppress(NotImplementedError):
        asyncio.get_running_loop().add_signal_handler(
            signal.SIGTERM, lambda: asyncio.ensure_future(bot.close())
        )
    async with bot:
        await bot.start(token)


def redact_text(text: str, redact: RedactSecrets) -> str:
    return redact.redact(text)
