"""Votes on answers and claim checks (👍, 👎, Wrong source) and /feedback, the counts for a server.

The buttons survive restarts: the answer's key and the vote are in the custom_id, and the vote is
written to the feedback store beside the index. The store is one object on the bot
(``bot.feedback``), made on first use. Views get the buttons from ``feedback_items(key)``; the
answer itself is recorded with ``remember`` (or ``remember_in_background``), which never delays
or fails an answer: a store that cannot be written only costs the answer its votes.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import FeedbackStore, FeedbackUnavailable, UnknownAnswer

from ..errors import NotModerator, UserError, report_interaction_error
from ..render.feedback import VOTE_NAMES, feedback_embed
from ..respond import defer, send_ephemeral, send_final
from .admin import is_moderator

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..app import WirecheckBot

log = logging.getLogger(__name__)

# custom_id spelling -> the store's vote. "wrong" keeps the custom_id short.
_VOTES = {"up": "up", "down": "down", "wrong": "wrong_source"}
_BUTTONS: dict[str, tuple[str | None, str | None]] = {
    "up": (None, "👍"),
    "down": (None, "👎"),
    "wrong": ("Wrong source", None),
}
# The store waits at most its busy timeout for a lock; this bounds the rest (a slow disk) well
# inside the 3 s Discord gives a button click to be answered.
VOTE_SECONDS = 2.0
NOT_RECORDED = "I could not record your vote right now. Try again in a minute."
UNKNOWN = "I have no record of that answer, so I can't count a vote on it. Ask again to vote."
NO_COUNTS = "I can't read the feedback right now. Try again in a minute."


class VoteNotRecorded(UserError):
    pass


def feedback_store(bot: commands.Bot) -> FeedbackStore:
    """The bot's one store, ``<store_dir>/feedback.sqlite3``; opening it does no I/O."""
    store = getattr(bot, "feedback", None)
    if store is None:
        settings = cast("WirecheckBot", bot).settings
        store = FeedbackStore.in_store(settings.store_dir)
        bot.feedback = store  # type: ignore[attr-defined]
    return store


def thanks_text(vote: str, previous: str | None) -> str:
    shown = VOTE_NAMES[vote]
    if previous == vote:
        return f"You already voted {shown} on this one; it is counted once."
    if previous is not None:
        return f"Thanks — changed from {VOTE_NAMES[previous]} to {shown}."
    return f"Thanks — recorded {shown}."


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"wirecheck:vote:(?P<key>[0-9a-f]{12}):(?P<vote>up|down|wrong)",
):
    """One vote on one answer; the answer's 12-hex key and the vote are in the custom_id."""

    def __init__(self, key: str, vote: str) -> None:
        label, emoji = _BUTTONS[vote]
        super().__init__(
            discord.ui.Button(
                label=label,
                emoji=emoji,
                style=discord.ButtonStyle.secondary,
                custom_id=f"wirecheck:vote:{key}:{vote}",
            )
        )
        self.key = key
        self.vote = _VOTES[vote]

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> VoteButton:
        return cls(match["key"], match["vote"])

    async def callback(self, interaction: discord.Interaction) -> Any:
        # discord.py only logs what a dynamic item's callback raises: route it to the handler.
        try:
            await self._record_vote(interaction)
        except Exception as exc:  # noqa: BLE001 - the one handler words it, with an incident id
            await report_interaction_error(interaction, exc)

    async def _record_vote(self, interaction: discord.Interaction) -> None:
        store = feedback_store(interaction.client)
        work = asyncio.to_thread(store.vote, self.key, interaction.user.id, self.vote)
        try:
            previous = await asyncio.wait_for(work, VOTE_SECONDS)
        except (FeedbackUnavailable, TimeoutError) as exc:
            log.warning("vote on %s not recorded: %s", self.key, str(exc) or "timed out")
            raise VoteNotRecorded(NOT_RECORDED) from exc
        except UnknownAnswer as exc:
            raise VoteNotRecorded(UNKNOWN) from exc
        log.debug("vote %s on %s (was %s)", self.vote, self.key, previous)
        await send_ephemeral(interaction, thanks_text(self.vote, previous))


def new_key() -> str:
    """A key for a result the answer cache does not hold (a claim check), shaped like
    ``AnswerCache.put``'s: 12 hex digits, which the buttons' custom_id expects."""
    return secrets.token_hex(6)


def feedback_items(key: str) -> list[discord.ui.Item]:
    """The 👍, 👎 and Wrong source buttons for the answer under ``key`` (AnswerCache.put's)."""
    return [VoteButton(key, vote) for vote in _BUTTONS]


async def remember(
    bot: commands.Bot,
    key: str,
    kind: str,
    question: str,
    text: str,
    article_ids: Sequence[str],
    guild_id: int | None,
    channel_id: int | None,
) -> None:
    """Record an answer so votes on it count; off the loop, and a failure is only logged."""
    store = feedback_store(bot)
    try:
        await asyncio.to_thread(
            store.record, key, kind, question, text, list(article_ids), guild_id, channel_id
        )
    except FeedbackUnavailable as exc:
        log.warning("answer %s not recorded for feedback: %s", key, exc)
    except Exception:  # noqa: BLE001 - runs beside an answer already sent: nobody to tell
        log.exception("answer %s not recorded for feedback", key)


_PENDING: set[asyncio.Task[None]] = set()


def remember_in_background(bot: commands.Bot, *args: Any) -> asyncio.Task[None]:
    """``remember`` as a task the caller need not await; a reference is kept until it ends
    (the loop holds tasks only weakly)."""
    task = asyncio.create_task(remember(bot, *args))
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)
    return task


def _sees_flagged(interaction: discord.Interaction) -> bool:
    try:
        return is_moderator(interaction)
    except NotModerator:
        return False


class Feedback(commands.Cog):
    def __init__(self, bot: WirecheckBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(VoteButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(VoteButton)

    @app_commands.command(name="feedback", description="How members voted on my answers here")
    @app_commands.guild_only()
    async def feedback(self, interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=True)
        store = feedback_store(self.bot)
        try:
            counts = await asyncio.to_thread(store.counts, interaction.guild_id)
        except FeedbackUnavailable as exc:
            log.warning("feedback counts unavailable: %s", exc)
            raise UserError(NO_COUNTS) from exc
        # Questions asked in channels a member cannot see stay with moderators.
        embed = feedback_embed(counts, show_flagged=_sees_flagged(interaction))
        await send_final(interaction, embeds=[embed], replace=True)


async def setup(bot: WirecheckBot) -> None:
    await bot.add_cog(Feedback(bot))
