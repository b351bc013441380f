"""Plain-text rendering of engine results for people at a terminal."""

from __future__ import annotations

import textwrap

from retrieval import Answer, Article, Citation, ClaimCheck, SourceHit

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
    in_text = {c.n for c in answer.citations if f"[{c.n}]" in answer.answer}
    by_n = {c.n: c for c in answer.citations}
    for flag in answer.flags:
        refs = " ".join(f"[{n}]" for n in flag.citations)
        out.append(
            f"⚠ {_FLAG_LABELS.get(flag.kind, flag.kind.upper())}: {flag.text} {refs}".rstrip()
        )
        for n in flag.citations:
            if n not in in_text and flag.kind != "not_in_sources":
                out.append(f"    [{n}] \u201c{' '.join(by_n[n].quote.split())}\u201d")
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


VERDICT_LABELS = {
    "supported": "✅ Supported",
    "contradicted": "❌ Contradicted",
    "not_enough_evidence": "⚠️ Not enough evidence",
    "conflicting": "⚖️ Sources conflict",
}
STANCE_LABELS = {"supports": "supports", "refutes": "refutes", "related": "related"}


def render_check(result: ClaimCheck) -> str:
    out = [f"Claim: {result.claim}", "", f"{VERDICT_LABELS[result.verdict]} — {result.reason}"]
    if result.evidence:
        out += ["", "Evidence:"]
    for e in result.evidence:
        out.append(f"[{e.n}] ({STANCE_LABELS[e.stance]}) \u201c{' '.join(e.quote.split())}\u201d")
        out.append(f"    {e.outlet or 'unnamed outlet'} · {e.published or 'undated'} · {e.title}")
        if e.url:
            out.append(f"    {e.url}")
    return "\n".join(out)
