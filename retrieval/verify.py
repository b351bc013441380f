"""Claim verification without an LLM: retrieval, then alignment of the claim with each evidence
sentence (terms, meaning, negation, numbers, dates, people and places) and fact-check ratings.

Precision of "contradicted" matters most (calling a true claim false in a public channel is the
worst error), so a refutation needs a strongly aligned sentence with a clear mismatch, or a
fact-check in the corpus that rates the claim false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .answer import trim_to_clauses
from .retrieve import Candidate, Evidence, coverage
from .state import CorpusState
from .text import content_terms, normalize, stem, terms_of_words, words
from .types import ClaimCheck, EvidenceQuote

# Alignment of a claim and a sentence = mean of their cosine similarity and the IDF-weighted
# share of the claim's terms the sentence (partly its neighbours) holds. A sentence states the
# claim above the support bars; it may refute it above the refute bars when it also differs in
# negation, a number or a date. Tuned on the seed claims and dev/summedits_news.
SUPPORT_ALIGN = 0.68
SUPPORT_DENSE = 0.55
SUPPORT_MIN_COVER = 0.5
REFUTE_ALIGN = 0.6
REFUTE_DENSE = 0.55
ABOUT_ALIGN = 0.5
ABOUT_DENSE = 0.45
RELATED_DENSE = 0.4
ABOUT_COVER = 0.55
# A fact-check is about the claim when its claim statement covers this much of it.
STATEMENT_COVER = 0.72
MAX_EVIDENCE = 5
POOL = 12
WINDOW_CANDIDATES = 4
# Shorter sentences are one statement; their clauses are not worth embedding apart.
CLAUSE_MIN_CHARS = 100
CONTEXT_WINDOW_CHARS = 400

_NEGATIONS = frozenset("not no never without none neither nor nobody nothing".split())
_FALSE_RATING = re.compile(
    r"\b(false|inaccurate|unfounded|misleading|fabricated|baseless|debunked|not true|"
    r"no evidence|unsupported|incorrect|fake|hoax|there (is|was) no)\b",
    re.I,
)
_TRUE_RATING = re.compile(r"\brating:\s*(true|correct|accurate)\b", re.I)
_REPORTED_CLAIM = re.compile(
    r"^\s*claim\s*:|\b(claims?|claimed|claiming) that\b|\ballegedly\b|\brumou?rs? that\b", re.I
)
_HYPOTHETICAL = re.compile(r"\b(if|whether|unless|in case|possibility|hypothetical(ly)?)\b", re.I)
_CLAUSE_BREAK = re.compile(
    r"[,;:]\s+|\s+[\u2014\u2013-]\s+|\s+(?=(?:but|while|whereas|and that)\s)"
)
# Stems of words whose swap turns a statement into its opposite ("accepted" / "rejected").
_ANTONYMS = tuple(
    tuple(stem(w) for w in pair.split("/"))
    for pair in (
        "accept/reject approve/reject confirm/deny admit/deny allow/ban allow/forbid "
        "win/lose won/lost rise/fall increase/decrease raise/cut support/oppose agree/refuse "
        "open/close acquit/convict arrive/depart gain/lose include/exclude succeed/fail "
        "legal/illegal true/false before/after"
    ).split()
)
_CLAIM_STATEMENT = re.compile(r"^\s*claim\s*:", re.I)
_FACT_CHECK_TITLE = re.compile(r"\bfact[- ]?check", re.I)
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)\s*(%|percent|million|billion|thousand)?", re.I)
_NUMBER_WORDS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "twenty": 20,
    "hundred": 100,
    "dozen": 12,
}
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*)")


@dataclass(frozen=True)
class Stance:
    candidate: Candidate
    stance: str  # supports | refutes | related
    reason: str
    strength: float


def negated(tokens: list[str]) -> bool:
    # Presence, not parity: "no basis and no justification" is one negative statement.
    return any(t in _NEGATIONS for t in tokens)


def numbers(text: str) -> set[float]:
    """Quantities in ``text`` (years excluded), scaled: "6.1 million" -> 6100000."""
    out: set[float] = set()
    for m in _NUMBER.finditer(text):
        raw = m.group(1).replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        if re.fullmatch(r"(19|20)\d\d", raw) and not m.group(2):
            continue
        out.add(value * _SCALE.get((m.group(2) or "").lower(), 1))
    toks = words(text)
    for i, t in enumerate(toks):
        if t in _NUMBER_WORDS:
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            out.add(_NUMBER_WORDS[t] * _SCALE.get(nxt, 1))
    return out


def calendar(text: str) -> set[str]:
    """Months, weekdays and years named in ``text``."""
    toks = set(words(text))
    found = {t for t in toks if t in _MONTHS or t in _WEEKDAYS}
    found |= set(re.findall(r"\b(?:19|20)\d\d\b", text))
    return found


def entities(text: str) -> set[str]:
    """Capitalised names not opening a sentence, folded ("U.S." and "US" agree)."""
    return {normalize(m.group(1)) for m in _ENTITY.finditer(text)} - set(_MONTHS) - set(_WEEKDAYS)


def is_fact_check(state: CorpusState, article_id: str) -> bool:
    a = state.articles[article_id]
    kinds = {v.lower() for k, v in a.metadata if k in ("kind", "type", "genre")}
    return "fact-check" in kinds or bool(_FACT_CHECK_TITLE.search(a.title))


def mismatch(claim: str, statement: str, facts: str) -> str | None:
    """Why aligned evidence says other than the claim: ``statement`` is the clause or sentence
    whose polarity counts, ``facts`` the text whose numbers and dates count."""
    c_tokens, u_tokens = words(claim), words(statement)
    if negated(c_tokens) != negated(u_tokens):
        return "negation"
    c_terms, u_terms = set(terms_of_words(c_tokens)), set(terms_of_words(u_tokens))
    for a, b in _ANTONYMS:
        for x, y in ((a, b), (b, a)):
            if x in c_terms and x not in u_terms and y in u_terms and y not in c_terms:
                return "opposite"
    c_nums, s_nums = numbers(claim), numbers(facts)
    if c_nums - s_nums and s_nums - c_nums:
        return "number"
    c_cal, s_cal = calendar(claim), calendar(facts)
    for kind in (set(_MONTHS), set(_WEEKDAYS), None):
        c_part = {x for x in c_cal if (x in kind if kind else x.isdigit())}
        s_part = {x for x in s_cal if (x in kind if kind else x.isdigit())}
        if c_part and s_part and not (c_part & s_part):
            return "date"
    return None


def clause_windows(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Single clauses and pairs of adjacent clauses of the sentence ``body[start:end]``."""
    cuts = [start] + [start + m.end() for m in _CLAUSE_BREAK.finditer(body[start:end])] + [end]
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
    for i, c in enumerate(candidates[:WINDOW_CANDIDATES]):
        body = state.articles[c.article_id].body
        if c.end - c.start >= CLAUSE_MIN_CHARS:
            windows += [(i, s, e) for s, e in clause_windows(body, c.start, c.end)]
        # With the sentence before it: "That agreement did not ..." names its subject there.
        if c.idx > 0:
            prev = state.sentences[c.article_id][c.idx - 1]
            if c.end - prev.start <= CONTEXT_WINDOW_CHARS:
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


