"""Discord rendering of the library views: /sources, /source, /corpus, /reload, /add, and error
lines. Pure functions, no I/O; re-exported by ``bot.render``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import discord

from retrieval import (
    AddedItem,
    AddReport,
    Article,
    CorpusStats,
    IndexReport,
    SourceHit,
    source_name,
)

from ..limits import CONTENT, DESCRIPTION, EMBED_TOTAL, FIELD_VALUE, TITLE
from .markdown import (
    code,
    date_text,
    escape,
    fit,
    join_bounded,
    masked_link,
    one_line,
    safe_url,
    share,
)

OUTLET_CAP = 60
LEAD_CAP = 1200
SNIPPET_FLOOR = 60
TOP_OUTLETS = 12
# One listed file or fetched item; the list as a whole shares what the embed has left.
ITEM_CAP = 300
PROGRESS_BAR = 12
MIN_TITLE = 12

_STATUS = {"added": "🆕 added", "updated": "🔄 updated", "unchanged": "➖ unchanged"}


def _hit_entry(number: int, hit: SourceHit, budget: int) -> str:
    a = hit.article
    name = source_name(a.outlet, a.url)
    outlet = fit(one_line(name), OUTLET_CAP) if name else None
    meta = " · ".join(x for x in (outlet, date_text(a.published), code(a.id, 100)) if x)
    head = f"**{number}.** "
    snippet = one_line(hit.snippet)
    title_need = len(masked_link(a.title, a.url, 400))
    snippet_need = len(escape(snippet)) + 3 if snippet else 0
    title_room, snippet_room = share(
        [title_need, snippet_need],
        budget - len(head) - len(meta) - 1,
        [MIN_TITLE, min(snippet_need, SNIPPET_FLOOR)],
    )
    entry = f"{head}{masked_link(a.title, a.url, title_room)}\n{meta}"
    if snippet and snippet_room > 3:
        entry += f"\n> {fit(snippet, snippet_room - 3)}"
    return entry


def sources_embed(
    query: str, hits: Sequence[SourceHit], page: int, pages: int, start: int
) -> discord.Embed:
    """One page of /sources results, numbered from ``start + 1``."""
    title = f"Sources for “{fit(one_line(query), TITLE - 14) or '…'}”"
    footer = f"page {max(page, 1)}/{max(pages, page, 1)}"
    embed = discord.Embed(title=title, colour=discord.Colour.blurple()).set_footer(text=footer)
    if not hits:
        embed.description = "No articles match this search. Try fewer or different words."
        return embed
    room = min(DESCRIPTION, EMBED_TOTAL - len(title) - len(footer)) - 2 * len(hits)
    numbered = list(enumerate(hits, start + 1))
    needs = [len(_hit_entry(n, h, 10**6)) for n, h in numbered]
    floors = [len(_hit_entry(n, h, 0)) for n, h in numbered]
    budgets = share(needs, room, floors)
    embed.description = "\n\n".join(
        _hit_entry(n, h, b) for (n, h), b in zip(numbered, budgets, strict=True)
    )
    return embed


def article_embed(article: Article) -> discord.Embed:
    """/source: the article's metadata and its lead paragraph."""
    url = safe_url(article.url)
    embed = discord.Embed(
        title=fit(one_line(article.title), TITLE) or "untitled",
        url=url,
        description=fit(article.lead, LEAD_CAP, sentence=True) or None,
        colour=discord.Colour.blurple(),
    )
    outlet = one_line(source_name(article.outlet, article.url) or "")
    published = one_line(article.published or "")
    embed.add_field(name="Outlet", value=fit(outlet, OUTLET_CAP) or "unknown")
    embed.add_field(name="Published", value=fit(published, 100) or "undated")
    author = fit(one_line(article.author or ""), 200)
    if author.strip():
        embed.add_field(name="Author", value=author)
    embed.add_field(name="ID", value=code(article.id, 200), inline=False)
    if url and len(url) <= FIELD_VALUE:
        embed.add_field(name="URL", value=url, inline=False)
    elif article.url and article.url.strip():
        shown = fit(one_line(article.url), 300)
        embed.add_field(name="URL", value=f"{shown} (not a usable web link)", inline=False)
    return embed


def _timestamp(iso: str | None) -> str:
    if not iso or not iso.strip():
        return "never"
    try:
        when = datetime.fromisoformat(iso.strip())
    except ValueError:
        return fit(one_line(iso), 60)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # CorpusStats.last_reload is documented as UTC
    return discord.utils.format_dt(when, "R")


