"""Claim verification without an LLM: retrieval, then alignment of the claim with each evidence
sentence (terms, meaning, negation, numbers, dates, people and places) and fact-check ratings.

Precision of "contradicted" matters most (calling a true claim false in a public channel is the
worst error), so a refutation needs a strongly aligned sentence with a clear mismatch, or a
fact-check in the corpus that rates the claim false.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .answer import trim_to_clauses
from .judge import Judge
from .retrieve import Candidate, Evidence, coverage
from .signals import (
    CLAIM_STATEMENT,
    CLAUSE_BREAK,
    FACT_CHECK_TITLE,
    FALSE_RATING,
    HYPOTHETICAL,
    REPORTED_CLAIM,
    mismatch,
    other_side,
    swapped_kinds,
    swapped_names,
    swapped_opposites,
    synonyms,
    unmentioned_names,
    unstated,
)
from .state import CorpusState
from .text import content_terms, sentence_spans, words
from .tuning import TUNING
from .types import ClaimCheck, EvidenceQuote, source_name


@dataclass(frozen=True)
class Stance:
    candidate: Candidate
    stance: str  # supports | refutes | related
    reason: str
    strength: float
    # The text read when it reaches back past the candidate sentence (the sentence before it
    # with it): what a quote of this stance must show.
    start: int | None = None
    # A refutation by another name in the same slot: a support from another story outweighs
    # it (two guides, two agents, two games written alike are two events, not a dispute).
    by_name: bool = False


def is_fact_check(state: CorpusState, article_id: str) -> bool:
    a = state.articles[article_id]
    kinds = {v.lower() for k, v in a.metadata if k in ("kind", "type", "genre")}
    return "fact-check" in kinds or bool(FACT_CHECK_TITLE.search(a.title))


def clause_windows(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Single clauses and pairs of adjacent clauses of the sentence ``body[start:end]``."""
    cuts = [start] + [start + m.end() for m in CLAUSE_BREAK.finditer(body[start:end])] + [end]
    if len(cuts) <= 2:
        return []
    out = []
    for i in range(len(cuts) - 1):
        for j in (i + 1, i + 2):
            if j < len(cuts) and (i, j) != (0, len(cuts) - 1):
                s, e = cuts[i], cuts[j]
                if len(body[s:e].split()) >= 4:
                    out.append((s, e))
    return out


@dataclass(frozen=True)
class Unit:
    """The part of an evidence sentence that lines up best with the claim."""

    start: int
    end: int
    dense: float


def best_units(state: CorpusState, evidence: Evidence, candidates, embedder) -> list[Unit]:
    """Per candidate: the whole sentence, or a clause window that matches the claim better.

    Long sentences carry several statements ("there was no justification ... and that Moscow
    was trying to help"); judging the clause the claim is about keeps a negation elsewhere in
    the sentence from counting against it.
    """
    terms, weights = list(evidence.question_terms), evidence.term_weights
    windows: list[tuple[int, int, int]] = []
    # Clause windows are embedded per claim: only the leading candidates get them (latency).
    for i, c in enumerate(candidates[: TUNING.window_candidates]):
        body = state.articles[c.article_id].body
        if c.end - c.start >= TUNING.clause_min_chars:
            windows += [(i, s, e) for s, e in clause_windows(body, c.start, c.end)]
        # With the sentence before it: "That agreement did not ..." names its subject there.
        if c.idx > 0:
            prev = state.sentences[c.article_id][c.idx - 1]
            if c.end - prev.start <= TUNING.context_window_chars:
                windows.append((i, prev.start, c.end))
    units = [Unit(c.start, c.end, c.dense) for c in candidates]
    if not windows:
        return units
    texts = [state.articles[candidates[i].article_id].body[s:e] for i, s, e in windows]
    sims = embedder.embed(texts) @ evidence.query_vector
    best = [
        (c.dense + coverage(state, terms, weights, state.sentence_text(c.article_id, c.idx))) / 2
        for c in candidates
    ]
    for (i, s, e), text, sim in zip(windows, texts, sims, strict=True):
        score = (float(sim) + coverage(state, terms, weights, text)) / 2
        if score > best[i]:
            best[i] = score
            units[i] = Unit(s, e, float(sim))
    return units


