"""Hybrid retrieval: dense (passages and sentences) and BM25 fused, scored at sentence level."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from .dates import DatePin, days_apart, question_dates
from .embedding import Embedder
from .state import CorpusState
from .text import QUESTION_WORDS, REPORTING_WORDS, asks, content_terms, stem
from .tuning import TUNING
from .vectors import PASSAGES, VectorIndex

log = logging.getLogger(__name__)


_GENERIC = {
    stem(w)
    for w in QUESTION_WORDS
    | REPORTING_WORDS
    | {"happen", "mean", "think", "reason", "many", "much"}
}
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|"
    "december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_EXPECTS = (
    (
        "number",
        re.compile(
            r"\bhow (many|much|long|old|far|large|big)\b|\bwhat (percentage|"
            r"share|number|proportion|amount)\b",
            re.I,
        ),
        # A quantity, not a year: "6.1 million", "15%", "two", but not "June 2025".
        re.compile(
            r"(?<![\d.])(?!(?:19|20)\d\d\b)\d|\b(one|two|three|four|five|six|seven|eight|"
            r"nine|ten|dozens?|hundreds?|thousands?|millions?|billions?)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(r"^\W*when\b|\bwhat (year|date|day|month)\b", re.I),
        re.compile(
            rf"\b(1[89]|20)\d\d\b|\b({_MONTHS})\b|\b(mon|tues|wednes|thurs|fri|satur|sun)"
            r"day\b|\b(yesterday|today|tonight|last (week|month|year))\b",
            re.I,
        ),
    ),
)

_ASKS_WHY = re.compile(
    r"^\W*why\b|\bwhat (is|was|are|were) the reasons?\b|\bhow come\b|\bfor what reasons?\b|"
    # "What is keeping Moscow from ...", "what stopped them", "what explains ...", "what's behind"
    r"\bwhat(?:'s| is| was| are| were| has been)? (?:keeping|keeps|kept|stopping|stops|stopped|"
    r"preventing|prevents|prevented|holding back|holds back|held back|explains?|(?:lies )?behind|"
    r"motivates?|drives?|drove)\b",
    re.I,
)
_CAUSE = re.compile(
    r"\b(because|due to|since|as a result|owing to|so that|in order to|reasons?|caused?|"
    r"led to|amid|given that|explained|clarified|said .{0,40}\bwould\b)\b",
    re.I,
)
_CLOSED = re.compile(r"[.!?\"'”’)\]]\s*$")


def staleness(asked_on: tuple[DatePin, ...], published: date | None, scale_days: int) -> float:
    """0 for an article from a time the question names (or when no date is known), up to 1 for
    one ``scale_days`` or more beyond the nearest of them."""
    gaps = [days_apart(p.day, published) for p in asked_on]
    gaps = [max(g - p.slack, 0) for g, p in zip(gaps, asked_on, strict=True) if g is not None]
    return min(min(gaps) / scale_days, 1.0) if gaps else 0.0


def asks_why(question: str) -> bool:
    """Whether a question asks for a reason ("why ...", "what is keeping X from ...")."""
    return bool(_ASKS_WHY.search(question))


def expected_type(question: str) -> re.Pattern[str] | None:
    for _name, asked, has in _EXPECTS:
        if asked.search(question):
            return has
    return None


def shape_adjustment(text: str, expects: re.Pattern[str] | None, why: bool = False) -> float:
    adj = TUNING.cause_bonus if why and _CAUSE.search(text) else 0.0
    if expects is not None and not expects.search(text):
        adj -= TUNING.type_missing_penalty
    if (not _CLOSED.search(text) and len(text.split()) < 12) or title_cased(text):
        adj -= TUNING.heading_penalty
    return adj


_SMALL_WORDS = frozenset("a an and as at but by for in of on or the to with".split())


def title_cased(text: str) -> bool:
    """A headline or a reference-list entry ("Russia Fears for Ally Iran With Few Tools to
    Influence Crisis."), not a sentence: every word but the small ones is capitalised."""
    tokens = re.findall(r"[A-Za-z][\w'’-]*", text)
    big = [w for w in tokens if w.lower() not in _SMALL_WORDS]
    return (
        len(tokens) >= TUNING.title_min_words and len(big) >= 3 and all(w[0].isupper() for w in big)
    )


@dataclass(frozen=True)
class Candidate:
    article_id: str
    idx: int
    start: int
    end: int
    dense: float
    cover: float
    passage: float
    score: float


@dataclass(frozen=True)
class Evidence:
    question_terms: tuple[str, ...]
    term_weights: dict[str, float]
    query_vector: np.ndarray
    candidates: tuple[Candidate, ...]
    vectors: dict[tuple[str, int], np.ndarray]
    asked_on: tuple[DatePin, ...] = ()


def question_terms(question: str) -> list[str]:
    return [t for t in dict.fromkeys(content_terms(question)) if t not in _GENERIC]


def coverage(state: CorpusState, terms: list[str], weights: dict[str, float], text: str) -> float:
    """IDF-weighted share of question terms the text contains (variants count partly)."""
    if not terms:
        return 0.0
    have = set(content_terms(text))
    total = got = 0.0
    for t in terms:
        # The floor keeps topic words that most articles share from counting for nothing.
        idf = state.bm25.idf_of(t) + TUNING.idf_floor
        total += idf
        if t in have:
            got += idf
        else:
            best = max(
                (weights.get(v, 0.0) for v in state.bm25.variants(t) if v in have), default=0.0
            )
            got += idf * best
    return got / total if total else 0.0


def sentence_vectors(
    state: CorpusState, index: VectorIndex, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], np.ndarray]:
    """(article id, sentence index) -> that sentence's vector, for the versions ``state`` serves."""
    keys = list(keys)
    held = index.sentence_vectors(
        (aid, state.articles[aid].content_hash) for aid in dict.fromkeys(a for a, _ in keys)
    )
    out = {}
    for aid, si in keys:
        rows = held.get((aid, state.articles[aid].content_hash))
        if rows is not None and si < len(rows):
            out[(aid, si)] = rows[si]
    return out


