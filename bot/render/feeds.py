"""Discord rendering of the feeds views: /feeds add, list, remove, and a poll round's summary.
Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import discord

from retrieval import Feed, FeedResult, RoundReport

from ..limits import DESCRIPTION, EMBED_TOTAL, FOOTER
from .markdown import escape, fit, join_bounded, masked_link, one_line

# One feed's URL, or one failure's reason; a line as a whole stays near ITEM_CAP.
URL_CAP = 200
REASON_CAP = 150
ITEM_CAP = 300
# New articles listed under each feed in a round summary; the rest are counted.
ITEMS_PER_FEED = 5

_ICONS = {"polled": "🆕", "not_modified": "➖", "failed": "❌", "not_polled": "⏳"}


def _url(url: str) -> str:
    return fit(one_line(url), URL_CAP) or "?"


def _when(iso: str | None) -> str:
    if not iso or not iso.strip():
        return "never"
    try:
        when = datetime.fromisoformat(iso.strip())
    except ValueError:
        return fit(one_line(iso), 40)
    return discord.utils.format_dt(when if when.tzinfo else when.replace(tzinfo=UTC), "R")


def _feed_line(feed: Feed) -> str:
    state = (
        f"❌ failing ×{feed.failures}: {fit(one_line(feed.last_error or '?'), REASON_CAP)}"
        if feed.failures
        else f"✅ last poll {_when(feed.last_polled)}, {feed.last_new:,} new"
    )
    return f"• {_url(feed.url)}\n  {state} · next {_when(feed.next_due)}"


def feed_list_embed(feeds: Sequence[Feed]) -> discord.Embed:
    """/feeds list: every feed with its state and next poll."""
    embed = discord.Embed(title=f"📰 Feeds ({len(feeds):,})", colour=discord.Colour.blurple())
    if not feeds:
        embed.description = "No feeds yet. Add one with `/feeds add`."
        return embed
    room = min(DESCRIPTION, EMBED_TOTAL - len(embed))
    embed.description = join_bounded([_feed_line(f) for f in feeds], room)
    return embed


def feed_added_embed(feed: Feed) -> discord.Embed:
    """/feeds add: the feed registered, due for its first poll."""
    return discord.Embed(
        title="📰 Feed added",
        description=f"{_url(feed.url)}\nIts first poll runs within a minute.",
        colour=discord.Colour.green(),
    )


def feed_removed_embed(feed: Feed) -> discord.Embed:
    """/feeds remove: the feed forgotten; its articles stay in the sources."""
    return discord.Embed(
        title="📰 Feed removed",
        description=f"{_url(feed.url)}\nIts articles stay in the sources.",
        colour=discord.Colour.green(),
    )


def _result_lines(result: FeedResult) -> str:
    head = f"{_ICONS.get(result.status, '•')} {_url(result.url)}: "
    head += fit(one_line(result.describe()), REASON_CAP + 40)
    added = [i for i in result.items if i.status != "unchanged"]
    lines = [f"  · {masked_link(i.title, i.url, ITEM_CAP - 4)}" for i in added[:ITEMS_PER_FEED]]
    if len(added) > ITEMS_PER_FEED:
        lines.append(f"  · …and {len(added) - ITEMS_PER_FEED:,} more")
    return "\n".join([head, *lines])


def round_embed(report: RoundReport, note: str | None = None) -> discord.Embed:
    """One poll round: per feed what happened, the new articles, and ``note`` (the reload)."""
    failed = report.count("failed")
    new = report.new
    title = f"📰 Feeds: {new:,} new article{'s' if new != 1 else ''}"
    if failed:
        title += f", {failed:,} feed{'s' if failed != 1 else ''} failing"
    colour = discord.Colour.orange() if failed else discord.Colour.green()
    embed = discord.Embed(title=title, colour=colour if new or failed else discord.Colour.blurple())
    footer = report.summary() + (f" · {one_line(note)}" if note else "")
    embed.set_footer(text=footer[:FOOTER])
    room = min(DESCRIPTION, EMBED_TOTAL - len(embed))
    shown = [r for r in report.feeds if r.status != "not_modified"]
    quiet = len(report.feeds) - len(shown)
    lines = [_result_lines(r) for r in shown]
    if quiet:
        lines.append(escape(f"➖ {quiet:,} feed{'s' if quiet != 1 else ''} not modified"))
    embed.description = join_bounded(lines, room) or None
    return embed