def corpus_embed(stats: CorpusStats) -> discord.Embed:
    """/corpus: what is being served."""
    embed = discord.Embed(title="📚 Corpus", colour=discord.Colour.blurple())
    embed.add_field(name="Articles", value=f"{stats.articles:,}")
    embed.add_field(name="Stories", value=f"{stats.stories:,}")
    embed.add_field(name="Outlets", value=f"{len(stats.outlets):,}")
    if stats.earliest or stats.latest:
        span = f"{date_text(stats.earliest) or '?'} → {date_text(stats.latest) or '?'}"
    else:
        span = "undated"
    embed.add_field(name="Dates", value=span)
    embed.add_field(name="Last reload", value=_timestamp(stats.last_reload))
    embed.add_field(name="Rollback", value="available" if stats.can_rollback else "not available")
    lines = [
        f"{fit(one_line(o), OUTLET_CAP) or 'unnamed outlet'} · {n:,}"
        for o, n in stats.outlets[:TOP_OUTLETS]
    ]
    rest = len(stats.outlets) - len(lines)
    if rest > 0:
        lines.append(f"…and {rest:,} more")
    # Twelve lines of at most ~80 characters stay well within a field value.
    embed.add_field(name="Top outlets", value="\n".join(lines) or "none", inline=False)
    return embed


def reload_progress_text(done: int, total: int, phase: str) -> str:
    """One line with a small bar, for editing the /reload reply."""
    label = fit(one_line(phase), 100) or "working"
    if total <= 0:
        return f"⏳ {label}…"
    done = min(max(done, 0), total)
    filled = round(PROGRESS_BAR * done / total)
    bar = "▰" * filled + "▱" * (PROGRESS_BAR - filled)
    return f"⏳ {label} {bar} {done:,}/{total:,} ({100 * done // total}%)"


def _listed(title: str, lines: Sequence[str], limit: int) -> str:
    body = join_bounded(lines, limit - len(title) - 1)
    return f"{title}\n{body}" if body else title


def reload_embed(report: IndexReport) -> discord.Embed:
    """/reload: what changed, how long it took, and which files were skipped and why."""
    skipped = len(report.errors)
    title = "✅ Index reloaded" if report.changed else "✅ Index already up to date"
    colour = discord.Colour.orange() if skipped else discord.Colour.green()
    embed = discord.Embed(title=title, colour=colour)
    for name, count in (
        ("Added", report.added),
        ("Updated", report.updated),
        ("Removed", report.removed),
        ("Unchanged", report.unchanged),
    ):
        embed.add_field(name=name, value=f"{count:,}")
    description = f"Took {report.seconds:.1f} s."
    if skipped:
        lines = [
            f"• {fit(one_line(e.path), ITEM_CAP // 2)}: {fit(one_line(e.reason), ITEM_CAP // 2)}"
            for e in report.errors
        ]
        room = min(DESCRIPTION, EMBED_TOTAL - len(embed)) - len(description) - 2
        files = "file" if skipped == 1 else "files"
        description += "\n\n" + _listed(f"**Skipped {skipped:,} {files}:**", lines, room)
    embed.description = description
    return embed


def add_embed(report: AddReport) -> discord.Embed:
    """/add: the articles fetched (added, updated or unchanged) and the URLs that failed."""
    items, failures = list(report.items), list(report.failures)
    summary = " · ".join(
        f"{sum(1 for i in items if i.status == s)} {s}" for s in ("added", "updated", "unchanged")
    )
    if failures:
        summary += f" · {len(failures)} failed"
    if failures and not items:
        colour = discord.Colour.red()
    else:
        colour = discord.Colour.orange() if failures else discord.Colour.green()
    embed = discord.Embed(title=f"📥 {summary}", colour=colour)
    embed.set_footer(text=f"took {report.seconds:.1f} s")
    fetched = [_item_line(i) for i in items]
    failed = [
        f"❌ {fit(one_line(f.url), ITEM_CAP // 2)}: {fit(one_line(f.reason), ITEM_CAP // 2)}"
        for f in failures
    ]
    sections = [("**Fetched**", fetched), ("**Failed**", failed)]
    sections = [(t, lines) for t, lines in sections if lines]
    if not sections:
        embed.description = "Nothing was fetched."
        return embed
    room = min(DESCRIPTION, EMBED_TOTAL - len(embed)) - 2 * len(sections)
    needs = [len(t) + 1 + len("\n".join(lines)) for t, lines in sections]
    floors = [min(n, len(t) + 40) for n, (t, _) in zip(needs, sections, strict=True)]
    budgets = share(needs, room, floors)
    embed.description = "\n\n".join(
        _listed(t, lines, b) for (t, lines), b in zip(sections, budgets, strict=True)
    )
    return embed


def _item_line(item: AddedItem) -> str:
    status = _STATUS.get(item.status, escape(one_line(item.status)))
    title = masked_link(item.title, item.url, ITEM_CAP - 100)
    return f"{status} · {title} · {code(item.article_id, 80)}"


def error_text(message: str) -> str:
    """A short ephemeral error line."""
    return "⚠️ " + (fit(message.strip(), CONTENT - 3) or "Something went wrong.")
