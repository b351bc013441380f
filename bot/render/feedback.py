"""Discord rendering of /feedback: members' votes on this server's answers. Pure, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord

from ..limits import FIELD_VALUE
from .markdown import code, fit, join_bounded, one_line

TITLE = "Feedback on my answers in this server"
# One flagged answer's line: its question shares the field with up to four others.
QUESTION_CAP = 120
VOTE_NAMES = {"up": "👍", "down": "👎", "wrong_source": "Wrong source"}
NONE_YET = (
    "No answers here have been voted on yet. Vote with 👍, 👎 or Wrong source under an answer "
    "or a claim check."
)
MODERATORS_SEE_MORE = "Moderators also see which answers were voted down most."


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else noun + "s"


def _flagged_line(item: Mapping[str, Any]) -> str:
    kind = "check" if item.get("kind") == "check" else "ask"
    question = fit(one_line(str(item.get("question") or "")), QUESTION_CAP) or "…"
    channel = str(item.get("channel_id") or "")
    where = f" in <#{channel}>" if channel.isdigit() else ""
    votes = f"👎 {item.get('down', 0)} · wrong source {item.get('wrong_source', 0)}"
    return f"{votes} · 👍 {item.get('up', 0)} — {kind}: “{question}”{where} {code(item['key'], 20)}"


def feedback_embed(counts: Mapping[str, Any], *, show_flagged: bool) -> discord.Embed:
    """The counts ``FeedbackStore.counts`` gives for one server; with ``show_flagged`` (for
    moderators) also the answers voted down most, with their questions."""
    embed = discord.Embed(title=TITLE, colour=discord.Colour.blurple())
    answers, voted = counts.get("answers", 0), counts.get("voted_answers", 0)
    if not counts.get("votes"):
        embed.description = f"{answers} {_plural(answers, 'answer')} recorded. {NONE_YET}"
        return embed
    voters = counts.get("voters", 0)
    embed.description = (
        f"**{answers}** {_plural(answers, 'answer')} recorded, **{voted}** voted on, "
        f"by **{voters}** {_plural(voters, 'member')}."
    )
    for vote, name in VOTE_NAMES.items():
        embed.add_field(name=name, value=str(counts.get(vote, 0)))
    flagged = counts.get("flagged") or []
    if show_flagged and flagged:
        lines = [_flagged_line(item) for item in flagged]
        embed.add_field(
            name="Voted down most", value=join_bounded(lines, FIELD_VALUE), inline=False
        )
    elif not show_flagged:
        embed.set_footer(text=MODERATORS_SEE_MORE)
    return embed
