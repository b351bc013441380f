"""Extractive answers: verbatim sentence-level quotes, diverse across stories, cited [n]."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from .judge import Judge
from .retrieve import Candidate, Evidence, coverage, staleness
from .state import CorpusState
from .text import asks
from .tuning import TUNING
from .types import Answer, Citation, ClaimCheck, Flag

NO_ANSWER_TEXT = "The sources do not answer this question."


@dataclass(frozen=True)
class Quote:
    article_id: str
    start: int
    end: int
    score: float


def answerability(
    state: CorpusState,
    evidence: Evidence,
    chosen: list[Candidate],
    judged: dict[tuple[str, int], float] | None = None,
    calibration: dict | None = None,
) -> dict:
    """The signals behind ``confidence`` and the probability ``p`` that the corpus answers.

    ``judged`` holds the judge's probabilities for the candidates it read; ``calibration`` the
    coefficients fitted for that judge (its card). Without them, the four-signal model decides.
    """
    terms = list(evidence.question_terms)
    cands = evidence.candidates[:5]
    dense = max((c.dense for c in cands), default=0.0)
    text = " ".join(state.context_text(c.article_id, c.idx) for c in chosen[:3])
    # A question may name an article by its title, outlet or date as well as by its content.
    titles = " ".join(
        f"{state.articles[a].title} {state.source_text(a)}"
        for a in {c.article_id for c in chosen[:3]}
    )
    cover = coverage(state, terms, evidence.term_weights, f"{text} {titles}")
    idfs = [state.bm25.idf_of(t) + TUNING.idf_floor for t in terms]
    absent = sum(
        i
        for t, i in zip(terms, idfs, strict=True)
        if not state.bm25.knows(t) and not state.bm25.variants(t)
    )
    absent_share = absent / sum(idfs) if idfs else 1.0
    # How far the best-dated evidence lies from a date the question pins (0 when none is pinned).
    stale = min(
        (
            staleness(evidence.asked_on, state.published_on(c.article_id), TUNING.news_span_days)
            for c in chosen[:3]
        ),
        default=0.0,
    )
    signals = {"dense": dense, "cover": cover, "absent": absent_share, "stale": stale}
    coef, bias = TUNING.answerable_coef, TUNING.answerable_bias
    if judged is not None:
        signals["judge"] = max(
            (judged.get((c.article_id, c.idx), -TUNING.judge_logit_clip) for c in chosen[:3]),
            default=-TUNING.judge_logit_clip,
        )
        if calibration:
            coef, bias = calibration["coef"], calibration["bias"]
    z = bias + sum(coef[k] * signals[k] for k in coef)
    threshold = TUNING.answerable_threshold
    if judged is not None and calibration:
        threshold = calibration.get("threshold", threshold)
    return {**signals, "p": 1.0 / (1.0 + math.exp(-z)), "threshold": threshold}


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return max(-TUNING.judge_logit_clip, min(TUNING.judge_logit_clip, math.log(p / (1 - p))))


def judge_candidates(
    state: CorpusState, evidence: Evidence, question: str, judge: Judge
) -> tuple[Evidence, dict[tuple[str, int], float]]:
    """The leading candidates read by the judge: its log-odds per candidate, and the candidates
    reranked with its probability joining their score (when ``TUNING.judge_rerank``)."""
    lead = list(evidence.candidates[: TUNING.judged_candidates])
    if not lead:
        return evidence, {}
    probs = judge.answers(question, [state.sentence_text(c.article_id, c.idx) for c in lead])
    judged = {(c.article_id, c.idx): _logit(float(p)) for c, p in zip(lead, probs, strict=True)}
    if not TUNING.judge_rerank:
        return evidence, judged
    rescored = [
        replace(c, score=c.score + TUNING.judge_weight * float(p))
        for c, p in zip(lead, probs, strict=True)
    ]
    rest = list(evidence.candidates[TUNING.judged_candidates :])
    candidates = sorted(rescored, key=lambda c: -c.score) + rest
    return replace(evidence, candidates=tuple(candidates)), judged


def select_evidence(state: CorpusState, evidence: Evidence, k: int) -> list[Candidate]:
    """Greedy MMR: strong sentences first, then other stories and other reasons."""
    pool = list(evidence.candidates[: TUNING.answer_pool])
    if not pool:
        return []
    floor = pool[0].score * TUNING.relative_floor
    chosen: list[Candidate] = []
    chosen_vecs: list[np.ndarray] = []
    stories: Counter[str] = Counter()
    articles: Counter[str] = Counter()
    while len(chosen) < k:
        best, best_value, best_vec = None, -1e9, None
        for c in pool:
            if c.score < floor:
                break
            if c in chosen:
                continue
            vec = evidence.vectors.get((c.article_id, c.idx))
            similarity = (
                max((float(vec @ v) for v in chosen_vecs), default=0.0)
                if (vec is not None)
                else 0.0
            )
            if similarity > TUNING.redundant:
                continue
            story = state.story_of.get(c.article_id, c.article_id)
            value = (
                c.score
                - TUNING.redundancy_weight * max(similarity, 0.0)
                - TUNING.story_penalty * stories[story]
            )
            if stories[story] and articles[c.article_id]:
                # Quote a story from the copy already cited, not from a sibling copy.
                value += TUNING.same_copy_bonus
            if value > best_value:
                best, best_value, best_vec = c, value, vec
        if best is None:
            break
        chosen.append(best)
        if best_vec is not None:
            chosen_vecs.append(best_vec)
        stories[state.story_of.get(best.article_id, best.article_id)] += 1
        articles[best.article_id] += 1
    return chosen


def make_quotes(
    state: CorpusState, chosen: list[Candidate], evidence: Evidence, max_chars: int
) -> list[Quote]:
    """Sentence spans in selection order: adjacent picks merged, a strong next sentence joined
    (the reason after "he explained why"), very short ones widened, long ones cut to
    ``max_chars`` on clause boundaries."""
    scores = {(c.article_id, c.idx): c.score for c in evidence.candidates}
    rank = {(c.article_id, c.idx): i for i, c in enumerate(chosen)}
    by_pos = sorted(chosen, key=lambda c: (c.article_id, c.idx))
    groups: list[list[Candidate]] = []
    for c in by_pos:
        last = groups[-1][-1] if groups else None
        if (
            last
            and last.article_id == c.article_id
            and c.idx == last.idx + 1
            and c.end - groups[-1][0].start <= max_chars
        ):
            groups[-1].append(c)
        else:
            groups.append([c])
    quotes: list[tuple[int, Quote]] = []
    for group in groups:
        aid, first, last = group[0].article_id, group[0].idx, group[-1].idx
        sents = state.sentences[aid]
        body = state.articles[aid].body
        start, end = group[0].start, group[-1].end
        nxt = last + 1
        if (
            nxt < len(sents)
            and (
                scores.get((aid, nxt), -1.0) >= TUNING.join_next * group[-1].score
                or continues(body[sents[last].start : end], body[sents[nxt].start : sents[nxt].end])
            )
            and sents[nxt].end - start <= max_chars
            and "\n\n" not in body[end : sents[nxt].start]
        ):
            end = sents[nxt].end
        if end - start < TUNING.short_quote:
            start, end = _widen(state, aid, first, last, max_chars)
        if end - start > max_chars:
            start, end = trim_to_clauses(body, start, end, evidence, state, max_chars)
        order = min(rank[(c.article_id, c.idx)] for c in group)
        quotes.append((order, Quote(aid, start, end, max(c.score for c in group))))
    return [q for _, q in sorted(quotes, key=lambda oq: oq[0])]


# A sentence that only announces what follows: "Putin has clarified why his country is not
# intervening", "He gave three reasons:". An embedded "why", "how come" or "the reason(s)" (the
# sentence is not itself a why/how question) with no cause given in the same sentence, or a
# closing colon.
_ANNOUNCES = re.compile(
    r":\s*$|^(?!\W*(?:why|how)\b).*\b(?:why|how come|the reasons?)\b(?!.*\b(?:because|due to|since|"
    r"as a result|owing to)\b)",
    re.I | re.S,
)
# A short sentence that goes on about the one before it: "That agreement did not include a
# mutual defence clause."
_GOES_ON = re.compile(
    r"^\W*(?:that|this|these|those|such)\s+\w+|^\W*(?:it|he|she|they)\s+(?:was|were|is|are|did|"
    r"does|do|had|has|have|would|will|could)\b",
    re.I,
)


def continues(sentence: str, following: str) -> bool:
    """Whether a quote of ``sentence`` would cut off what it is about: the reason it announces,
    or a short sentence that qualifies it. Such a following sentence joins the quote."""
    if asks(sentence):
        return False
    if _ANNOUNCES.search(sentence):
        return True
    return bool(_GOES_ON.search(following)) and len(following.split()) <= TUNING.goes_on_words


def _widen(state: CorpusState, aid: str, first: int, last: int, max_chars: int) -> tuple[int, int]:
    sents = state.sentences[aid]
    start, end = sents[first].start, sents[last].end
    body = state.articles[aid].body
    for j in (first - 1, last + 1):
        if 0 <= j < len(sents):
            s, e = min(start, sents[j].start), max(end, sents[j].end)
            if e - s <= max_chars and "\n\n" not in body[s:e]:
                return s, e
    return start, end


# Where a quote may be cut: after a clause mark, or between sentences (a quote of a sentence
# with the one before it).
_CLAUSE = re.compile(r"[,;:\u2014\u2013]\s+|\s+[\u2014\u2013-]\s+|[.!?][\"'\u201d\u2019)\]]*\s+")


def trim_to_clauses(
    body: str, start: int, end: int, evidence: Evidence, state: CorpusState, max_chars: int
) -> tuple[int, int]:
    """The run of whole clauses within ``max_chars`` that covers the question best."""
    cuts = [start] + [start + m.end() for m in _CLAUSE.finditer(body[start:end])] + [end]
    terms = list(evidence.question_terms)
    best, best_cov = None, -1.0
    for i in range(len(cuts) - 1):
        for j in range(i + 1, len(cuts)):
            s, e = cuts[i], cuts[j]
            if e - s > max_chars:
                break
            cov = coverage(state, terms, evidence.term_weights, body[s:e]) + (e - s) / 1e5
            if cov > best_cov:
                best, best_cov = (s, e), cov
    if best is None:
        cut = body.rfind(" ", start, start + max_chars)
        best = (start, cut if cut > start else start + max_chars)
    s, e = best
    while e > s and body[e - 1] in " ,;:\u2014\u2013-":
        e -= 1
    return s, e


def build_citations(state: CorpusState, quotes: list[Quote]) -> tuple[Citation, ...]:
    """One citation per article, numbered in order of first quote; an article's later quotes
    join its ``quotes`` (DESIGN §4)."""
    by_article: dict[str, Citation] = {}
    for q in quotes:
        fields = state.quote_fields(q.article_id, q.start, q.end)
        held = by_article.get(q.article_id)
        if held is None:
            by_article[q.article_id] = Citation(
                n=len(by_article) + 1,
                **fields,
                also_reported_by=state.also_reported_by(q.article_id),
            )
        else:
            by_article[q.article_id] = held.with_quote(fields["quote"], q.start, q.end)
    return tuple(by_article.values())


def quoted_text(quotes: list[Quote], citations: tuple[Citation, ...], state: CorpusState) -> str:
    """The extractive answer: each quote on its line, in answer order, with its article's [n]."""
    number = {c.article_id: c.n for c in citations}
    return "\n".join(
        f"\u201c{_one_line(state.articles[q.article_id].body[q.start : q.end])}\u201d"
        f" [{number[q.article_id]}]"
        for q in quotes
    )


