"""Looking articles up: /sources search with outlet and date filters, and /source autocomplete."""

from __future__ import annotations

from datetime import date

from .state import CorpusState
from .text import content_terms, normalize
from .types import Article, SourceHit

# A title hit counts twice a body hit: titles say what an article is about.
TITLE_WEIGHT = 2.0
BODY_CANDIDATES = 400
SNIPPET = 200


def suggest(state: CorpusState, text: str, k: int = 25) -> list[tuple[str, str]]:
    """(id, title) of articles whose id or title matches ``text``, for autocomplete: ids and
    title words that start with it first, then titles that contain it; newest first."""
    articles = sorted(state.articles.values(), key=lambda a: a.published or "", reverse=True)
    needle = normalize(text).strip()
    if not needle:
        return [(a.id, a.title) for a in articles[:k]]
    ranked: list[tuple[int, int, Article]] = []
    for pos, a in enumerate(articles):
        title = normalize(a.title)
        if a.id.startswith(needle) or title.startswith(needle):
            rank = 0
        elif f" {needle}" in f" {title}" or needle in a.id:
            rank = 1
        elif needle in title:
            rank = 2
        else:
            continue
        ranked.append((rank, pos, a))
    ranked.sort(key=lambda r: r[:2])
    return [(a.id, a.title) for _, _, a in ranked[:k]]


def search_sources(
    state: CorpusState,
    query: str = "",
    k: int = 10,
    outlet: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[SourceHit]:
    """Articles matching ``query`` (title and text), optionally by outlet and date range."""
    articles = list(state.articles.values())
    keep = [a for a in articles if matches(a, outlet, since, until)]
    if not query.strip():
        keep.sort(key=lambda a: a.published or "", reverse=True)
        return [SourceHit(a, 0.0, a.lead[:SNIPPET]) for a in keep[:k]]
    weights = state.bm25.expand(list(dict.fromkeys(content_terms(query))))
    title_scores = state.titles_bm25.scores(weights)
    body_scores: dict[str, tuple[float, int]] = {}
    for i, s in state.bm25.top(weights, BODY_CANDIDATES):
        aid = state.passages[i].article_id
        if s > body_scores.get(aid, (0.0, -1))[0]:
            body_scores[aid] = (s, i)
    allowed = {a.id for a in keep}
    hits = []
    for pos, a in enumerate(articles):
        if a.id not in allowed:
            continue
        score = TITLE_WEIGHT * float(title_scores[pos]) + body_scores.get(a.id, (0.0, -1))[0]
        if score > 0:
            pi = body_scores.get(a.id, (0.0, -1))[1]
            snippet = state.passage_text(pi)[:SNIPPET] if pi >= 0 else a.lead[:SNIPPET]
            hits.append(SourceHit(a, score, snippet))
    hits.sort(key=lambda h: -h.score)
    return hits[:k]


def matches(a: Article, outlet: str | None, since: date | None, until: date | None) -> bool:
    if outlet and normalize(outlet) not in normalize(a.outlet or ""):
        return False
    day = (a.published or "")[:10]
    if since and (not day or day < since.isoformat()[: len(day)]):
        return False
    return not (until and (not day or day > until.isoformat()[: len(day)]))