def rule_stance(
    state: CorpusState, evidence: Evidence, claim: str, candidate: Candidate, unit: Unit
) -> Stance | None:
    aid, idx = candidate.article_id, candidate.idx
    article = state.articles[aid]
    body = article.body
    sentence = state.sentence_text(aid, idx)
    text = body[unit.start : unit.end]
    terms, weights = list(evidence.question_terms), evidence.term_weights
    own = coverage(state, terms, weights, text)
    ctx = coverage(state, terms, weights, state.context_text(aid, idx))
    share = TUNING.context_share
    cover = max(own, (1 - share) * own + share * ctx)
    dense = unit.dense
    if dense < TUNING.related_dense and cover < TUNING.about_cover:
        return None
    # Meaning and wording both count: paraphrases ("ceased" for "ended") score on the first.
    align = (dense + cover) / 2
    # Read with the sentence before it: the quote of a stance starts there too.
    reach = unit.start if unit.start < candidate.start else None
    if align >= TUNING.about_align and dense >= TUNING.about_dense:
        if reach is not None:
            # Sentence plus the one before: polarity is the sentence's own, facts are both's.
            why = mismatch(claim, sentence, text)
        else:
            why = mismatch(claim, text, sentence)
        refutable = align >= TUNING.refute_align and dense >= TUNING.refute_dense
        swaps = []
        if not why and refutable:
            swaps = swapped_names(claim, text, f"{article.title}\n{article.body}")
            opposites = (
                [] if swaps else swapped_opposites(claim, text) or swapped_kinds(claim, text)
            )
            why = "; ".join(f"{theirs}, not {ours}" for ours, theirs in swaps or opposites)
        if why and refutable:
            reason = f"the source differs ({why})"
            return Stance(candidate, "refutes", reason, align, reach, by_name=bool(swaps))
        # A sentence that reports a claim ("Claim: ...", "claims that ...") does not support it.
        # Nor does one that only entertains it ("if Israel killed ...").
        reported = REPORTED_CLAIM.search(sentence) or (
            HYPOTHETICAL.search(sentence) and not HYPOTHETICAL.search(claim)
        )
        if (
            not why
            and not reported
            and align >= TUNING.support_align
            and dense >= TUNING.support_dense
            and cover >= TUNING.support_min_cover
        ):
            context = state.context_text(aid, idx)
            swapped = _swapped_entities(claim, f"{article.title}\n{context}")
            if not swapped and (swaps := swapped_names(claim, text, text, openings=True)):
                # Another name in the sentence's own slot: a neighbour naming the claim's
                # ("Peskov said ... Lavrov called the strikes ...") does not make it his, and
                # "Trump said ..." is no support from "Ryabkov said ..." (Trump opens it).
                swapped = ", ".join(ours for ours, _ in swaps)
            if swapped:
                return Stance(candidate, "related", f"names differ ({swapped})", align)
            if kinds := swapped_kinds(claim, text, negated=True):
                other = "; ".join(f"{theirs}, not {ours}" for ours, theirs in kinds)
                return Stance(candidate, "related", f"it says {other}", align)
            if not _has_key_term(state, terms, context):
                return Stance(candidate, "related", "its key term is missing", align)
            if missing := unstated(claim, f"{article.title}\n{context}"):
                return Stance(candidate, "related", f"it does not give {missing}", align)
            if sides := other_side(claim, sentence if reach is None else text):
                return Stance(candidate, "related", f"the sides differ ({sides})", align)
            return Stance(candidate, "supports", "a source states it", align, reach)
    return Stance(candidate, "related", "related", align)


def _swapped_entities(claim: str, context: str) -> str:
    """Names in the claim that the evidence (with its neighbouring sentences) never mentions: a
    name from elsewhere in the article swapped in ("Putin met Blinken" where Lavrov did) is no
    support."""
    return ", ".join(sorted(unmentioned_names(claim, context)))


