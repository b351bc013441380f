"""Discord rendering of answers, claim checks and excerpts: pure functions, no I/O.

Each embed is built from a budget per section (``share``) so that flags and every numbered source
always fit within Discord's limits; long text is shortened at a word boundary by ``fit``, never
cut blindly. All corpus and user text goes through ``escape``. The library views (/sources,
/source, /corpus, /reload, /add) live in ``bot.render_library`` and are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

import discord

from retrieval import Answer, Citation, ClaimCheck, EvidenceQuote, Flag

from .discord_markdown import (
    date_text,
    escape,
    fit,
    join_bounded,
    masked_link,
    one_line,
    share,
)
from .render_library import (
    add_embed,
    article_embed,
    corpus_embed,
    error_text,
    reload_embed,
    reload_progress_text,
    sources_embed,
)

__all__ = [
    "add_embed",
    "answer_embed",
    "article_embed",
    "check_embed",
    "corpus_embed",
    "error_text",
    "escape",
    "excerpt_messages",
    "fit",
    "reload_embed",
    "reload_progress_text",
    "sources_embed",
]

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits);
# the 6,000 total applies to all embeds of one message together.
TITLE = 256
DESCRIPTION = 4096
FIELD_VALUE = 1024
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10

# Answers cite a handful of sources; past this many the rest are left to the excerpts and their
# markers are not shown, so every marker on screen has its source listed beside it.
MAX_SOURCES = 40
MAX_FLAGS = 10
MAX_EVIDENCE = 20
# Room one source line (with its "also reported by" line) may take before sources share.
SOURCE_CAP = 400
OUTLET_CAP = 48
ALSO_CAP = 160
ALSO_FLOOR = 40
MIN_TITLE = 12
FLAG_CAP = 700
FLAG_MIN_TEXT = 60
QUESTION_CAP = 300
CLAIM_CAP = 900
REASON_CAP = 500
# The answer text weighs as much as three flags or sources when room is short.
ANSWER_WEIGHT = 3

NOT_COVERED = "📭 The sources don't cover this"
FLAG_STYLE = {
    "not_in_sources": ("⚠️", "Not in sources"),
    "premise": ("🚫", "Premise contradicted"),
    "unsupported": ("❗", "Unsupported"),
    "contradicted": ("❌", "Contradicted"),
    "conflicting": ("⚖️", "Sources conflict"),
}
VERDICT_STYLE = {
    "supported": ("✅ Supported", discord.Colour.green()),
    "contradicted": ("❌ Contradicted", discord.Colour.red()),
    "not_enough_evidence": ("⚠️ Not enough evidence", discord.Colour.orange()),
    "conflicting": ("⚖️ Sources conflict", discord.Colour.gold()),
}
STANCE_LABEL = {"supports": "🟢 supports", "refutes": "🔴 refutes", "related": "⚪ related"}
_MARKER = re.compile(r"\[([0-9]{1,4})\]")
_MARKER_BEFORE_PAREN = re.compile(r"(\[[0-9]{1,4}\])\(")
_BLANK_RUNS = re.compile(r"\n\s*\n\s*")


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
    outlet = fit(one_line(src.outlet), OUTLET_CAP) if src.outlet and src.outlet.strip() else None
    date = date_text(src.published)
    title_need = len(masked_link(src.title, src.url, SOURCE_CAP))
    title_floor = min(MIN_TITLE, title_need)
    also_need = len(_also_line(also, ALSO_CAP))
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
            return prefix + title + _also_line(also, also_room)
        if not with_also and room >= title_floor:
            return prefix + masked_link(src.title, src.url, room)
    return head + fit(one_line(src.title), max(limit - len(head), 1))


def _line_floor(src: Sourced, tag: str = "") -> int:
    return len(f"**[{src.n}]** {tag}") + MIN_TITLE


def _also_line(names: Sequence[str], limit: int) -> str:
    label = "\n↳ also reported by: "
    shown = [fit(one_line(n), OUTLET_CAP) for n in names if n.strip()]
    if not shown:
        return ""
    body = join_bounded(shown, limit - len(label), ", ", lambda k: f"and {k} more")
    return label + body if body else ""


def _refs(numbers: Sequence[int], shown: set[int]) -> str:
    kept = [n for n in dict.fromkeys(numbers) if n in shown]
    return "".join(f" [{n}]" for n in kept)


def _marked(shown: set[int]) -> Callable[[str], str]:
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


class _Section:
    """A piece of an embed that can be rendered in any budget between its floor and its need."""

    def __init__(self, render: Callable[[int], str], floor: int, weight: int = 1) -> None:
        self.render = render
        self.need = len(render(10**6))
        self.floor = min(floor, self.need)
        self.weight = weight


def _allot(sections: Sequence[_Section], total: int) -> list[str]:
    budgets = share(
        [s.need for s in sections],
        total,
        [s.floor for s in sections],
        [s.weight for s in sections],
    )
    return [s.render(b) for s, b in zip(sections, budgets, strict=True)]


def _add_line_fields(embed: discord.Embed, name: str, lines: Sequence[str]) -> None:
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


def _reflowed(build: Callable[[int], discord.Embed]) -> discord.Embed:
    """Builds with the whole 6,000 characters, then with less by what field names and separators
    took, until the embed fits."""
    total = EMBED_TOTAL
    while True:
        embed = build(total)
        over = len(embed) - EMBED_TOTAL
        if over <= 0 or total <= 0:
            return embed
        total -= over


def _answer_colour(answer: Answer) -> discord.Colour:
    kinds = {f.kind for f in answer.flags}
    if answer.status == "not_in_sources":
        return discord.Colour.dark_grey()
    if kinds & {"premise", "contradicted"}:
        return discord.Colour.red()
    if "conflicting" in kinds:
        return discord.Colour.gold()
    if kinds:
        return discord.Colour.orange()
    return discord.Colour.green()


def _flag_section(flag: Flag, shown: set[int], question: str) -> _Section:
    emoji, label = FLAG_STYLE.get(flag.kind, ("⚠️", str(flag.kind)))
    text = one_line(flag.text)
    if flag.kind == "not_in_sources" and text == one_line(question):
        text = ""  # the title already says so
    head = f"{emoji} **{label}**" + (": " if text else "")
    refs = _refs(flag.citations, shown)

    def render(budget: int) -> str:
        return head + (fit(text, budget - len(head) - len(refs)) if text else "") + refs

    return _Section(lambda b: render(min(b, FLAG_CAP)), len(head) + len(refs) + FLAG_MIN_TEXT)


def answer_embed(answer: Answer) -> discord.Embed:
    """Flags first, then the answer with [n] markers, then the numbered sources."""
    listed = answer.citations[:MAX_SOURCES]
    shown = {c.n for c in listed}
    unanswered = answer.status == "not_in_sources"
    question = one_line(answer.question)
    title = NOT_COVERED if unanswered else (fit(question, TITLE) or "Answer")
    asked = fit(question, QUESTION_CAP)
    intro = f"**Question:** {asked}" if unanswered and asked else ""
    extra_flags = len(answer.flags) - MAX_FLAGS
    more_flags = f"…and {extra_flags} more flags" if extra_flags > 0 else ""
    extra_sources = len(answer.citations) - len(listed)
    footer = f"{answer.mode} · confidence {answer.confidence:.2f}"
    text = _BLANK_RUNS.sub("\n\n", answer.answer.strip())
    render_text = _marked(shown)
    flags = [_flag_section(f, shown, answer.question) for f in answer.flags[:MAX_FLAGS]]
    body = _Section(lambda b: fit(text, b, render_text, sentence=True), 0, ANSWER_WEIGHT)
    sources = [
        _Section(
            lambda b, c=c: source_line(c, min(b, SOURCE_CAP), also=c.also_reported_by),
            _line_floor(c),
        )
        for c in listed
    ]
    more_sources = f"…and {extra_sources} more in the excerpts" if extra_sources > 0 else ""
    fixed = [intro, more_flags, more_sources]
    # "\n" between lines, "\n\n" between the description's blocks.
    separators = len(flags) + len(sources) + 6

    def build(total: int) -> discord.Embed:
        room = total - len(title) - len(footer) - sum(map(len, fixed)) - separators
        description_room = DESCRIPTION - len(intro) - len(more_flags) - len(flags) - 6
        parts = _allot([*flags, body, *sources], room)
        said = parts[: len(flags) + 1]
        if sum(map(len, said)) > description_room:
            said = _allot([*flags, body], description_room)
            lines = _allot(sources, room - sum(map(len, said)))
        else:
            lines = parts[len(flags) + 1 :]
        flag_block = "\n".join(p for p in (*said[:-1], more_flags) if p)
        description = "\n\n".join(p for p in (intro, flag_block, said[-1]) if p)
        embed = discord.Embed(
            title=title, description=description or None, colour=_answer_colour(answer)
        )
        name = "Closest sources" if unanswered else "Sources"
        _add_line_fields(embed, name, [*lines, more_sources] if more_sources else lines)
        return embed.set_footer(text=footer)

    return _reflowed(build)


def _excerpt_embed(c: Citation) -> discord.Embed:
    line = source_line(c, SOURCE_CAP, also=c.also_reported_by)
    quote = fit(one_line(c.quote), DESCRIPTION - len(line) - 4)
    return discord.Embed(description=f"{line}\n\n“{quote}”", colour=discord.Colour.blurple())


def excerpt_messages(answer: Answer) -> list[list[discord.Embed]]:
    """The full verbatim quotes, one embed per citation, packed into messages of at most ten
    embeds and 6,000 characters."""
    if not answer.citations:
        empty = discord.Embed(description="This answer quotes no sources.")
        return [[empty]]
    messages: list[list[discord.Embed]] = []
    size = 0
    for embed in map(_excerpt_embed, answer.citations):
        if (
            not messages
            or len(messages[-1]) == EMBEDS_PER_MESSAGE
            or size + len(embed) > EMBED_TOTAL
        ):
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += len(embed)
    return messages


def _evidence_section(e: EvidenceQuote) -> _Section:
    tag = f"{STANCE_LABEL.get(e.stance, e.stance)} · "
    quote = one_line(e.quote)
    line_need = len(source_line(e, SOURCE_CAP, tag=tag))
    quote_need = len(fit(quote, FIELD_VALUE)) + 2  # with its quotation marks
    floors = [_line_floor(e, tag), min(quote_need, 40)]

    def render(budget: int) -> str:
        # One evidence item is one field value at most; "\n" sits between line and quote.
        line_room, quote_room = share([line_need, quote_need], min(budget, FIELD_VALUE) - 1, floors)
        return f"{source_line(e, line_room, tag=tag)}\n“{fit(quote, quote_room - 2)}”"

    return _Section(render, _line_floor(e, tag) + 40)


def check_embed(check: ClaimCheck) -> discord.Embed:
    """The verdict as the title, the claim and the reason, then numbered evidence with stance."""
    title, colour = VERDICT_STYLE.get(check.verdict, (str(check.verdict), discord.Colour.default()))
    description = f"**Claim:** {fit(one_line(check.claim), CLAIM_CAP) or '—'}"
    reason = fit(one_line(check.reason), REASON_CAP)
    if reason:
        description += f"\n\n{reason}"
    if not check.evidence:
        description += "\n\nNo passage in the sources speaks to this claim."
    evidence = [_evidence_section(e) for e in check.evidence[:MAX_EVIDENCE]]
    extra = len(check.evidence) - len(evidence)
    more = f"…and {extra} more" if extra > 0 else ""

    def build(total: int) -> discord.Embed:
        room = total - len(title) - len(description) - len(more) - len(evidence) - 1
        embed = discord.Embed(title=title, description=description, colour=colour)
        items = _allot(evidence, room)
        _add_line_fields(embed, "Evidence", [*items, more] if more else items)
        return embed

    return _reflowed(build)