def compose_answer(
    question: str,
    state: CorpusState,
    evidence: Evidence,
    max_citations: int,
    max_chars: int,
    judge: Judge | None = None,
) -> Answer:
    judged = None
    if judge is not None:
        evidence, judged = judge_candidates(state, evidence, question, judge)
    chosen = select_evidence(state, evidence, max_citations)
    calibration = getattr(judge, "card", {}).get("calibration") if judge is not None else None
    signals = answerability(state, evidence, chosen, judged, calibration)
    if not chosen or signals["p"] < signals["threshold"]:
        closest = make_quotes(state, chosen[: TUNING.closest], evidence, max_chars)
        citations = build_citations(state, closest)
        refs = tuple(c.n for c in citations)
        text = NO_ANSWER_TEXT
        if refs:
            text += " Closest sources: " + ", ".join(f"[{n}]" for n in refs) + "."
        return Answer(
            question=question,
            status="not_in_sources",
            answer=text,
            citations=citations,
            flags=(Flag("not_in_sources", question, refs),),
            confidence=signals["p"],
        )
    quotes = make_quotes(state, chosen, evidence, max_chars)
    citations = build_citations(state, quotes)
    text = quoted_text(quotes, citations, state)
    return Answer(
        question=question,
        status="answered",
        answer=text,
        citations=citations,
        confidence=signals["p"],
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def flag_premise(answer: Answer, premise: str, verdict: ClaimCheck) -> Answer:
    """Add a ``premise`` flag (corpus contradicts what the question assumes) or a
    ``conflicting`` flag (sources disagree on it), citing the evidence behind it."""
    if verdict.verdict not in ("contradicted", "conflicting"):
        return answer
    citations = list(answer.citations)
    refs: list[int] = []
    for e in verdict.evidence:
        if e.stance == "related" or len(refs) >= TUNING.premise_citations:
            continue
        at = next((i for i, c in enumerate(citations) if c.article_id == e.article_id), None)
        if at is None:
            citations.append(
                Citation(
                    n=len(citations) + 1,
                    article_id=e.article_id,
                    title=e.title,
                    outlet=e.outlet,
                    published=e.published,
                    url=e.url,
                    quote=e.quote,
                    start=e.start,
                    end=e.end,
                )
            )
            at = len(citations) - 1
        else:
            # One number per article: the evidence joins the article's quotes.
            citations[at] = citations[at].with_quote(e.quote, e.start, e.end)
        if citations[at].n not in refs:
            refs.append(citations[at].n)
    if verdict.verdict == "contradicted":
        flag = Flag("premise", f'The sources contradict the premise "{premise}"', tuple(refs))
    else:
        flag = Flag("conflicting", f"{verdict.reason} on: {premise}", tuple(refs))
    return replace(answer, citations=tuple(citations), flags=(flag, *answer.flags))