def _has_key_term(state: CorpusState, terms: list[str], text: str) -> bool:
    """The claim's rarest term (what it is most specifically about) appears in ``text``."""
    if not terms:
        return False
    known = [t for t in terms if state.bm25.knows(t)] or terms
    key = max(known, key=state.bm25.idf_of)
    have = set(content_terms(text))
    # The rarest term is often the claim's own word for the source's ("demise" for "death").
    return (
        key in have
        or any(v in have for v in state.bm25.variants(key))
        or any(synonyms(key, h) for h in have)
    )


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str
    stances: tuple[Stance, ...]


def fact_check_refutations(
    state: CorpusState, evidence: Evidence, claim: str, stances: list[Stance]
) -> list[Stance]:
    """Rating sentences of fact-checks whose own claim statement matches ``claim``.

    A fact-check states the claim it checks ("Claim: ..." or its title) and rates it; when that
    statement matches the claim and the rating says false, the rating sentences refute it.
    """
    terms, weights = list(evidence.question_terms), evidence.term_weights
    out: list[Stance] = []
    for aid in dict.fromkeys(s.candidate.article_id for s in stances):
        if not is_fact_check(state, aid):
            continue
        sents = state.sentences[aid]
        statements = [state.articles[aid].title] + [
            state.sentence_text(aid, i)
            for i in range(len(sents))
            if CLAIM_STATEMENT.search(state.sentence_text(aid, i))
        ]
        match = max(coverage(state, terms, weights, t) for t in statements)
        if match < TUNING.statement_cover:
            continue
        by_idx = {s.candidate.idx: s for s in stances if s.candidate.article_id == aid}
        for i in range(len(sents)):
            text = state.sentence_text(aid, i)
            if FALSE_RATING.search(text) and not CLAIM_STATEMENT.search(text):
                base = by_idx.get(i)
                strength = coverage(state, terms, weights, text)
                cand = (
                    base.candidate
                    if base
                    else Candidate(aid, i, sents[i].start, sents[i].end, 0.0, 0.0, 0.0, 0.0)
                )
                out.append(Stance(cand, "refutes", "a fact-check rates it false", strength))
    return sorted(out, key=lambda s: -s.strength)


def judged_stances(
    state: CorpusState,
    evidence: Evidence,
    claim: str,
    candidates: list[Candidate],
    units: list[Unit],
    judge: Judge,
) -> list[Stance]:
    """The rules' stance on each candidate, checked by the judge's reading of the same part.

    The judge vetoes: a rule mismatch (negation, opposite, number, date) is not a refutation
    when the judge is sure the two say the same thing, which is where rules misfire ("did not
    get it right" against "failed to get it right"); a rule support is not one when the judge
    is sure they contradict. It adds no stance of its own: on the held-out claim set its own
    verdicts were less precise than the rules' (README, "The judge").
    """
    card = getattr(judge, "card", {}).get("claims", {})
    veto = card.get("judge_veto", TUNING.judge_veto)
    read = []
    for c, u in zip(candidates, units, strict=True):
        rule = rule_stance(state, evidence, claim, c, u)
        if rule is not None:
            read.append((c, rule, state.articles[c.article_id].body[u.start : u.end]))
    decided = [i for i, (_, rule, _) in enumerate(read) if rule.stance != "related"]
    probs = judge.compare(claim, [read[i][2] for i in decided])
    out = [rule for _, rule, _ in read]
    for i, (p_e, p_c, _p_n) in zip(decided, probs, strict=True):
        c, rule, _ = read[i]
        if rule.stance == "refutes" and p_e >= veto:
            out[i] = Stance(c, "related", "the judge reads it as the same statement", rule.strength)
        elif rule.stance == "supports" and p_c >= veto:
            out[i] = Stance(c, "related", "the judge reads it as saying otherwise", rule.strength)
    return out


