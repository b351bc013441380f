"""/reload, /rollback and /add, for moderators.

Moderator commands are guild-only and default to Manage Server in Discord's UI, and are checked
again when run (Manage Server, or one of settings.moderator_roles by name or id): server admins can
change who sees a command, so the default is not a guarantee. A refusal never reaches the engine.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import IndexReport, ReloadFailed, ReloadInProgress

from ..errors import NotModerator, UserError, describe
from ..render import (
    add_embed,
    error_text,
    reload_embed,
    reload_progress_text,
)
from ..respond import NO_MENTIONS, defer, edit_progress, send_final

if TYPE_CHECKING:
    from ..app import WirecheckBot

log = logging.getLogger(__name__)

# One progress edit per 1.5 s keeps well inside Discord's rate limit for editing a message.
PROGRESS_INTERVAL = 1.5


def is_moderator(interaction: discord.Interaction) -> bool:
    perms = interaction.permissions
    if perms.manage_guild or perms.administrator:
        return True
    bot = cast("WirecheckBot", interaction.client)
    wanted = {r.strip().lower() for r in bot.settings.moderator_roles if r.strip()}
    roles = getattr(interaction.user, "roles", ())
    if any(str(role.id) in wanted or role.name.lower() in wanted for role in roles):
        return True
    raise NotModerator("needs Manage Server or a moderator role")


moderator_only = app_commands.check(is_moderator)


class ProgressReporter:
    """Engine progress from the worker thread, shown by editing the reply at most every 1.5 s."""

    def __init__(
        self,
        interaction: discord.Interaction,
        phase: str,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interaction = interaction
        self._phase = phase
        self._interval = PROGRESS_INTERVAL if interval is None else interval
        self._clock = clock
        self._loop = asyncio.get_running_loop()
        self._latest: tuple[int, int] | None = None
        self._shown: tuple[int, int] | None = None
        self._last_edit = -math.inf
        self._task: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._closed = False

    def from_thread(self, done: int, total: int) -> None:
        """The engine's progress callback; called in the worker thread."""
        self._loop.call_soon_threadsafe(self._update, done, total)

    def _update(self, done: int, total: int) -> None:
        self._latest = (done, total)
        self._kick()

    def _kick(self) -> None:
        if self._closed or self._timer is not None:
            return
        if self._task is not None and not self._task.done():
            return
        if self._latest == self._shown:
            return
        wait = self._last_edit + self._interval - self._clock()
        if wait > 0:
            self._timer = self._loop.call_later(wait, self._fire)
            return
        self._task = self._loop.create_task(self._edit())
        self._task.add_done_callback(lambda _: self._kick())

    def _fire(self) -> None:
        self._timer = None
        self._kick()

    async def _edit(self) -> None:
        latest = self._latest
        if latest is None:
            return
        self._shown = latest
        self._last_edit = self._clock()
        await edit_progress(self._interaction, reload_progress_text(*latest, self._phase))

    async def close(self) -> None:
        """Stop editing; waits for an edit in flight so it cannot land after the summary."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            await self._task


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise UserError("Give a full http(s) link, like https://example.com/news/story.")
    return url


class Admin(commands.Cog):
    def __init__(self, bot: WirecheckBot) -> None:
        self.bot = bot

    @app_commands.command(name="reload", description="Re-read the corpus folder and switch to it")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only
    async def reload(self, interaction: discord.Interaction) -> None:
        engine = self.bot.require_engine()
        await defer(interaction, ephemeral=True)
        report = await self.reload_with_progress(interaction, engine.reload)
        await send_final(interaction, embeds=[reload_embed(report)], replace=True)

    @app_commands.command(name="rollback", description="Go back to the previous index")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only
    async def rollback(self, interaction: discord.Interaction) -> None:
        engine = self.bot.require_engine()
        await defer(interaction, ephemeral=True)
        # Moderator operations are not capped or timed out: they must finish, and one runs at once.
        report = await self.bot.gate.call(engine.rollback, capped=False, timeout=None)
        await send_final(interaction, embeds=[reload_embed(report)], replace=True)

    @app_commands.command(name="add", description="Fetch an article (or a feed) into the sources")
    @app_commands.describe(url="Link to a news article", feed="The link is an RSS/Atom feed")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        feed: bool = False,
    ) -> None:
        url = check_url(url)
        engine = self.bot.require_engine()
        await defer(interaction, ephemeral=True)
        # The engine bounds each fetch with settings.fetch_timeout_seconds.
        added = await self.bot.gate.call(engine.add, [url], feed=feed, capped=False, timeout=None)
        embeds = [add_embed(added)]
        if not any(item.status != "unchanged" for item in added.items):
            await send_final(interaction, embeds=embeds, replace=True)
            return
        await interaction.edit_original_response(
            content=reload_progress_text(0, 0, "indexing"),
            embeds=embeds,
            allowed_mentions=NO_MENTIONS,
        )
        try:
            report = await self.reload_with_progress(interaction, engine.reload)
        except (ReloadInProgress, ReloadFailed) as exc:
            # The article is saved either way; say so beside what stopped the reload.
            note = f"{describe(exc)} The article is saved and is served after the next /reload."
            await send_final(interaction, content=error_text(note), embeds=embeds, replace=True)
            return
        await send_final(interaction, embeds=[*embeds, reload_embed(report)], replace=True)

    async def reload_with_progress(
        self,
        interaction: discord.Interaction,
        reload: Callable[..., IndexReport],
    ) -> IndexReport:
        progress = ProgressReporter(interaction, "indexing")
        try:
            return await self.bot.gate.call(
                reload, progress=progress.from_thread, capped=False, timeout=None
            )
        finally:
            await progress.close()


async def setup(bot: WirecheckBot) -> None:
    await bot.add_cog(Admin(bot))
