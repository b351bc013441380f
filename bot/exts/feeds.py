"""/feeds add, list and remove for moderators, and the scheduler that polls the feeds.

The commands follow the moderator rules of bot/exts/admin.py (guild-only, Manage Server by
default, checked again when run). The scheduler starts when the bot is connected with an engine,
never when the cog is only loaded to print command payloads. Each minute it asks whether a feed
is due; if so it runs one poll round off the loop (retrieval/feeds.py), then one reload when the
round added articles, and posts the summary to ``feed_channel_id``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands, tasks

from retrieval import (
    Engine,
    FeedError,
    RegistryUnavailable,
    ReloadFailed,
    ReloadInProgress,
    RoundReport,
    add_feed,
    feeds_due,
    list_feeds,
    poll_round,
    remove_feed,
)

from ..errors import UserError
from ..render.feeds import feed_added_embed, feed_list_embed, feed_removed_embed, round_embed
from ..respond import defer, send_final, to_channel
from .admin import moderator_only

if TYPE_CHECKING:
    from ..app import WirecheckBot

log = logging.getLogger(__name__)

T = TypeVar("T")

# How often the scheduler looks for a due feed (one SQLite read); also the pace at which a
# backlog left by the per-round cap is worked off.
SCHEDULER_SECONDS = 60
BUSY_REGISTRY = "The feed list is busy or unavailable right now. Try again in a moment."


class Feeds(commands.Cog):
    feeds = app_commands.Group(
        name="feeds",
        description="Feeds polled for new articles (moderators)",
        guild_only=True,
        # What @app_commands.guild_only() sets on the other moderator commands.
        allowed_contexts=app_commands.AppCommandContext(
            guild=True, dm_channel=False, private_channel=False
        ),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: WirecheckBot) -> None:
        self.bot = bot
        # A reload refused because another was running: tried again on the next tick.
        self.reload_pending = False

    async def cog_unload(self) -> None:
        self.scheduler.cancel()

    # -- commands ----------------------------------------------------------------------------

    @feeds.command(name="add", description="Poll a feed (RSS, Atom or JSON Feed) for articles")
    @app_commands.describe(url="Link to the feed")
    @moderator_only
    async def add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        await defer(interaction, ephemeral=True)
        added_by = str(interaction.user.id)
        feed = await self._registry(add_feed, self.bot.settings, url, added_by=added_by)
        await send_final(interaction, embeds=[feed_added_embed(feed)], replace=True)

    @feeds.command(name="list", description="The feeds polled, their state and next poll")
    @moderator_only
    async def list_(self, interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)
        feeds = await self._registry(list_feeds, self.bot.settings)
        await send_final(interaction, embeds=[feed_list_embed(feeds)], replace=True)

    @feeds.command(name="remove", description="Stop polling a feed (its articles stay)")
    @app_commands.describe(url="Link to the feed, as /feeds list shows it")
    @moderator_only
    async def remove(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000]
    ) -> None:
        await defer(interaction, ephemeral=True)
        feed = await self._registry(remove_feed, self.bot.settings, url)
        await send_final(interaction, embeds=[feed_removed_embed(feed)], replace=True)

    async def _registry(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A registry call through the gate; its refusals become the user's message."""
        try:
            return await self.bot.gate.call(fn, *args, capped=False, **kwargs)
        except RegistryUnavailable as exc:
            log.warning("feed registry unavailable: %s", exc)
            raise UserError(BUSY_REGISTRY) from exc
        except FeedError as exc:
            text = str(exc).strip()
            raise UserError(text[:1].upper() + text[1:].rstrip(".") + ".") from exc

    # -- the scheduler -----------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        self.start_scheduler()

    def start_scheduler(self) -> bool:
        """Start polling, once, and only with an engine to reload."""
        if self.bot.engine is None or self.scheduler.is_running():
            return False
        self.scheduler.start()
        log.info("feed scheduler started (every %d s)", SCHEDULER_SECONDS)
        return True

    @tasks.loop(seconds=SCHEDULER_SECONDS)
    async def scheduler(self) -> None:
        try:
            await self.tick()
        except FeedError as exc:
            log.warning("feed round did not run: %s", exc)
        except Exception:  # a background loop: log and keep polling
            log.exception("feed round failed")

    async def tick(self) -> RoundReport | None:
        """One step: a round when a feed is due, then the reload and the summary. Without a due
        feed, only a reload that could not run before is tried again."""
        engine = self.bot.engine
        if engine is None:
            return None
        gate, settings = self.bot.gate, self.bot.settings
        if not await gate.call(feeds_due, settings, capped=False):
            if self.reload_pending:
                await self._reload(engine)
            return None
        report = await gate.call(poll_round, settings, capped=False, timeout=None)
        note = await self._reload(engine) if report.changed or self.reload_pending else None
        log.info("feeds: %s%s", report.summary(), f"; {note}" if note else "")
        await self._post(report, note)
        return report

    async def _reload(self, engine: Engine) -> str:
        """Reload through the gate like /reload; the engine refuses a second reload at once."""
        try:
            report = await self.bot.gate.call(engine.reload, capped=False, timeout=None)
        except ReloadInProgress:
            self.reload_pending = True
            log.info("a reload is running; the feeds' articles are reloaded on the next tick")
            return "the index reload waits for the one running"
        except ReloadFailed as exc:
            self.reload_pending = False
            log.warning("reload after a feed round failed: %s", exc)
            return f"the index reload failed while {exc.stage}; the articles are saved"
        self.reload_pending = False
        return report.summary()

    async def _post(self, report: RoundReport, note: str | None) -> None:
        """The summary to ``feed_channel_id`` when the round has news: new articles, failures or
        pages robots.txt kept out (rounds of unchanged feeds would bury the channel)."""
        channel_id = self.bot.settings.feed_channel_id
        newsworthy = report.new or report.count("failed") or any(r.robots for r in report.feeds)
        if not channel_id or not newsworthy:
            return
        channel = await self._channel(channel_id)
        if channel is not None:
            await to_channel(channel, embeds=[round_embed(report, note)])

    async def _channel(self, channel_id: str) -> Any:
        try:
            ident = int(channel_id)
        except ValueError:
            log.warning("feed_channel_id %r is not a channel id", channel_id)
            return None
        channel = self.bot.get_channel(ident)
        if channel is not None:
            return channel
        try:
            return await self.bot.fetch_channel(ident)
        except discord.HTTPException as exc:
            log.warning("cannot post feed summaries to channel %s: %s", ident, exc)
            return None


async def setup(bot: WirecheckBot) -> None:
    await bot.add_cog(Feeds(bot))