def decide(
    state: CorpusState, evidence: Evidence, claim: str, embedder, judge: Judge | None = None
) -> Verdict:
    # One judgement per distinct sentence of a story: wire copies would crowd the pool.
    candidates, seen = [], set()
    for c in evidence.candidates:
        key = (
            state.story_of.get(c.article_id, c.article_id),
            " ".join(words(state.sentence_text(c.article_id, c.idx))),
        )
        if key not in seen:
            seen.add(key)
            candidates.append(c)
            if len(candidates) >= TUNING.claim_pool:
                break
    units = best_units(state, evidence, candidates, embedder)
    if judge is not None and TUNING.claim_judge == "veto":
        stances = judged_stances(state, evidence, claim, candidates, units, judge)
    else:
        stances = [
            s
            for c, u in zip(candidates, units, strict=True)
            if (s := rule_stance(state, evidence, claim, c, u))
        ]
    stances += fact_check_refutations(state, evidence, claim, stances)
    supports = sorted((s for s in stances if s.stance == "supports"), key=lambda s: -s.strength)
    refutes = sorted((s for s in stances if s.stance == "refutes"), key=lambda s: -s.strength)
    related = sorted((s for s in stances if s.stance == "related"), key=lambda s: -s.strength)
    fact_checked = [s for s in refutes if s.reason.startswith("a fact-check")]
    story = state.story_of.get

    def stories(group: list[Stance]) -> set[str]:
        return {story(s.candidate.article_id, s.candidate.article_id) for s in group}

    if fact_checked:
        chosen = _distinct(state, fact_checked + refutes)
        return Verdict("contradicted", "A fact-check in the sources rates it false.", chosen)
    if supports and all(s.by_name for s in refutes):
        refutes = []
    if supports and refutes and stories(supports) == stories(refutes):
        # One story both ways: the better-aligned reading of it wins.
        if refutes[0].strength >= supports[0].strength:
            supports = []
        else:
            refutes = []
    if supports and refutes:
        chosen = _distinct(state, supports[:2] + refutes[:2])
        outlets = _outlets(state, supports[:1] + refutes[:1])
        return Verdict("conflicting", f"Sources disagree ({outlets}).", chosen)
    if refutes and not supports:
        return Verdict(
            "contradicted",
            f"A source says otherwise: {refutes[0].reason}.",
            _distinct(state, refutes + related[:1]),
        )
    if supports:
        return Verdict("supported", "A source states it.", _distinct(state, supports + related[:1]))
    return Verdict(
        "not_enough_evidence",
        "The sources do not state it or its opposite.",
        _distinct(state, related[:2]),
    )


def _distinct(state: CorpusState, group: list[Stance]) -> tuple[Stance, ...]:
    """Best first, one quote per sentence and wire story, at most TUNING.claim_evidence."""
    out: list[Stance] = []
    seen: set[tuple[str, str]] = set()
    for s in group:
        aid = s.candidate.article_id
        key = (
            state.story_of.get(aid, aid),
            " ".join(words(state.sentence_text(aid, s.candidate.idx))),
        )
        if key in seen:
            continue
        seen.add(key)
        out.append(s)
        if len(out) >= TUNING.claim_evidence:
            break
    return tuple(out)


def _outlets(state: CorpusState, group: list[Stance]) -> str:
    names = []
    for s in group:
        article = state.articles[s.candidate.article_id]
        name = source_name(article.outlet, article.url) or "an unnamed outlet"
        if name not in names:
            names.append(name)
    return " vs ".join(names)


def check(
    state: CorpusState,
    evidence: Evidence,
    claim: str,
    max_chars: int,
    embedder,
    judge: Judge | None = None,
) -> ClaimCheck:
    """The verdict on ``claim`` with its evidence quotes, numbered from 1."""
    verdict = decide(state, evidence, claim, embedder, judge)
    quotes = []
    for n, s in enumerate(verdict.stances, 1):
        c = s.candidate
        a = state.articles[c.article_id]
        start, end = (c.start if s.start is None else s.start), c.end
        if end - start > max_chars:
            start, end = trim_to_clauses(a.body, start, end, evidence, state, max_chars)
        quotes.append(EvidenceQuote(n=n, **state.quote_fields(a.id, start, end), stance=s.stance))
    return ClaimCheck(
        claim=claim, verdict=verdict.verdict, reason=verdict.reason, evidence=tuple(quotes)
    )


