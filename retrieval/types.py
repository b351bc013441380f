"""The frozen dataclasses at the seam between retrieval/ and its callers."""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlsplit

# Host prefixes that name a server, not the site.
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def source_name(outlet: str | None, url: str | None) -> str | None:
    """What to call a source: its outlet, else its site from the URL ("reuters.com"), else None."""
    if outlet and outlet.strip():
        return " ".join(outlet.split())
    host = (urlsplit(url).hostname or "") if url else ""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    if host.startswith("xn--") or ".xn--" in host:
        with contextlib.suppress(UnicodeError):
            host = host.encode("ascii").decode("idna")
    return host or None


FlagKind = Literal["not_in_sources", "unsupported", "contradicted", "conflicting", "premise"]
Status = Literal["answered", "not_in_sources"]


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str
    path: str
    content_hash: str
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    author: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def lead(self) -> str:
        return self.body.split("\n\n", 1)[0].strip()


@dataclass(frozen=True)
class Span:
    """A verbatim slice ``article.body[start:end]``."""

    article_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage(Span):
    id: str = ""
    text: str = ""


@dataclass(frozen=True)
class Citation:
    """One cited article: its number, and every quote the answer takes from it (DESIGN §4).

    ``quote``/``start``/``end`` are the first quote; ``quotes`` and ``spans`` hold them all in
    answer order (built with just the first when not given)."""

    n: int
    article_id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    quote: str
    start: int
    end: int
    also_reported_by: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if not self.spans:
            object.__setattr__(self, "spans", ((self.start, self.end),))
            object.__setattr__(self, "quotes", (self.quote,))
        if len(self.quotes) != len(self.spans) or self.spans[0] != (self.start, self.end):
            raise ValueError("a citation's quotes and spans must match, first quote first")

    def with_quote(self, quote: str, start: int, end: int) -> Citation:
        """This citation with one more quote from the same article (none if already held)."""
        if any(s <= start and end <= e for s, e in self.spans):
            return self
        return replace(self, quotes=(*self.quotes, quote), spans=(*self.spans, (start, end)))

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["also_reported_by"] = list(self.also_reported_by)
        out["quotes"] = list(self.quotes)
        del out["start"], out["end"], out["spans"]
        return out


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    text: str
    citations: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "citations": list(self.citations)}


@dataclass(frozen=True)
class Answer:
    question: str
    status: Status
    answer: str
    citations: tuple[Citation, ...] = ()
    flags: tuple[Flag, ...] = ()
    mode: Literal["extractive", "llm"] = "extractive"
    confidence: float = 0.0

    def to_json(self, id: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {} if id is None else {"id": id}
        out.update(
            question=self.question,
            status=self.status,
            answer=self.answer,
            citations=[c.to_json() for c in self.citations],
            flags=[f.to_json() for f in self.flags],
            mode=self.mode,
            confidence=round(self.confidence, 4),
        )
        return out


@dataclass(frozen=True)
class LoadError:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    errors: tuple[LoadError, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "seconds": round(self.seconds, 3),
            "errors": [{"path": e.path, "reason": e.reason} for e in self.errors],
        }

    def summary(self) -> str:
        line = (
            f"indexed: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged in {self.seconds:.2f}s"
        )
        if self.errors:
            line += f"; {len(self.errors)} file(s) skipped"
        return line


@dataclass(frozen=True)
class CorpusStats:
    """What is being served, for /corpus and ``wirecheck corpus``."""

    articles: int
    outlets: tuple[tuple[str, int], ...]  # (outlet, articles), most articles first
    earliest: str | None  # ISO date of the oldest dated article
    latest: str | None
    stories: int  # distinct stories once wire copies are grouped
    last_reload: str | None  # ISO datetime (UTC) when the served index was switched in
    can_rollback: bool  # a previous index state is kept

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["outlets"] = [{"outlet": o, "articles": n} for o, n in self.outlets]
        return out


@dataclass(frozen=True)
class SourceHit:
    article: Article
    score: float
    snippet: str


@dataclass(frozen=True)
class EvidenceQuote:
    n: int
    article_id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    quote: str
    stance: Literal["supports", "refutes", "related"]
    start: int = 0
    end: int = 0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["start"], out["end"]
        return out


@dataclass(frozen=True)
class ClaimCheck:
    claim: str
    verdict: Literal["supported", "contradicted", "not_enough_evidence", "conflicting"]
    reason: str
    evidence: tuple[EvidenceQuote, ...] = ()
    # A claim of several statements (sentences): each one's own check, citing ``evidence`` by
    # number. Empty for a claim of one statement.
    parts: tuple[ClaimCheck, ...] = ()

    def to_json(self, id: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {} if id is None else {"id": id}
        out.update(
            claim=self.claim,
            verdict=self.verdict,
            reason=self.reason,
            evidence=[e.to_json() for e in self.evidence],
        )
        if self.parts:
            out["parts"] = [
                {
                    "claim": p.claim,
                    "verdict": p.verdict,
                    "reason": p.reason,
                    "citations": [e.n for e in p.evidence],
                }
                for p in self.parts
            ]
        return out
