"""Discord rendering of answers and their excerpts: pure functions, no I/O.

Each embed is built from a budget per section (``share``) so that flags and every numbered source
always fit within Discord's limits; long text is shortened at a word boundary by ``fit``, never
cut blindly. All corpus and user text goes through ``escape``.
"""

from __future__ import annotations

import re

import discord

from retrieval import Answer, Citation, Flag

from ..limits import DESCRIPTION, EMBED_TOTAL, EMBEDS_PER_MESSAGE, TITLE
from .layout import (
    SOURCE_CAP,
    Section,
    add_line_fields,
    allot,
    line_floor,
    marked,
    ref_markers,
    reflowed,
    source_line,
)
from .markdown import fit, one_line, share

# Answers cite a handful of sources; past this many the rest are left to the excerpts and their
# markers are not shown, so every marker on screen has its source listed beside it.
MAX_SOURCES = 40
MAX_FLAGS = 10
FLAG_CAP = 700
FLAG_MIN_TEXT = 60
QUESTION_CAP = 300
# Each of a source's quotes in the excerpts keeps at least this much when room is short.
EXCERPT_FLOOR = 200
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
_BLANK_RUNS = re.compile(r"\n\s*\n\s*")


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


def _flag_section(flag: Flag, shown: set[int], question: str) -> Section:
    emoji, label = FLAG_STYLE.get(flag.kind, ("⚠️", str(flag.kind)))
    text = one_line(flag.text)
    if flag.kind == "not_in_sources" and text == one_line(question):
        text = ""  # the title already says so
    head = f"{emoji} **{label}**" + (": " if text else "")
    refs = ref_markers(flag.citations, shown)

    def render(budget: int) -> str:
        return head + (fit(text, budget - len(head) - len(refs)) if text else "") + refs

    return Section(lambda b: render(min(b, FLAG_CAP)), len(head) + len(refs) + FLAG_MIN_TEXT)


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
    render_text = marked(shown)
    flags = [_flag_section(f, shown, answer.question) for f in answer.flags[:MAX_FLAGS]]
    body = Section(lambda b: fit(text, b, render_text, sentence=True), 0, ANSWER_WEIGHT)
    sources = [
        Section(
            lambda b, c=c: source_line(c, min(b, SOURCE_CAP), also=c.also_reported_by),
            line_floor(c),
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
        parts = allot([*flags, body, *sources], room)
        said = parts[: len(flags) + 1]
        if sum(map(len, said)) > description_room:
            said = allot([*flags, body], description_room)
            lines = allot(sources, room - sum(map(len, said)))
        else:
            lines = parts[len(flags) + 1 :]
        flag_block = "\n".join(p for p in (*said[:-1], more_flags) if p)
        description = "\n\n".join(p for p in (intro, flag_block, said[-1]) if p)
        embed = discord.Embed(
            title=title, description=description or None, colour=_answer_colour(answer)
        )
        name = "Closest sources" if unanswered else "Sources"
        add_line_fields(embed, name, [*lines, more_sources] if more_sources else lines)
        return embed.set_footer(text=footer)

    return reflowed(build)


def _excerpt_embed(c: Citation) -> discord.Embed:
    """The source once, then each of its quotes, sharing what the description has left."""
    line = source_line(c, SOURCE_CAP, also=c.also_reported_by)
    quotes = [one_line(q) for q in c.quotes]
    # Per quote: the two blank lines before it and its quotation marks.
    room = DESCRIPTION - len(line) - 4 * len(quotes)
    needs = [len(fit(q, 10**6)) for q in quotes]
    floor = min(EXCERPT_FLOOR, max(room, 0) // max(len(quotes), 1))
    budgets = share(needs, room, [min(n, floor) for n in needs])
    shown = [f"“{fit(q, b)}”" for q, b in zip(quotes, budgets, strict=True)]
    return discord.Embed(description="\n\n".join([line, *shown]), colour=discord.Colour.blurple())


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
