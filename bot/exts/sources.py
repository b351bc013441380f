"""What the sources hold, for everyone: /sources (search, paged), /source (one article, with
autocomplete on titles and ids) and /corpus (articles, outlets, dates)."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import SourceHit

from ..errors import Busy, EngineTimeout, UserError, report_interaction_error
from ..render import article_embed, corpus_embed, error_text, sources_embed
from ..respond import NO_MENTIONS, defer, send_ephemeral, send_final

if TYPE_CHECKING:
    from ..app import WirecheckBot

log = logging.getLogger(__name__)

PAGE_SIZE = 5
MAX_HITS = 50
PAGER_TIMEOUT = 300.0
# Autocomplete must be answered within Discord's 3 s; an empty list beats a failed request.
SUGGEST_TIMEOUT = 2.0
# Discord's limits for autocomplete: 25 choices, names and string values of 1-100 characters.
MAX_CHOICES = 25
MAX_CHOICE_CHARS = 100
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(value: str | None, name: str) -> date | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{name} must be a date like 2025-06-23 (YYYY-MM-DD).") from None


def choice_name(article_id: str, title: str) -> str:
    title = " ".join(title.split()) or article_id
    name = f"{title} · {article_id}"
    if len(name) <= MAX_CHOICE_CHARS:
        return name
    return title[: MAX_CHOICE_CHARS - 1] + "…"


class SourcesPager(discord.ui.View):
    """◀ ▶ through the hits of one /sources call; only the person who asked can turn pages."""

    def __init__(self, owner_id: int, query: str, hits: Sequence[SourceHit]) -> None:
        super().__init__(timeout=PAGER_TIMEOUT)
        self.owner_id = owner_id
        self.query = query
        self.hits = list(hits)
        self.pages = max(1, math.ceil(len(self.hits) / PAGE_SIZE))
        self.page = 1
        self.message: discord.Message | None = None
        self._sync_buttons()

    def embed(self) -> discord.Embed:
        start = (self.page - 1) * PAGE_SIZE
        shown = self.hits[start : start + PAGE_SIZE]
        return sources_embed(self.query, shown, self.page, self.pages, start)

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 1
        self.next.disabled = self.page >= self.pages

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await send_ephemeral(
            interaction, error_text("Only the person who ran /sources can turn these pages.")
        )
        return False

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(self.pages, max(1, self.page + step))
        self._sync_buttons()
        await interaction.response.edit_message(
            embed=self.embed(), view=self, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, +1)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        # A button's failure reaches the user as every other failure does: one short message,
        # an incident id when it was unexpected.
        await report_interaction_error(interaction, error)

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=None, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.debug("could not remove the pager buttons: %s", exc)


class Sources(commands.Cog):
    def __init__(self, bot: WirecheckBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="Search the articles in the sources")
    @app_commands.describe(
        query="Words to look for in titles and text",
        outlet="Only this outlet (e.g. Reuters)",
        since="Published on or after this day (YYYY-MM-DD)",
        until="Published on or before this day (YYYY-MM-DD)",
    )
    async def sources(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 200],
        outlet: app_commands.Range[str, 1, 100] | None = None,
        since: app_commands.Range[str, 1, 10] | None = None,
        until: app_commands.Range[str, 1, 10] | None = None,
    ) -> None:
        first, last = parse_day(since, "since"), parse_day(until, "until")
        if first and last and first > last:
            raise UserError("since must be on or before until.")
        engine = self.bot.require_engine()
        with self.bot.gate.admit() as slot:
            await defer(interaction)
            hits = await slot.call(
                engine.sources, query, k=MAX_HITS, outlet=outlet, since=first, until=last
            )
        pager = SourcesPager(interaction.user.id, query, hits)
        view = pager if pager.pages > 1 else None
        pager.message = await send_final(interaction, embeds=[pager.embed()], view=view)

    @app_commands.command(name="source", description="Show one article from the sources")
    @app_commands.describe(article="Start typing a title or an article id")
    async def source(self, interaction: discord.Interaction, article: str) -> None:
        engine = self.bot.require_engine()
        with self.bot.gate.admit() as slot:
            await defer(interaction)
            found = await slot.call(engine.source, article.strip())
        if found is None:
            raise UserError(f"No article with id {article[:80]!r}. Pick one from the suggestions.")
        await send_final(interaction, embeds=[article_embed(found)])

    @app_commands.command(
        name="corpus", description="What the sources hold: articles, outlets, dates"
    )
    async def corpus(self, interaction: discord.Interaction) -> None:
        engine = self.bot.require_engine()
        with self.bot.gate.admit() as slot:
            await defer(interaction)
            stats = await slot.call(engine.stats)
        await send_final(interaction, embeds=[corpus_embed(stats)])

    @source.autocomplete("article")
    async def article_suggestions(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        engine = self.bot.engine
        if engine is None:
            return []
        try:
            found = await self.bot.gate.call(
                engine.suggest, current, MAX_CHOICES, capped=False, timeout=SUGGEST_TIMEOUT
            )
        except (Busy, EngineTimeout):
            return []
        choices = [
            app_commands.Choice(name=choice_name(aid, title), value=aid)
            for aid, title in found
            if 0 < len(aid) <= MAX_CHOICE_CHARS
        ]
        return choices[:MAX_CHOICES]


async def setup(bot: WirecheckBot) -> None:
    await bot.add_cog(Sources(bot))