def judge(
    state: CorpusState, evidence: Evidence, claim: str, candidate: Candidate, unit: Unit
) -> Stance | None:
    aid, idx = candidate.article_id, candidate.idx
    body = state.articles[aid].body
    sentence = state.sentence_text(aid, idx)
    text = body[unit.start : unit.end]
    terms, weights = list(evidence.question_terms), evidence.term_weights
    own = coverage(state, terms, weights, text)
    ctx = coverage(state, terms, weights, state.context_text(aid, idx))
    cover = max(own, 0.7 * own + 0.3 * ctx)
    dense = unit.dense
    if dense < RELATED_DENSE and cover < ABOUT_COVER:
        return None
    # Meaning and wording both count: paraphrases ("ceased" for "ended") score on the first.
    align = (dense + cover) / 2
    if align >= ABOUT_ALIGN and dense >= ABOUT_DENSE:
        if unit.start < candidate.start:
            # Sentence plus the one before: polarity is the sentence's own, facts are both's.
            why = mismatch(claim, sentence, text)
        else:
            why = mismatch(claim, text, sentence)
        if why and align >= REFUTE_ALIGN and dense >= REFUTE_DENSE:
            return Stance(candidate, "refutes", f"the source differs ({why})", 1.0 + align)
        # A sentence that reports a claim ("Claim: ...", "claims that ...") does not support it.
        # Nor does one that only entertains it ("if Israel killed ...").
        reported = _REPORTED_CLAIM.search(sentence) or (
            _HYPOTHETICAL.search(sentence) and not _HYPOTHETICAL.search(claim)
        )
        if (
            not why
            and not reported
            and align >= SUPPORT_ALIGN
            and dense >= SUPPORT_DENSE
            and cover >= SUPPORT_MIN_COVER
        ):
            context = state.context_text(aid, idx)
            article = state.articles[aid]
            swapped = _swapped_entities(claim, f"{article.title}\n{article.body}")
            if swapped:
                return Stance(candidate, "related", f"names differ ({swapped})", align)
            if not _has_key_term(state, terms, context):
                return Stance(candidate, "related", "its key term is missing", align)
            return Stance(candidate, "supports", "a source states it", align)
    return Stance(candidate, "related", "related", align)


