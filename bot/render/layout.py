"""What answer and check embeds share: source lines, sections that fit any budget, and
fields packed within Discord's limits."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

import discord

from retrieval import source_name

from ..limits import EMBED_TOTAL, FIELD_VALUE
from .markdown import date_text, escape, fit, join_bounded, masked_link, one_line, share

# Room one source line (with its "also reported by" line) may take before sources share.
SOURCE_CAP = 400
OUTLET_CAP = 48
ALSO_CAP = 160
ALSO_FLOOR = 40
MIN_TITLE = 12
_MARKER = re.compile(r"\[([0-9]{1,4})\]")
_MARKER_BEFORE_PAREN = re.compile(r"(\[[0-9]{1,4}\])\(")


class Sourced(Protocol):
    """What a source line needs: Citation and EvidenceQuote both have it."""

    @property
    def n(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def outlet(self) -> str | None: ...
    @property
    def published(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...


def source_line(
    src: Sourced, limit: int = SOURCE_CAP, *, also: Sequence[str] = (), tag: str = ""
) -> str:
    """``**[n]** Outlet · YYYY-MM-DD · [Title](url)`` and "↳ also reported by: …" within
    ``limit``; when room is short the also-line goes first, then the outlet, then the date."""
    head = f"**[{src.n}]** {tag}"
    name = source_name(src.outlet, src.url)
    outlet = fit(one_line(name), OUTLET_CAP) if name else None
    date = date_text(src.published)
    title_need = len(masked_link(src.title, src.url, SOURCE_CAP))
    title_floor = min(MIN_TITLE, title_need)
    also_need = len(also_line(also, ALSO_CAP))
    also_floor = min(also_need, ALSO_FLOOR)
    for meta, with_also in (
        ((outlet, date), True),
        ((outlet, date), False),
        ((date,), False),
        ((), False),
    ):
        prefix = head + "".join(f"{m} · " for m in meta if m)
        room = limit - len(prefix)
        if with_also and also_need and room >= title_floor + also_floor:
            title_room, also_room = share([title_need, also_need], room, [title_floor, also_floor])
            title = masked_link(src.title, src.url, title_room)
            return prefix + title + also_line(also, also_room)
        if not with_also and room >= title_floor:
            return prefix + masked_link(src.title, src.url, room)
    return head + fit(one_line(src.title), max(limit - len(head), 1))


def line_floor(src: Sourced, tag: str = "") -> int:
    return len(f"**[{src.n}]** {tag}") + MIN_TITLE


def also_line(names: Sequence[str], limit: int) -> str:
    label = "\n↳ also reported by: "
    shown = [fit(one_line(n), OUTLET_CAP) for n in names if n.strip()]
    if not shown:
        return ""
    body = join_bounded(shown, limit - len(label), ", ", lambda k: f"and {k} more")
    return label + body if body else ""


def ref_markers(numbers: Sequence[int], shown: set[int]) -> str:
    kept = [n for n in dict.fromkeys(numbers) if n in shown]
    return "".join(f" [{n}]" for n in kept)


def marked(shown: set[int]) -> Callable[[str], str]:
    """Renders answer text: markers of listed sources stay markers, markers of unlisted ones are
    dropped, everything else is escaped."""

    def render(text: str) -> str:
        out, pos = [], 0
        for m in _MARKER.finditer(text):
            out.append(escape(text[pos : m.start()]))
            if int(m[1]) in shown:
                out.append(m[0])
            pos = m.end()
        out.append(escape(text[pos:]))
        # "[1](…" in the text would turn a marker into a masked link.
        return _MARKER_BEFORE_PAREN.sub(r"\1\\(", "".join(out))

    return render


class Section:
    """A piece of an embed that can be rendered in any budget between its floor and its need."""

    def __init__(self, render: Callable[[int], str], floor: int, weight: int = 1) -> None:
        self.render = render
        self.need = len(render(10**6))
        self.floor = min(floor, self.need)
        self.weight = weight


def allot(sections: Sequence[Section], total: int) -> list[str]:
    budgets = share(
        [s.need for s in sections],
        total,
        [s.floor for s in sections],
        [s.weight for s in sections],
    )
    return [s.render(b) for s, b in zip(sections, budgets, strict=True)]


def add_line_fields(embed: discord.Embed, name: str, lines: Sequence[str]) -> None:
    """Lines packed into as few fields as the 1,024-character value limit allows."""
    value = ""
    for line in lines:
        if value and len(value) + 1 + len(line) > FIELD_VALUE:
            embed.add_field(name=name, value=value, inline=False)
            name, value = f"{name.split(' (')[0]} (cont.)", line
        else:
            value = f"{value}\n{line}" if value else line
    if value:
        embed.add_field(name=name, value=value, inline=False)


def reflowed(build: Callable[[int], discord.Embed]) -> discord.Embed:
    """Builds with the whole 6,000 characters, then with less by what field names and separators
    took, until the embed fits."""
    total = EMBED_TOTAL
    while True:
        embed = build(total)
        over = len(embed) - EMBED_TOTAL
        if over <= 0 or total <= 0:
            return embed
        total -= over