def retrieve_evidence(
    state: CorpusState, index: VectorIndex, embedder: Embedder, question: str
) -> Evidence:
    terms = question_terms(question)
    weights = state.bm25.expand(terms)
    qvec = embedder.embed_query(question)
    fused: dict[str, float] = {}
    for rank, (pid, _sim) in enumerate(index.query(PASSAGES, qvec, TUNING.dense_passages)):
        fused[pid] = fused.get(pid, 0.0) + 1.0 / (TUNING.rrf_k + rank)
    for rank, (i, _s) in enumerate(state.bm25.top(weights, TUNING.lexical_passages)):
        pid = state.passages[i].id
        fused[pid] = fused.get(pid, 0.0) + 1.0 / (TUNING.rrf_k + rank)
    top_passages = sorted(fused.items(), key=lambda kv: -kv[1])[: TUNING.fused_passages]
    best_fused = top_passages[0][1] if top_passages else 1.0

    support: dict[tuple[str, int], float] = {}
    for pid, f in top_passages:
        pi = state.passage_index.get(pid)
        if pi is None:
            continue
        aid = state.passages[pi].article_id
        for si in state.passage_sentences[pi]:
            key = (aid, si)
            support[key] = max(support.get(key, 0.0), f / best_fused)
    # Every candidate sentence lies in a passage found by meaning or by words; its own vector
    # scores it and tells answer selection a new reason from a restatement.
    vecs = sentence_vectors(state, index, support)
    dense = {key: float(v @ qvec) for key, v in vecs.items()}
    expects = expected_type(question)
    why = asks_why(question)
    asked_on = question_dates(question)
    candidates = []
    for key, sup in support.items():
        aid, si = key
        if key not in dense or si >= len(state.sentences[aid]):
            continue
        span = state.sentences[aid][si]
        text = state.sentence_text(aid, si)
        if asks(text):
            continue
        cov = (1 - TUNING.context_share) * coverage(state, terms, weights, text) + (
            TUNING.context_share * coverage(state, terms, weights, state.context_text(aid, si))
        )
        score = (
            TUNING.w_dense * dense[key]
            + TUNING.w_cover * cov
            + TUNING.w_passage * sup
            + shape_adjustment(text, expects, why)
            - TUNING.time_penalty
            * staleness(asked_on, state.published_on(aid), TUNING.time_scale_days)
        )
        candidates.append(Candidate(aid, si, span.start, span.end, dense[key], cov, sup, score))
    candidates.sort(key=lambda c: -c.score)
    return Evidence(tuple(terms), weights, qvec, tuple(candidates), vecs, asked_on)