def _swapped_entities(claim: str, context: str) -> str:
    """Names in the claim that the evidence (with its neighbouring sentences) never mentions."""
    names = set(words(" ".join(entities(claim))))
    return ", ".join(sorted(names - set(words(context))))


def _has_key_term(state: CorpusState, terms: list[str], text: str) -> bool:
    """The claim's rarest term (what it is most specifically about) appears in ``text``."""
    if not terms:
        return False
    known = [t for t in terms if state.bm25.knows(t)] or terms
    key = max(known, key=state.bm25.idf_of)
    have = set(content_terms(text))
    return key in have or any(v in have for v in state.bm25.variants(key))


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
            if _CLAIM_STATEMENT.search(state.sentence_text(aid, i))
        ]
        match = max(coverage(state, terms, weights, t) for t in statements)
        if match < STATEMENT_COVER:
            continue
        by_idx = {s.candidate.idx: s for s in stances if s.candidate.article_id == aid}
        for i in range(len(sents)):
            text = state.sentence_text(aid, i)
            if _FALSE_RATING.search(text) and not _CLAIM_STATEMENT.search(text):
                base = by_idx.get(i)
                strength = 1.0 + coverage(state, terms, weights, text)
                cand = (
                    base.candidate
                    if base
                    else Candidate(aid, i, sents[i].start, sents[i].end, 0.0, 0.0, 0.0, 0.0)
                )
                out.append(Stance(cand, "refutes", "a fact-check rates it false", strength))
    return sorted(out, key=lambda s: -s.strength)


def decide(state: CorpusState, evidence: Evidence, claim: str, embedder) -> Verdict:
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
            if len(candidates) >= POOL:
                break
    units = best_units(state, evidence, candidates, embedder)
    stances = [
        s
        for c, u in zip(candidates, units, strict=True)
        if (s := judge(state, evidence, claim, c, u))
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
    if supports and refutes and stories(supports) == stories(refutes):
        # One story both ways: the better-aligned reading of it wins.
        if refutes[0].strength - 1.0 >= supports[0].strength:
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
    """Best first, one quote per sentence and wire story, at most MAX_EVIDENCE."""
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
        if len(out) >= MAX_EVIDENCE:
            break
    return tuple(out)


def _outlets(state: CorpusState, group: list[Stance]) -> str:
    names = []
    for s in group:
        name = state.articles[s.candidate.article_id].outlet or "an unnamed outlet"
        if name not in names:
            names.append(name)
    return " vs ".join(names)


def check(
    state: CorpusState, evidence: Evidence, claim: str, max_chars: int, embedder
) -> ClaimCheck:
    """The verdict on ``claim`` with its evidence quotes, numbered from 1."""
    verdict = decide(state, evidence, claim, embedder)
    quotes = []
    for n, s in enumerate(verdict.stances, 1):
        c = s.candidate
        a = state.articles[c.article_id]
        start, end = c.start, c.end
        if end - start > max_chars:
            start, end = trim_to_clauses(a.body, start, end, evidence, state, max_chars)
        quotes.append(EvidenceQuote(n=n, **state.quote_fields(a.id, start, end), stance=s.stance))
    return ClaimCheck(
        claim=claim, verdict=verdict.verdict, reason=verdict.reason, evidence=tuple(quotes)
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