def claim_parts(claim: str) -> list[str]:
    """The statements of a claim, one per sentence (or line).

    A message checked with "Check this claim" often says several things, and each must stand on
    its own: a source that states the first sentence says nothing of the second. A fragment too
    short to check ("Breaking:") joins its neighbour; sentences past TUNING.claim_max_parts are
    read with the last part.
    """
    spans: list[list[int]] = []
    for start, end in _statement_spans(claim):
        short = len(content_terms(claim[start:end])) < TUNING.claim_part_min_terms
        if spans and (short or len(spans) >= TUNING.claim_max_parts):
            spans[-1][1] = end
        elif spans and len(content_terms(claim[slice(*spans[-1])])) < TUNING.claim_part_min_terms:
            spans[-1][1] = end  # a short opening fragment joins the sentence after it
        else:
            spans.append([start, end])
    return [claim[start:end] for start, end in spans] or [claim]


def _statement_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans, with a line break a boundary too (a message's lines are its statements)
    unless the next line goes on in lower case (a wrapped sentence)."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"\n(?=\s*[^\s])", text):
        if not text[m.end() :].lstrip()[:1].islower():
            out += [(start + s, start + e) for s, e in sentence_spans(text[start : m.start()])]
            start = m.end()
    out += [(start + s, start + e) for s, e in sentence_spans(text[start:])]
    return out


# A compound claim is as good as its weakest statement: one false sentence makes it false.
_SEVERITY = ("contradicted", "conflicting", "not_enough_evidence", "supported")


def combine_checks(claim: str, checks: list[ClaimCheck]) -> ClaimCheck:
    """One verdict on a claim of several statements from the checks of each.

    Contradicted if any statement is, conflicting if any is (and none is contradicted),
    supported only if every one is; otherwise not enough evidence. The evidence is the union
    of the statements' quotes, the decisive statements' first, numbered once; each part cites
    it by those numbers.
    """
    verdict = min((c.verdict for c in checks), key=_SEVERITY.index)
    decisive = [i for i, c in enumerate(checks) if c.verdict == verdict]
    if verdict == "supported":
        reason = f"A source states each of its {len(checks)} statements."
    else:
        said = {
            "contradicted": "contradicted",
            "conflicting": "disputed by the sources",
            "not_enough_evidence": "not stated in the sources",
        }[verdict]
        which = ", ".join(str(i + 1) for i in decisive)
        plural = "s" if len(decisive) > 1 else ""
        reason = f"Statement{plural} {which} of {len(checks)} {said}: {checks[decisive[0]].reason}"
    numbered: dict[tuple[str, str], EvidenceQuote] = {}
    order = decisive + [i for i in range(len(checks)) if i not in decisive]
    parts: dict[int, ClaimCheck] = {}
    for i in order:
        cited = []
        for e in checks[i].evidence:
            key = (e.article_id, e.quote)
            if key not in numbered and len(numbered) < TUNING.compound_evidence:
                numbered[key] = dataclasses.replace(e, n=len(numbered) + 1)
            if key in numbered:
                cited.append(numbered[key])
        parts[i] = dataclasses.replace(checks[i], evidence=tuple(cited))
    return ClaimCheck(
        claim=claim,
        verdict=verdict,
        reason=reason,
        evidence=tuple(numbered.values()),
        parts=tuple(parts[i] for i in range(len(checks))),
    )


_PREMISE = re.compile(
    r"^\s*(?:why|how come|how|when|where)\s+"
    r"(?:did|does|do|is|was|were|are|has|have|had|will|would|could|can|should)\s+(?P<rest>.+?)\s*\?*$",
    re.I,
)


def premise_of(question: str) -> str | None:
    """The statement a wh-question takes for granted ("Why did X do Y?" -> "X do Y").

    Negated questions ("Why isn't ...") are left alone: their premise is a negative, and a
    negative premise flagged wrongly on a plain question would do more harm than good.
    """
    m = _PREMISE.match(question)
    if not m or "n't" in question.lower() or " not " in f" {question.lower()} ":
        return None
    rest = m.group("rest").strip()
    return rest[0].upper() + rest[1:] if len(rest.split()) >= 3 else None
