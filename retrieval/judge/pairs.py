"""Training pairs for the judge, made by rule from news sentences (FactCC / MiniCheck style).

Claim pairs (``task="nli"``): a sentence against an edited copy of itself. Edits that change
what it says (a number, a date, a name in the same role, a negation added or removed, an
antonym) are contradictions; edits that keep it (a clause dropped, a hedge-free restatement, the
sentence with its neighbour) are entailments; a same-topic sentence of another article, or the
claim with a clause added that the evidence does not hold, is neutral.

Answerability pairs (``task="qa"``): cloze questions made from a sentence (a name or number
replaced by a wh-word) answer against that sentence; with another name swapped in, or against a
same-topic sentence that lacks the answer, they do not.

Everything is deterministic given the ``random.Random`` passed in.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

ENTAIL, CONTRADICT, NEUTRAL = 0, 1, 2
LABELS = ("entails", "contradicts", "neutral")


@dataclass(frozen=True)
class Pair:
    """``a`` is the claim or question, ``b`` the evidence text."""

    task: str  # "nli" or "qa"
    a: str
    b: str
    label: int  # nli: ENTAIL / CONTRADICT / NEUTRAL; qa: 1 answers, 0 does not
    kind: str  # which rule made it (for the report)
    source: str = ""  # the dev set it came from (leave-one-set-out)


_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w,.]?\d)")
_YEAR = re.compile(r"^(19|20)\d\d$")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_CALENDAR = re.compile(r"\b(" + "|".join(_MONTHS + _WEEKDAYS) + r")\b")
# A capitalised word (or run of them) not opening the sentence: a name, in the sense that matters
# for swaps. Months, weekdays and sentence-initial words are left alone.
_NAME = re.compile(r"(?<=[a-z,;:] )([A-Z][a-z]+(?: [A-Z][a-z]+){0,2})\b")
_NOT_NAMES = set(_MONTHS + _WEEKDAYS) | {
    "The", "A", "An", "He", "She", "It", "They", "We", "I", "But", "And", "In", "On", "At",
    "This", "That", "Mr", "Mrs", "Ms", "Dr", "President", "Minister", "Prime",
}  # fmt: skip
_AUX_NEG = re.compile(
    r"\b(is|are|was|were|has|have|had|will|would|can|could|should|did|does|do|must)\b(?! not\b)"
)
_AUX_NOT = re.compile(
    r"\b(is|are|was|were|has|have|had|will|would|can|could|should|did|does|do|must) not\b"
)
_CONTRACTED = re.compile(r"\b(is|are|was|were|has|have|had|does|do|did|could|should|would)n't\b")
# Word pairs whose swap states the opposite. Past tenses are listed: news is written in them.
_ANTONYMS = [
    tuple(p.split("/"))
    for p in (
        "accepted/rejected approved/rejected confirmed/denied admitted/denied allowed/banned "
        "won/lost rose/fell increased/decreased raised/cut supported/opposed agreed/refused "
        "opened/closed acquitted/convicted gained/lost included/excluded succeeded/failed "
        "legal/illegal true/false before/after higher/lower more/fewer larger/smaller "
        "up/down strong/weak strengthened/weakened expanded/shrank hired/fired "
        "increase/decrease rise/fall win/lose accept/reject support/oppose allow/ban "
        "first/last early/late best/worst above/below ahead/behind positive/negative "
        "profit/loss gain/loss boosted/hurt approve/block approved/blocked"
    ).split()
]
_PRONOUNS = {"he": "she", "she": "he", "his": "her", "him": "her", "He": "She", "She": "He"}
_CLAUSE = re.compile(r",\s+(?=(?:which|who|while|as|after|before|when|according|but)\b)")
_HEDGES = (
    "It is not clear whether {s}.",
    "Some reports suggested that {s}.",
    "Is it true that {s}?",
    "Officials would not confirm whether {s}.",
)


def declarative(sentence: str) -> bool:
    """A sentence worth editing: a statement of a useful length, not a question or a heading."""
    s = sentence.strip()
    return (
        40 <= len(s) <= 320
        and s[-1:] in ".\"”'’"
        and not s.endswith("?")
        and len(s.split()) >= 7
        and sum(c.isalpha() for c in s) > 0.6 * len(s)
    )


_COMMON_OPENERS = frozenset("The A An It This That These Those There Its Their His Her".split())


def _lower_first(s: str) -> str:
    """Lower-case an opening function word ("The" -> "the"), never a name."""
    first = s.split(" ", 1)[0]
    return s[0].lower() + s[1:] if first in _COMMON_OPENERS else s


def _open(s: str) -> str:
    """The sentence without its closing punctuation, to embed in another."""
    return _lower_first(s.strip().rstrip(".!?\"”'’ "))


def _sub_at(text: str, m: re.Match[str], new: str, group: int = 0) -> str:
    return text[: m.start(group)] + new + text[m.end(group) :]


def swap_number(s: str, rng: random.Random) -> str | None:
    found = [m for m in _NUMBER.finditer(s) if not _YEAR.match(m.group(1))]
    if not found:
        return None
    m = rng.choice(found)
    raw = m.group(1).replace(",", "")
    value = float(raw)
    factor = rng.choice([0.5, 0.6, 0.75, 1.3, 1.5, 2, 3, 10])
    new = value * factor
    if "." in raw:
        text = f"{new:.{len(raw.split('.')[1])}f}"
    else:
        new_int = int(round(new))
        if new_int == int(value):
            new_int = int(value) + rng.choice([1, 2, 3])
        text = f"{new_int:,}" if "," in m.group(1) else str(new_int)
    return None if text == m.group(1) else _sub_at(s, m, text, 1)


def swap_date(s: str, rng: random.Random) -> str | None:
    found = list(_CALENDAR.finditer(s))
    years = [m for m in _NUMBER.finditer(s) if _YEAR.match(m.group(1))]
    if found and (not years or rng.random() < 0.7):
        m = rng.choice(found)
        pool = _MONTHS if m.group(1) in _MONTHS else _WEEKDAYS
        return _sub_at(s, m, rng.choice([x for x in pool if x != m.group(1)]), 1)
    if years:
        m = rng.choice(years)
        year = int(m.group(1)) + rng.choice([-3, -2, -1, 1, 2])
        return _sub_at(s, m, str(year), 1)
    return None


def names_in(s: str) -> list[str]:
    return [m.group(1) for m in _NAME.finditer(s) if m.group(1).split()[0] not in _NOT_NAMES]


def swap_name(s: str, others: Sequence[str], rng: random.Random) -> str | None:
    """Replace a name with another name from the same article: the same role, someone else."""
    mine = names_in(s)
    choices = [o for o in dict.fromkeys(others) if o not in s and o not in _NOT_NAMES]
    if not mine or not choices:
        return None
    old = rng.choice(mine)
    return s.replace(old, rng.choice(choices), 1)


def negate(s: str, rng: random.Random) -> str | None:
    """Add a negation to the first auxiliary, or remove one that is there."""
    m = _AUX_NOT.search(s) or _CONTRACTED.search(s)
    if m:
        return _sub_at(s, m, m.group(1))
    m = _AUX_NEG.search(s)
    if m:
        return _sub_at(s, m, f"{m.group(1)} not")
    m = re.search(r"\b(said|says|announced|reported|confirmed)\b", s)
    if m:
        return _sub_at(s, m, {"says": "does not say"}.get(m.group(1), f"did not {_base(m[1])}"))
    return None


def _base(past: str) -> str:
    return {"said": "say", "announced": "announce", "reported": "report"}.get(past, "confirm")


def swap_antonym(s: str, rng: random.Random) -> str | None:
    options = []
    for a, b in _ANTONYMS:
        for x, y in ((a, b), (b, a)):
            for m in re.finditer(rf"\b{x}\b", s):
                options.append((m, y))
    if not options:
        return None
    m, y = rng.choice(options)
    return _sub_at(s, m, y)


def swap_pronoun(s: str, rng: random.Random) -> str | None:
    found = list(re.finditer(r"\b(he|she|his|him|He|She)\b", s))
    if not found:
        return None
    m = rng.choice(found)
    return _sub_at(s, m, _PRONOUNS[m.group(1)])


def drop_clause(s: str) -> str | None:
    """The sentence without a trailing subordinate clause: still entailed by the whole."""
    m = _CLAUSE.search(s)
    if not m or m.start() < 30:
        return None
    head = s[: m.start()].rstrip(" ,")
    return head + "." if len(head.split()) >= 6 else None


def add_clause(s: str, other: str) -> str | None:
    """The sentence with a clause from another sentence: more than the evidence says."""
    tail = other.strip().rstrip(".")
    if len(tail.split()) < 5 or not s.endswith("."):
        return None
    return f"{s[:-1]}, and {_lower_first(tail)}."


CONTRADICTIONS = ("number", "date", "name", "negation", "antonym", "pronoun")


def edit(s: str, kind: str, names: Sequence[str], rng: random.Random) -> str | None:
    if kind == "number":
        return swap_number(s, rng)
    if kind == "date":
        return swap_date(s, rng)
    if kind == "name":
        return swap_name(s, names, rng)
    if kind == "negation":
        return negate(s, rng)
    if kind == "antonym":
        return swap_antonym(s, rng)
    if kind == "pronoun":
        return swap_pronoun(s, rng)
    raise ValueError(kind)


def nli_pairs(
    article_sentences: Sequence[Sequence[str]],
    rng: random.Random,
    per_article: int = 6,
    source: str = "",
) -> Iterator[Pair]:
    """Claim pairs from the sentences of each article (one list of sentences per article)."""
    all_sents = [(i, s) for i, sents in enumerate(article_sentences) for s in sents]
    for i, sents in enumerate(article_sentences):
        usable = [j for j, s in enumerate(sents) if declarative(s)]
        if not usable:
            continue
        names = [n for s in sents for n in names_in(s)]
        for j in rng.sample(usable, min(per_article, len(usable))):
            s = sents[j]
            # Contradictions, both ways round: the evidence may hold the edit or the original.
            kinds = list(CONTRADICTIONS)
            rng.shuffle(kinds)
            made = 0
            for kind in kinds:
                edited = edit(s, kind, names, rng) if made < 3 else None
                if edited and edited != s:
                    made += 1
                    a, b = (edited, s) if rng.random() < 0.75 else (s, edited)
                    yield Pair("nli", a, b, CONTRADICT, kind, source)
            # Entailments.
            dropped = drop_clause(s)
            if dropped:
                yield Pair("nli", dropped, s, ENTAIL, "clause-dropped", source)
            if j > 0 and rng.random() < 0.5:
                yield Pair("nli", s, f"{sents[j - 1]} {s}", ENTAIL, "with-context", source)
            elif rng.random() < 0.3:
                yield Pair("nli", s, s, ENTAIL, "identity", source)
            # Neutral: related but silent on the claim.
            others = [k for k in usable if k != j]
            if others:
                other = sents[rng.choice(others)]
                yield Pair("nli", s, other, NEUTRAL, "same-article", source)
                more = add_clause(s, other)
                if more and rng.random() < 0.6:
                    yield Pair("nli", more, s, NEUTRAL, "claim-adds", source)
            if rng.random() < 0.35:
                yield Pair(
                    "nli", s, rng.choice(_HEDGES).format(s=_open(s)), NEUTRAL, "hedged",
                    source,
                )  # fmt: skip
            k, far = rng.choice(all_sents)
            if k != i:
                yield Pair("nli", s, far, NEUTRAL, "other-article", source)


def paraphrase_pairs(
    article_sentences: Sequence[Sequence[str]],
    rng: random.Random,
    limit: int = 2000,
    source: str = "",
) -> Iterator[Pair]:
    """Natural restatements: sentences of *different* articles (wire copies, rewrites) that
    share most of their content terms, the same numbers and the same names, in other words.

    The shorter is the claim, the longer the evidence: entailed. A name or number swapped in the
    claim turns the same pair into a contradiction, so what decides is the fact, not the wording.
    """
    from ..signals import numbers
    from ..text import content_terms

    rows = []
    for i, sents in enumerate(article_sentences):
        for s in sents:
            if declarative(s):
                rows.append((i, s, frozenset(content_terms(s))))
    df: dict[str, int] = {}
    for _, _, terms in rows:
        for t in terms:
            df[t] = df.get(t, 0) + 1
    # Candidates meet on their rarest terms: an inverted index over the two rarest of each.
    index: dict[str, list[int]] = {}
    for k, (_, _, terms) in enumerate(rows):
        for t in sorted(terms, key=lambda t: (df[t], t))[:2]:
            index.setdefault(t, []).append(k)
    seen: set[tuple[int, int]] = set()
    found = []
    for k, (i, s, terms) in enumerate(rows):
        for t in sorted(terms, key=lambda t: (df[t], t))[:2]:
            for m in index.get(t, ()):
                j, other, other_terms = rows[m]
                if j == i or (min(k, m), max(k, m)) in seen or s == other:
                    continue
                seen.add((min(k, m), max(k, m)))
                short, long_, st, lt = (
                    (s, other, terms, other_terms)
                    if len(terms) <= len(other_terms)
                    else (other, s, other_terms, terms)
                )
                share = len(st & lt) / max(len(st), 1)
                jaccard = len(st & lt) / max(len(st | lt), 1)
                if len(st) < 6 or not 0.6 <= share < 0.95 or jaccard < 0.35:
                    continue
                if numbers(short) - numbers(long_):
                    continue
                if set(names_in(short)) - set(names_in(long_)):
                    continue
                found.append((short, long_))
    rng.shuffle(found)
    for short, long_ in found[:limit]:
        yield Pair("nli", short, long_, ENTAIL, "paraphrase", source)
        for kind in ("name", "number"):
            edited = edit(short, kind, names_in(long_) + names_in(short), rng)
            if edited and edited != short and rng.random() < 0.5:
                yield Pair("nli", edited, long_, CONTRADICT, f"paraphrase-{kind}", source)


_WH_FOR_NUMBER = ("How many", "What number of")


def cloze_question(s: str, rng: random.Random) -> tuple[str, str] | None:
    """A question the sentence answers, and the answer span it removed."""
    nums = [m for m in _NUMBER.finditer(s) if not _YEAR.match(m.group(1))]
    names = [m for m in _NAME.finditer(s) if m.group(1).split()[0] not in _NOT_NAMES]
    if nums and (not names or rng.random() < 0.4):
        m = rng.choice(nums)
        rest = s[m.end() :].strip().rstrip(".")
        head = s[: m.start()].strip()
        if len(rest.split()) < 2:
            return None
        q = f"{rng.choice(_WH_FOR_NUMBER)} {rest}, given that {_lower_first(head)}?"
        if not head:
            q = f"{rng.choice(_WH_FOR_NUMBER)} {rest}?"
        return q, m.group(1)
    if names:
        m = rng.choice(names)
        q = (s[: m.start()] + "whom" + s[m.end() :]).strip().rstrip(".") + "?"
        if m.start() < 3:
            q = "Who" + s[m.end() :].rstrip(".") + "?"
        return q, m.group(1)
    return None


def qa_pairs(
    article_sentences: Sequence[Sequence[str]],
    rng: random.Random,
    per_article: int = 3,
    source: str = "",
) -> Iterator[Pair]:
    all_sents = [(i, s) for i, sents in enumerate(article_sentences) for s in sents]
    for i, sents in enumerate(article_sentences):
        usable = [j for j, s in enumerate(sents) if declarative(s)]
        names = [n for s in sents for n in names_in(s)]
        for j in rng.sample(usable, min(per_article, len(usable))):
            s = sents[j]
            made = cloze_question(s, rng)
            if not made:
                continue
            q, answer = made
            yield Pair("qa", q, s, 1, "cloze", source)
            swapped = swap_name(q, names, rng)
            if swapped and swapped != q:
                yield Pair("qa", swapped, s, 0, "cloze-swapped", source)
            lacking = [sents[k] for k in usable if k != j and answer not in sents[k]]
            if lacking:
                yield Pair("qa", q, rng.choice(lacking), 0, "cloze-same-article", source)
            k, far = rng.choice(all_sents)
            if k != i:
                yield Pair("qa", q, far, 0, "cloze-other-article", source)
