"""Plain-text rendering of engine results for people at a terminal."""

from __future__ import annotations

import textwrap

from retrieval import Answer, Article, Citation, SourceHit

_FLAG_LABELS = {
    "not_in_sources": "NOT IN SOURCES",
    "premise": "PREMISE CONTRADICTED",
    "unsupported": "UNSUPPORTED",
    "contradicted": "CONTRADICTED",
    "conflicting": "SOURCES CONFLICT",
}


def source_line(c: Citation) -> str:
    parts = [c.outlet or "unnamed outlet", c.published or "undated", c.title]
    line = f"[{c.n}] " + " · ".join(parts)
    if c.url:
        line += f"\n    {c.url}"
    if c.also_reported_by:
        line += f"\n    also reported by: {', '.join(c.also_reported_by)}"
    return line


def render_answer(answer: Answer) -> str:
    out = [f"Q: {answer.question}", ""]
    for flag in answer.flags:
        refs = " ".join(f"[{n}]" for n in flag.citations)
        out.append(
            f"⚠ {_FLAG_LABELS.get(flag.kind, flag.kind.upper())}: {flag.text} {refs}".rstrip()
        )
    if answer.flags:
        out.append("")
    out.append(answer.answer)
    if answer.citations:
        out += ["", "Sources:"]
        out += [source_line(c) for c in answer.citations]
    return "\n".join(out)


def render_hits(hits: list[SourceHit]) -> str:
    if not hits:
        return "No matching articles."
    lines = []
    for h in hits:
        a = h.article
        lines.append(
            f"{a.id}\n  {a.outlet or 'unnamed outlet'} · {a.published or 'undated'} · {a.title}"
        )
        snippet = " ".join(h.snippet.split())
        if snippet:
            lines.append(textwrap.indent(textwrap.fill(snippet, 96), "  > "))
    return "\n".join(lines)


def render_article(a: Article) -> str:
    head = [a.title, f"{a.outlet or 'unnamed outlet'} · {a.published or 'undated'}"]
    if a.author:
        head.append(f"by {a.author}")
    if a.url:
        head.append(a.url)
    head.append(f"id: {a.id}  file: {a.path}")
    return "\n".join(head) + "\n\n" + a.body
