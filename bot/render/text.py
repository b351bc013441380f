"""Plain-text rendering of engine results for people at a terminal."""

from __future__ import annotations

import textwrap

from retrieval import Answer, Article, Citation, ClaimCheck, SourceHit, source_name

_FLAG_LABELS = {
    "not_in_sources": "NOT IN SOURCES",
    "premise": "PREMISE CONTRADICTED",
    "unsupported": "UNSUPPORTED",
    "contradicted": "CONTRADICTED",
    "conflicting": "SOURCES CONFLICT",
}


def _meta(outlet: str | None, url: str | None, published: str | None, title: str) -> str:
    parts = [source_name(outlet, url), published or "undated", title]
    return " · ".join(p for p in parts if p)


def source_line(c: Citation) -> str:
    return f"[{c.n}] " + _meta(c.outlet, c.url, c.published, c.title)


def source_block(c: Citation) -> list[str]:
    """The source once, its quotes under it, then its link and the other outlets carrying it."""
    out = [source_line(c)]
    out += [f"    \u201c{' '.join(q.split())}\u201d" for q in c.quotes]
    if c.url:
        out.append(f"    {c.url}")
    if c.also_reported_by:
        out.append(f"    also reported by: {', '.join(c.also_reported_by)}")
    return out


def render_answer(answer: Answer) -> str:
    out = [f"Q: {answer.question}", ""]
    for flag in answer.flags:
        refs = " ".join(f"[{n}]" for n in flag.citations)
        out.append(
            f"⚠ {_FLAG_LABELS.get(flag.kind, flag.kind.upper())}: {flag.text} {refs}".rstrip()
        )
    if answer.flags:
        out.append("")
    # An extractive answer's text is its quotes, which the sources below show in full.
    if answer.status != "answered" or answer.mode != "extractive" or not answer.citations:
        out += [answer.answer, ""]
    if answer.citations:
        out.append("Sources:" if answer.status == "answered" else "Closest sources:")
        for c in answer.citations:
            out += source_block(c)
    return "\n".join(out).rstrip()


def render_hits(hits: list[SourceHit]) -> str:
    if not hits:
        return "No matching articles."
    lines = []
    for h in hits:
        a = h.article
        lines.append(f"{a.id}\n  {_meta(a.outlet, a.url, a.published, a.title)}")
        snippet = " ".join(h.snippet.split())
        if snippet:
            lines.append(textwrap.indent(textwrap.fill(snippet, 96), "  > "))
    return "\n".join(lines)


def render_article(a: Article) -> str:
    head = [
        a.title,
        " · ".join(x for x in (source_name(a.outlet, a.url), a.published or "undated") if x),
    ]
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
    if result.parts:
        out += ["", "Statements:"]
    for i, part in enumerate(result.parts, 1):
        cited = "".join(f"[{e.n}]" for e in part.evidence)
        statement = " ".join(part.claim.split())
        out.append(f"{i}. {VERDICT_LABELS[part.verdict]}: {statement} {cited}".rstrip())
    if result.evidence:
        out += ["", "Evidence:"]
    for e in result.evidence:
        out.append(f"[{e.n}] ({STANCE_LABELS[e.stance]}) \u201c{' '.join(e.quote.split())}\u201d")
        out.append(f"    {_meta(e.outlet, e.url, e.published, e.title)}")
        if e.url:
            out.append(f"    {e.url}")
    return "\n".join(out)
