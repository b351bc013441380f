"""Text signals that compare a claim (or question) with evidence: negation, opposites, numbers,
dates and names. The judge takes them as inputs; the verifier words its reasons from them."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from .dates import MONTH_NAMES, month_number
from .text import (
    ABBREVIATIONS,
    COUNTRIES,
    METONYMS,
    STOPWORDS,
    edit_distance,
    normalize,
    phonetic_key,
    stem,
    terms_of_words,
    words,
)

NEGATIONS = frozenset("not no never without none neither nor nobody nothing".split())
FALSE_RATING = re.compile(
    r"\b(false|inaccurate|unfounded|misleading|fabricated|baseless|debunked|not true|"
    r"no evidence|unsupported|incorrect|fake|hoax|there (is|was) no)\b",
    re.I,
)
TRUE_RATING = re.compile(r"\brating:\s*(true|correct|accurate)\b", re.I)
REPORTED_CLAIM = re.compile(
    r"^\s*claim\s*:|\b(claims?|claimed|claiming) that\b|\ballegedly\b|\brumou?rs? that\b", re.I
)
HYPOTHETICAL = re.compile(r"\b(if|whether|unless|in case|possibility|hypothetical(ly)?)\b", re.I)
CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+[\u2014\u2013-]\s+|\s+(?=(?:but|while|whereas|and that)\s)")
# Stems of words whose swap turns a statement into its opposite ("accepted" / "rejected").
ANTONYMS = tuple(
    tuple(stem(w) for w in pair.split("/"))
    for pair in (
        "accept/reject approve/reject confirm/deny admit/deny allow/ban allow/forbid "
        "win/lose won/lost rise/fall increase/decrease raise/cut support/oppose agree/refuse "
        "open/close acquit/convict arrive/depart gain/lose include/exclude succeed/fail "
        "legal/illegal true/false before/after"
    ).split()
) + tuple(
    # Any word of a trend going up against any going down: "fell 2%" / "came in 2% higher".
    (stem(up), stem(down))
    for up in "rise increase grow higher climb jump surge soar".split()
    for down in "fall decrease decline drop lower shrink slump plunge".split()
    if (up, down) not in (("rise", "fall"), ("increase", "decrease"))
)
CLAIM_STATEMENT = re.compile(r"^\s*claim\s*:", re.I)
FACT_CHECK_TITLE = re.compile(r"\bfact[- ]?check", re.I)
# A number and its scale: a word ("6.1 million", "15 per cent") or, written on, an abbreviation
# ("$1.2bn", "£50m": "m" and "k" only after a currency sign, else "5m" is five metres).
_SCALED = r"(?:\s*(%|per ?cent\b|million\b|billion\b|trillion\b|thousand\b)|(bn|mn|tn|m|k)\b)?"
# A number written on to a capitalised name with a hyphen is part of the name, not a count:
# "COVID-19", "SARS-CoV-2", "Pac-12", "F-16" ("top-10" is still a number). Such a name is
# compared as a name, digits and all.
_IDENTIFIER = re.compile(r"\b[A-Z][A-Za-z]*(?:-[A-Za-z]+)*-\d+[A-Za-z]*\b")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)" + _SCALED, re.I)
_UNIT_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_NUMBER_WORDS = (
    {w: i for i, w in enumerate(_UNIT_WORDS, 1)}
    | {w: 10 * i for i, w in enumerate(_TENS_WORDS, 2)}
    | {"hundred": 100, "dozen": 12}
)
_SCALE = {
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "bn": 1e9,
    "tn": 1e12,
}
_CURRENCY = "$£€¥"


def _scale_of(m: re.Match[str], text: str) -> str:
    """The scale a match of ``_SCALED`` (groups 2 and 3) carries, lower-cased, "" for none and
    "%" for "percent" or "per cent"."""
    word, short = m.group(2), m.group(3)
    if word:
        word = word.lower().replace(" ", "")
        return "%" if word == "percent" else word
    if short:
        short = short.lower()
        if short in ("m", "k") and not (m.start() and text[m.start() - 1] in _CURRENCY):
            return ""
        return short
    return ""


def _quantity(raw: str, scale: str) -> float | None:
    """The value of a written number ("1,200", "6.1") with its scale; None for a year."""
    raw = raw.replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return None
    if re.fullmatch(r"(19|20)\d\d", raw) and not scale:
        return None
    return value * _SCALE.get(scale, 1)


_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
# A name: capitalised words with a small letter in each ("McAllen", "DeSantis", "United States";
# not "NBA"), one run per name.
_NAME_WORD = r"[A-Z](?=[\w'\u2019-]*[a-z])[\w'\u2019-]*"
_ENTITY = re.compile(rf"(?<!['\u2019])\b{_NAME_WORD}(?:\s+{_NAME_WORD})*")
# Characters before a name that tell whether it opens a sentence (the word before a full stop
# included: "Mr." does not end one).
_OPENING_REACH = 64
_SENTENCE_OPENING = re.compile(r"(?:^|(\w*)[.!?][\"'\u201d\u2019)]*\s+)$")


# Verbs that say "not" on their own: "failed to get it right" is "did not get it right", "he
# denied taking it" is "he said he did not take it".
_NEGATING_BEFORE_TO = frozenset(
    "fail fails failed failing refuse refuses refused refusing decline declines declined".split()
)
_NEGATING = frozenset("unable lack lacks lacked lacking deny denies denied denying".split())


def _negates(tokens: list[str], i: int) -> bool:
    """Whether ``tokens[i]`` says "not": a negation word, or a verb that negates ("failed to",
    "refused to", "unable", "lacks"). "No." before a number ("the No. 1 seed") does not."""
    t = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if t in NEGATIONS:
        return not (t == "no" and nxt[:1].isdigit())
    return t in _NEGATING or (t in _NEGATING_BEFORE_TO and nxt == "to")


def negated(tokens: list[str]) -> bool:
    # Presence, not parity: "no basis and no justification" is one negative statement.
    return any(_negates(tokens, i) for i in range(len(tokens)))


# A day of the month: "July 4", "July 4th", "4 July", "the 4th of July". It is a date, which
# ``calendar`` compares, not a quantity.
_MONTH_DAY = re.compile(
    rf"\b(?P<m1>{MONTH_NAMES})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b(?![.,]?\d)|"
    rf"\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTH_NAMES})\b",
    re.I,
)


def month_days(text: str) -> tuple[set[str], list[tuple[int, int]]]:
    """The days of the month ``text`` names ("july 4") and where their day numbers stand."""
    found, spans = set(), []
    for m in _MONTH_DAY.finditer(text):
        month, day = ("m1", "d1") if m["m1"] else ("m2", "d2")
        if 1 <= int(m[day]) <= 31:
            found.add(f"{_MONTHS[month_number(m[month]) - 1]} {int(m[day])}")
            spans.append(m.span(day))
    return found, spans


def _identifier_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _IDENTIFIER.finditer(text)]


# A year before 1900 reads as one where a year is written: after a month ("Jan. 1, 1863",
# "July 1776"), after a word that introduces a time ("in 1803", "since 1865"), or opening a
# line of a timeline ("1803: The Louisiana Purchase ..."). Elsewhere "1500" may count troops.
_OLD_YEAR = re.compile(
    rf"(?:\b(?:{MONTH_NAMES})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?\s+"
    r"|\b(?:in|since|until|till|from|before|after|circa)\s+)"
    r"(1[0-8]\d\d)\b(?![,.]\d)"
    r"|^\s*(1[0-8]\d\d)(?=\s*[:\u2013\u2014-])",
    re.I | re.M,
)


def _old_years(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Years before 1900 where ``text`` writes them as years (see ``_OLD_YEAR``), with where
    each stands."""
    out = []
    for m in _OLD_YEAR.finditer(text):
        group = 1 if m.group(1) else 2
        out.append((m.group(group), m.span(group)))
        # ... and the year that closes a span it opens ("from 1861 to 1865")
        if end := _YEAR_SPAN_END.match(text, m.end(group)):
            out.append((end.group(1), end.span(1)))
    return out


_YEAR_SPAN_END = re.compile(
    r"\s*(?:[-\u2013\u2014/]|\s(?:to|and|until|through|till)\s)\s*(1[0-8]\d\d)\b"
)


def _not_counts(text: str) -> list[tuple[int, int]]:
    """Where ``text`` writes digits that count nothing: days of the month, years before 1900
    written as years, and names with numbers ("COVID-19")."""
    return month_days(text)[1] + _identifier_spans(text) + [at for _, at in _old_years(text)]


def numbers(text: str) -> set[float]:
    """Quantities in ``text`` (years and days of the month excluded), scaled: "6.1 million" ->
    6100000."""
    return {value for _, value in _numbers_at(text)}


def _numbers_at(text: str) -> list[tuple[int, float]]:
    """Where each quantity of ``text`` starts, with its value (see ``numbers``)."""
    out = []
    skipped = _not_counts(text)
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in skipped):
            continue
        value = _quantity(m.group(1), _scale_of(m, text))
        if value is not None:
            out.append((m.start(), value))
    for m in _WORD_RUN.finditer(text):
        if (value := spelled_number(m.group(0))) is not None:
            out.append((m.start(), value))
    return out


# How far back, in words of its clause, the word that governs a number stands ("killed seven").
_GOVERNOR_REACH = 3


def governors(text: str) -> dict[float, set[str]]:
    """Each number of ``text`` -> the content words right before it in its clause, stemmed:
    "a gunman killed seven" -> {7: {"gunman", "kill"}}. A number that counts nothing named is
    compared only with one said of the same thing."""
    out: dict[float, set[str]] = {}
    for start, value in _numbers_at(text):
        clause = _CLAUSE_END.split(text[:start])[-1]
        before = words(clause)[-_GOVERNOR_REACH:]
        out.setdefault(value, set()).update(terms_of_words(before))
    return out


def _counted_in_clause(value: float, unit: str, text: str) -> bool:
    """Whether ``text`` gives ``value`` with ``unit`` (a stem) later in its clause: "870 people
    worldwide have been infected" counts 870 infections, though "people" follows it. ("Two
    days after ... three sites" does not count three days.)"""
    for start, found in _numbers_at(text):
        if found == value:
            after = _CLAUSE_END.split(text[start:], maxsplit=1)[0]
            if unit in {stem(w) for w in words(after)}:
                return True
    return False


def spelled_number(run: str) -> float | None:
    """The value of a number in words ("Seventy", "twenty-five", "two hundred and five", "three
    million"); None for "one" alone, which is as often a pronoun ("the one to plan it")."""
    tokens = [t for t in words(run) if t != "and"]
    if tokens == ["one"]:
        return None
    total = current = 0.0
    for t in tokens:
        if t in _SCALE:
            total += max(current, 1) * _SCALE[t]
            current = 0
        elif t in ("hundred", "dozen"):
            current = max(current, 1) * _NUMBER_WORDS[t]
        else:
            current += _NUMBER_WORDS[t]
    return total + current


_NUMBER_WORD = r"(?:" + "|".join(_NUMBER_WORDS) + r")\b"
# A number in words: "seventy", "twenty-five", "two hundred and five", "three million".
_SPELLED = (
    rf"\b{_NUMBER_WORD}(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}|"
    r"(?:thousand|million|billion|trillion)\b))*"
)
_WORD_RUN = re.compile(_SPELLED, re.I)
# A number, its scale, and the (up to three) words after it, which stop at the next number.
_QUANTITY = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)*|"
    + _SPELLED
    + ")"
    + _SCALED
    + r"[\s-]*((?:(?!"
    + _NUMBER_WORD
    + r")[A-Za-z][\w'-]*[\s,]*){0,3})",
    re.I,
)
_UNITS_PER_NUMBER = 2
_CURRENCY = frozenset("$\u00a3\u20ac\u00a5")


def quantities(text: str) -> dict[str, set[float]]:
    """What each number counts: the content words right after it ("two days after" -> day),
    mapped to the values given for them. "Three days after" against "two days after ... three
    main sites" differs on days, which a bag of numbers would miss."""
    out: dict[str, set[float]] = {}
    skipped = _not_counts(text)
    for m in _QUANTITY.finditer(text):
        if any(a <= m.start() < b for a, b in skipped):
            continue
        raw, scale, after = m.group(1).lower(), _scale_of(m, text), m.group(4)
        if raw[:1].isalpha():
            if (spelled := spelled_number(raw)) is None:
                continue
            value = spelled * _SCALE.get(scale, 1)
        elif (value := _quantity(raw, scale)) is None:
            continue
        # The words right after the number, up to the first function word: "seven in a pool
        # house" counts nothing named, "three main nuclear sites" counts sites.
        units = []
        for w in words(after):
            if w in STOPWORDS or w in _NUMBER_WORDS:
                break
            units.append(stem(w))
        if scale == "%":
            units.insert(0, "percent")
        if text[max(0, m.start() - 2) : m.start()].strip()[-1:] in _CURRENCY:
            units.insert(0, "money")  # "$3.99 for a drink" counts money
        for unit in units[:_UNITS_PER_NUMBER]:
            out.setdefault(unit, set()).add(value)
    return out


_YEAR_SPAN = re.compile(
    r"\b((?:19|20)\d\d)\s*(?:[-\u2013\u2014/]|\s(?:to|and|until|through|till)\s)\s*((?:19|20)?\d\d)\b"
)
_MONTH_SPAN = re.compile(
    r"\b("
    + "|".join(_MONTHS)
    + r")\s*(?:[-\u2013\u2014]|\s(?:to|and|until|through|till)\s)\s*("
    + "|".join(_MONTHS)
    + r")\b",
    re.I,
)


def calendar(text: str) -> set[str]:
    """Months, weekdays and years named in ``text``; a span names every one it covers ("from
    2019 to 2021" names 2020, "between March and June" names April)."""
    toks = set(words(text))
    found = {t for t in toks if t in _MONTHS or t in _WEEKDAYS} | month_days(text)[0]
    found |= set(re.findall(r"\b(?:19|20)\d\d\b", text)) | {y for y, _ in _old_years(text)}
    for m in _YEAR_SPAN.finditer(text):
        first, last = int(m.group(1)), m.group(2)
        end = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
        if 0 < end - first <= 50:
            found |= {str(y) for y in range(first, end + 1)}
    for m in _MONTH_SPAN.finditer(text):
        a, b = _MONTHS.index(m.group(1).lower()), _MONTHS.index(m.group(2).lower())
        found |= {_MONTHS[(a + i) % 12] for i in range((b - a) % 12 + 1)}
    return found


def entities(text: str) -> set[str]:
    """The words of capitalised names, as ``words`` folds them ("United States" -> "us", so it
    agrees with "U.S."). A word opening a sentence is a name only if it is no common word:
    "Peskov said ..." names Peskov, "Officials said ..." and "Trump said ..." name no one (a
    trump is a card; ``article_names`` knows Trump from the rest of an article)."""
    out: set[str] = set()
    for run, opens in _capitalised_runs(text):
        if opens:
            first, _, rest = run.partition(" ")
            if any(w in STOPWORDS or common_word(w) for w in words(first)):
                run = rest
        out.update(words(run))
    return out - set(_MONTHS) - set(_WEEKDAYS)


def _capitalised_runs(text: str) -> list[tuple[str, bool]]:
    """Each run of capitalised words in ``text``, and whether it opens a sentence (not after
    an abbreviation: "Mr. Smith")."""
    out = []
    text = unicodedata.normalize("NFC", text)  # "Ma\u0301s" is one word, "Más"
    for m in _ENTITY.finditer(text):
        # Only the text right before the run decides (a whole article's prefix would make
        # this quadratic in its length).
        opening = _SENTENCE_OPENING.search(text[max(0, m.start() - _OPENING_REACH) : m.start()])
        before = (opening.group(1) or "") if opening else ""
        out.append(
            (
                m.group(0),
                bool(opening) and not (before.lower() in ABBREVIATIONS or len(before) == 1),
            )
        )
    return out


@lru_cache(maxsize=64)
def article_names(article: str) -> frozenset[str]:
    """The names of an article (cached: one article is read for many claims). A word opening
    a sentence of it is a name where the article writes it as one elsewhere ("Trump said ..."
    after "... said Donald Trump")."""
    return frozenset(entities(article))


def common_word(word: str) -> bool:
    """Whether WordNet writes ``word`` (any inflection of it) in lower case: "officials",
    "trump", "apple" are common words; "Peskov", "Samsung" are not. WordNet holds nouns,
    verbs, adjectives and adverbs only, so the closed classes ("since", "although",
    "everyone") are listed here."""
    return word in _FUNCTION_WORDS or stem(word) in _common_stems()


# English function words: prepositions, conjunctions, pronouns, determiners, interjections.
_FUNCTION_WORDS = frozenset(
    """about above across after against ahead along alongside amid amidst among amongst around
    as at because before behind below beneath beside besides between beyond both but by despite
    down during each either every except for from if in inside into like near neither nor of
    off on onto opposite out outside over past per since than though through throughout till to
    toward towards under underneath unless unlike until up upon via whereas whether while
    whilst with within without although lest once whenever wherever whoever whomever whatever
    whichever whose whom however anyone anybody anything everyone everybody everything someone
    somebody something noone nobody nothing none another others ours yours theirs mine hers
    oneself itself himself herself themselves ourselves yourself yourselves myself this that
    these those such several few many much most some any all oh ah hey wow yes thanks please
    yet thus hence therefore moreover furthermore meanwhile nevertheless nonetheless otherwise
    instead also still already even just only rather quite""".split()
)


@lru_cache(maxsize=1)
def _common_stems() -> frozenset[str]:
    return frozenset(_word_list("common_words.txt"))


def _word_list(name: str) -> list[str]:
    """The lines of a word list beside this module (made by bench/build_lexicon.py), without
    its comments (WordNet's licence notice)."""
    text = Path(__file__).with_name(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z]{2,}s?\b")
# A name swapped in takes the place of at most this many words of the source's.
_SLOT_WORDS = 4


def _names(text: str) -> set[str]:
    """Names and acronyms ("UFO", "U.S.") of ``text``, folded as ``words`` folds them."""
    acronyms = {w for m in _ACRONYM.finditer(text) for w in words(m.group(0))}
    acronyms.update(w for m in _IDENTIFIER.finditer(text) for w in words(m.group(0)))
    return entities(text) | (acronyms - STOPWORDS)


_TITLE_RUN = re.compile(r"[A-Z][\w'\u2019-]*(?:\s+(?:(?:of|and|for|the|&)\s+)*[A-Z][\w'\u2019-]*)*")


def _initials(text: str) -> set[str]:
    """The acronyms the capitalised runs of ``text`` spell: "Food and Drug Administration" ->
    "fda", "European Commission" -> "ec" (any run of its capitalised words)."""
    out: set[str] = set()
    for m in _TITLE_RUN.finditer(text):
        caps = [w[0].lower() for w in m.group(0).split() if w[0].isupper()]
        out.update(
            "".join(caps[i:j]) for i in range(len(caps)) for j in range(i + 2, len(caps) + 1)
        )
    return out


def unmentioned_names(claim: str, context: str) -> set[str]:
    """Names and acronyms of the claim that ``context`` does not mention, as a name or spelled
    out ("FDA" is met by "Food and Drug Administration"); a country is met by its capital
    ("U.K. activists" by "activists in London"), not the other way round."""
    return _names(claim) - _mentions(context)


@lru_cache(maxsize=64)
def _mentions(context: str) -> frozenset[str]:
    """Everything that meets a name in ``context``: its words, the countries of its capitals,
    the acronyms of its capitalised runs (cached: one article is read for many claims)."""
    said = set(words(context))
    return frozenset(said | {METONYMS[w] for w in said if w in METONYMS} | _initials(context))


def _country(name: str) -> str | None:
    """The country a name is, or a capital speaking for it ("moscow" -> "russia")."""
    return METONYMS.get(name) or (name if name in COUNTRIES else None)


def swapped_names(
    claim: str, source: str, article: str, openings: bool = False
) -> list[tuple[str, str]]:
    """A name of the claim that ``article`` never mentions, standing where ``source`` has
    another name the claim lacks: "start-up UFO Media" against "start-up Ozy Media", "the
    U.S.'s invasion" against "Russia's invasion". (claim's name, source's name) per slot.

    Only a swap in the same slot counts, with words both sides agree on around it (or, at the
    end of both, before it): a name the claim merely adds says nothing against the source. A
    country against a person or company ("Putin's invasion" / "Russia's invasion") may be the
    same actor, so it is no swap. With ``openings``, any capitalised word opening a sentence
    of the claim may be a name, common word or not ("Trump said ..." against "Ryabkov said
    ..."): enough to withhold a support, too loose for a contradiction.
    """
    s_names = _names(source) | (set(words(source)) & article_names(article))
    c_names, c_set = unmentioned_names(claim, article), set(words(claim))
    if openings:
        c_names = c_names | (_opening_words(claim) - _mentions(article))
    for form in (source, *active_forms(source)):
        for slots in _slots(claim, form):
            swaps: list[tuple[str, str]] = []
            for mine, other in slots:
                ours = [t for t in mine if t in c_names]
                theirs = [t for t in other if t in s_names and t not in c_set]
                if any(_other_name(x, y) for x in ours for y in theirs):
                    ours_written = " ".join(_surface(t, claim) for t in ours)
                    swaps.append((ours_written, " ".join(_surface(t, source) for t in theirs)))
            if swaps:
                return swaps
    return []


def _opening_words(text: str) -> set[str]:
    """The capitalised words that open the sentences of ``text``, function words aside."""
    return {
        w
        for run, opens in _capitalised_runs(text)
        if opens
        for w in words(run.partition(" ")[0])
        if w not in STOPWORDS and w not in _FUNCTION_WORDS
    }


# "Beats, which was acquired by Apple" / "Beats was acquired by Apple": a name done something
# to by another name.
_NAME_RUN = r"[A-Z][\w'\u2019&.-]*(?:\s+[A-Z][\w'\u2019&.-]*){0,3}"
_PASSIVE = re.compile(
    rf"(?P<obj>{_NAME_RUN}),?\s+(?:(?:which|who)\s+)?"
    r"(?:was|were|is|are|has been|had been|have been|will be)\s+"
    rf"(?P<verb>[a-z]+)\s+by\s+(?P<subj>{_NAME_RUN})"
)


def active_forms(text: str) -> list[str]:
    """``text`` with each passive between two names put in the active voice: "Beats, which was
    acquired by Apple in 2014, unveiled ..." -> "Apple acquired Beats in 2014, unveiled ...",
    so that "Samsung acquired Beats" lines up with it word for word."""
    return [
        f"{text[: m.start()]}{m['subj']} {m['verb']} {m['obj']}{text[m.end() :]}"
        for m in _PASSIVE.finditer(text)
    ]


def _slots(claim: str, source: str):
    """Per clause of the claim (the whole claim first): the stretches of words it has where
    ``source`` has others, in the same slot: between two stretches both share, one of them with
    content, or at the start or end of both next to one that has content."""
    s_tokens = words(source)
    for clause in [claim, *_CLAUSE_END.split(claim)]:
        c_tokens = words(clause)
        blocks = difflib.SequenceMatcher(None, c_tokens, s_tokens, autojunk=False).get_opcodes()
        slots: list[tuple[list[str], list[str]]] = []
        for k, (op, i1, i2, j1, j2) in enumerate(blocks):
            if op != "replace" or max(i2 - i1, j2 - j1) > _SLOT_WORDS:
                continue
            left = _anchor(blocks[k - 1], c_tokens) if k else -1
            right = _anchor(blocks[k + 1], c_tokens) if k + 1 < len(blocks) else -1
            at_end = i2 == len(c_tokens) and j2 == len(s_tokens)
            at_start = i1 == 0 and j1 == 0
            if (
                (min(left, right) >= 0 and max(left, right) > 0)
                or (left >= _ANCHOR_TERMS and at_end)
                or (right >= _ANCHOR_TERMS and at_start)
            ):
                slots.append((c_tokens[i1:i2], s_tokens[j1:j2]))
        yield slots


def swapped_opposites(claim: str, source: str) -> list[tuple[str, str]]:
    """A word of the claim standing where ``source`` has its antonym (WordNet's, see
    ``antonym_pairs``): "will exclude dairy" against "will include dairy". (claim's word,
    source's word) per slot. A "not" on either side may undo the opposite, so none is read
    then; nor when the claim also has the source's word, or the source the claim's."""
    c_set, s_set = set(words(claim)), set(words(source))
    if NEGATIONS & (c_set | s_set):
        return []
    pairs = antonym_pairs()
    return _slot_pairs(
        claim,
        source,
        lambda x, y: (
            x not in s_set
            and y not in c_set
            and frozenset((stem(x), stem(y))) in pairs
            and not (_undone(stem(x), claim) or _undone(stem(y), source))
        ),
    )


def _slot_pairs(claim: str, source: str, opposed) -> list[tuple[str, str]]:
    """(claim's word, source's word) pairs standing in one slot (``_slots``) for which
    ``opposed`` holds, from the first clause of the claim that has any."""
    for slots in _slots(claim, source):
        found = [(x, y) for mine, other in slots for x in mine for y in other if opposed(x, y)]
        if found:
            return found
    return []


@lru_cache(maxsize=1)
def antonym_pairs() -> frozenset[frozenset[str]]:
    """WordNet 3.0's antonyms (``retrieval/antonyms.txt``, made by bench/build_lexicon.py) and
    the opposites above, as pairs of stems."""
    pairs = {frozenset(pair) for pair in ANTONYMS}
    for line in _word_list("antonyms.txt"):
        a, b = (stem(w) for w in line.split())
        if a != b and min(len(a), len(b)) >= _ANTONYM_MIN_CHARS:
            pairs.add(frozenset((a, b)))
    return frozenset(pairs)


# Stems this short are too ambiguous to oppose ("up", "in").
_ANTONYM_MIN_CHARS = 3


def swapped_kinds(claim: str, source: str, negated: bool = False) -> list[tuple[str, str]]:
    """A noun of the claim standing where ``source`` has another kind of the same thing
    (WordNet's first senses share a direct hypernym, see ``noun_kinds``): "pleaded guilty to
    murder" against "pleaded guilty to manslaughter", "fell from a beach" against "fell from a
    cliff". (claim's word, source's word) per slot; names never count (they are
    ``swapped_names``'). Under a "not" another kind is no opposite ("was not a threat to
    animals" may hold beside "was not a threat to humans"), so none is read there unless
    ``negated``: then the claim is still not what the source says."""
    c_set, s_set = set(words(claim)), set(words(source))
    if not negated and NEGATIONS & (c_set | s_set):
        return []
    c_stems, s_stems = {stem(w) for w in c_set}, {stem(w) for w in s_set}
    lemmas = noun_kinds()[0]

    # Nouns one side has and the other lacks; most pairs have none, and need no alignment.
    def nouns_only(ws: set[str], other_stems: set[str]) -> set[str]:
        return {
            w
            for w in ws
            if _kind_word(w) and stem(w) not in other_stems and _noun_lemma(w) in lemmas
        }

    mine_only, theirs_only = nouns_only(c_set, s_stems), nouns_only(s_set, c_stems)
    if not (mine_only and theirs_only):
        return []
    named = {w.lower() for name in entities(claim) | entities(source) for w in name.split()}
    mine_only -= named
    theirs_only -= named
    return _slot_pairs(
        claim,
        source,
        lambda x, y: x in mine_only and y in theirs_only and _other_kind(x, y),
    )


def _kind_word(word: str) -> bool:
    """A word that may name a kind of thing: "as" and "is" are nouns to WordNet too (arsenic,
    the Islamic State), but not here."""
    return word.isalpha() and len(word) > 2 and word not in STOPWORDS


def _other_kind(x: str, y: str) -> bool:
    lemmas, up = noun_kinds()
    a, b = lemmas.get(_noun_lemma(x)), lemmas.get(_noun_lemma(y))
    if a is None or b is None or a == b or synonyms(stem(x), stem(y)):
        return False
    # One a kind of the other ("lesbian" for "gay") is more or less specific, not other.
    if a in _ancestors(b, up) or b in _ancestors(a, up):
        return False
    return bool(set(up[a]) & set(up[b]))


# How far up WordNet's noun hierarchy "a kind of" is followed.
_KIND_LEVELS = 4


def _ancestors(sense: int, up: dict[int, tuple[int, ...]]) -> set[int]:
    out, frontier = set(), {sense}
    for _ in range(_KIND_LEVELS):
        frontier = {h for s in frontier for h in up.get(s, ())}
        out |= frontier
    return out


def _noun_lemma(word: str) -> str:
    """The dictionary form of a plural noun ("beaches" -> "beach", "cities" -> "city")."""
    lemmas = noun_kinds()[0]
    for form in (word, word[:-3] + "y" if word.endswith("ies") else "", word[:-2], word[:-1]):
        if form in lemmas and (form == word or word.endswith("s")):
            return form
    return word


@lru_cache(maxsize=1)
def noun_kinds() -> tuple[dict[str, int], dict[int, tuple[int, ...]]]:
    """WordNet 3.0's nouns (``retrieval/noun_kinds.txt``, made by bench/build_lexicon.py): each
    noun's most frequent sense, and each sense's direct hypernyms."""
    lemmas, up = {}, {}
    for line in _word_list("noun_kinds.txt"):
        key, value = line.split()
        if key.isdigit():
            up[int(key)] = tuple(map(int, value.split(",")))
        else:
            lemmas[key] = int(value)
    return lemmas, up


def synonyms(a: str, b: str) -> bool:
    """Whether two stems share a WordNet synset in their most frequent senses ("death" /
    "decease"; ``retrieval/synonyms.txt``)."""
    sets = synonym_sets()
    return bool(sets.get(a, frozenset()) & sets.get(b, frozenset()))


@lru_cache(maxsize=1)
def synonym_sets() -> dict[str, frozenset[int]]:
    """Stem -> the numbers of the synonym sets it is in."""
    out: dict[str, set[int]] = {}
    for i, line in enumerate(_word_list("synonyms.txt")):
        for s in line.split():
            out.setdefault(s, set()).add(i)
    return {s: frozenset(ids) for s, ids in out.items()}


# Names this close in spelling and sound are one name spelled two ways (Cody / Codey,
# Araghchi / Araqchi).
_VARIANT_EDITS = 2


def _other_name(x: str, y: str) -> bool:
    """Whether two names name different things: not one spelled two ways, and not a person
    or company against a country (which may be one actor); two countries differ unless one
    is the other's capital."""
    cx, cy = _country(x), _country(y)
    if cx or cy:
        # Known countries are never spellings of each other (Iran / Iraq); a country against
        # a person or company may be one actor.
        return bool(cx and cy) and cx != cy
    if any(c.isdigit() for c in x + y):
        return x != y  # "Pac-18" is no spelling of "Pac-12"
    return not (
        phonetic_key(x) == phonetic_key(y) or edit_distance(x, y, _VARIANT_EDITS) <= _VARIANT_EDITS
    )


def _surface(token: str, text: str) -> str:
    """How ``text`` writes the word that ``words`` folds to ``token`` ("ufo" -> "UFO")."""
    for m in re.finditer(r"[\w\u2019'.-]+", text):
        written = m.group(0).strip(".-'\u2019")
        if token in words(written):
            return re.sub(r"['\u2019]s$", "", written)
    return token


# Words both sides share right before a swapped name for it to stand in the same slot when
# nothing follows it ("Russia's invasion of [Syria]" / "... of [Ukraine]."), or right after it
# when it opens both ("[Apple] acquired WhatsApp" / "[Facebook] acquired WhatsApp").
_ANCHOR_TERMS = 2


def _anchor(block: tuple[str, int, int, int, int], tokens: list[str]) -> int:
    """Content words of an equal block next to a swap (-1 for any other block): a swap stands
    between two blocks both sides share, one of them with content ("..., Thurber said")."""
    op, i1, i2, _j1, _j2 = block
    return len(terms_of_words(tokens[i1:i2])) if op == "equal" else -1


def opposed(claim_terms: set[str], other_terms: set[str]) -> tuple[str, str] | None:
    """The word of one text that the other replaced by its antonym ("accepted" / "rejected")."""
    for a, b in ANTONYMS:
        for x, y in ((a, b), (b, a)):
            if x in claim_terms and x not in other_terms and y in other_terms - claim_terms:
                return x, y
    return None


# Verbs that undo what they govern: "lifted the ban", "an end to the blockade".
_UNDOING = frozenset(
    stem(w)
    for w in "end ending ended lift lifted lifting scrap scrapped repeal repealed "
    "rescind rescinded overturn overturned revoke revoked abolish abolished".split()
)
_UNDO_REACH = 3


def _undone(term: str, text: str) -> bool:
    """Whether an undoing verb governs ``term`` (a stem) in ``text``: "ending the ban"."""
    tokens = [stem(w) for w in words(text)]
    return any(
        t == term and _UNDOING.intersection(tokens[max(0, i - _UNDO_REACH) : i])
        for i, t in enumerate(tokens)
    )


def opposite(claim_terms: set[str], other_terms: set[str]) -> bool:
    return opposed(claim_terms, other_terms) is not None


# Antonyms that say the same thing with the two sides swapped: "A lost to B" is "B won".
_CONVERSE = frozenset(
    frozenset(stem(w) for w in pair.split("/")) for pair in ("win/lose", "won/lost", "beat/lost")
)
_CAPITALISED = re.compile(r"\b[A-Z][\w'\u2019-]*")


def _first_names(text: str) -> list[str]:
    out: list[str] = []
    for word in _CAPITALISED.findall(text):
        name = normalize(word)
        if name not in STOPWORDS and name not in out:
            out.append(name)
    return out[:2]


# Verbs of a contest with one winning side: who stands before them is who won (or lost).
_CONTEST = re.compile(r"\b(won|wins|win|beat|beats|defeated|defeats|lost|loses|lose)\b")
_NAME_BEFORE = 3  # words between a name and its verb at most ("Sinner easily won")


def contest_sides(text: str) -> dict[str, str]:
    """Contest verb -> the name right before it ("Jannik Sinner won" -> {"won": "sinner"})."""
    out: dict[str, str] = {}
    for m in _CONTEST.finditer(text):
        before = re.findall(r"[\w'\u2019.-]+", text[: m.start()])[-_NAME_BEFORE:]
        names = [w for w in before if w[:1].isupper() and normalize(w) not in STOPWORDS]
        if names:
            out.setdefault(m.group(1), normalize(names[-1]))
    return out


def other_side(claim: str, statement: str) -> str:
    """A name the claim puts before a contest verb that the evidence gives to someone else,
    while naming the claim's one elsewhere ("Alcaraz won the final" against "Sinner won the
    final, beating Alcaraz"): the claim has the sides the other way round."""
    theirs = contest_sides(statement)
    mentioned = {normalize(w) for w in _CAPITALISED.findall(statement)}
    for verb, name in contest_sides(claim).items():
        other = theirs.get(verb)
        if other and other != name and name in mentioned:
            return f"{name} / {other}"
    return ""


def sides_swapped(claim: str, statement: str) -> bool:
    """The first two names come in the other order ("Alcaraz lost to Sinner" / "Sinner won
    against Alcaraz")."""
    c, s = _first_names(claim), _first_names(statement)
    return len(c) == 2 and c == s[::-1]


_SCOPE_TERMS = 4
_TIME_BOUNDS = frozenset(["since", "until", "till"])


def negated_about(text: str, other_terms: set[str]) -> bool:
    """Whether ``text`` says "not" about something the other text speaks of: a negation whose
    next few content words within its clause share a term with it. "Sinner won the final
    without dropping a set" says nothing negative about "Sinner won the final"; "did not include
    a mutual defence clause" does about "includes a mutual defence clause"; "no basis and no
    justification," Putin said' does not about "Putin called it aggression" (the clause ends
    before "Putin").

    A negation bounded in time ("had not lost a final since 2023", "did not arrive until
    Monday") says what did not happen within a span, which implies it happened at its edge: it
    counts only against a text that pins a time of its own ("lost a final in 2024")."""
    return bool(_counted(_negations_about(text, other_terms), other_terms))


def _counted(negations: list[tuple[bool, tuple[str, ...]]], other_terms: set[str]) -> list[str]:
    """The heads of the negations that count against a text with ``other_terms``."""
    return [scope[0] for scope in _counted_scopes(negations, other_terms)]


def _counted_scopes(
    negations: list[tuple[bool, tuple[str, ...]]], other_terms: set[str]
) -> list[tuple[str, ...]]:
    """The scopes (head first) of the negations that count against a text with ``other_terms``."""
    dated = any(t.isdigit() for t in other_terms)
    return [scope for bounded, scope in negations if dated or not bounded]


# A clause ends at a comma, semicolon, colon, dash, bracket or quotation mark.
_CLAUSE_END = re.compile(r"[,;:()\[\]\"“”]|\s[-–—]\s|[.!?](?:\s|$)")
# Words between a negation and its head: "no one was killed", "no longer", "not even".
_NEGATION_FILLERS = frozenset("one single longer more even ever yet".split())


# "Not only ...", "not just ..." affirm; "if we didn't send the Guard, ..." says it was sent.
_AFFIRMING = frozenset("only just merely simply solely".split())
_CONDITIONAL = frozenset("if unless".split())


def _negations_about(
    text: str, other_terms: set[str], supposed: bool = False
) -> list[tuple[bool, tuple[str, ...]]]:
    """For each "not" in ``text`` whose next few content words within its clause share a term
    with ``other_terms``: whether it is bounded in time ("since", "until"), and its scope: the
    first few content words it governs, its head first. "Not only ... but" and "not just"
    affirm; a "not" in a condition ("if we didn't send the Guard, ...") states nothing, unless
    ``supposed`` (the other text supposes too: "if Roe is overturned" against "if Roe is not
    overturned")."""
    out = []
    for clause in _CLAUSE_END.split(text):
        tokens = words(clause)
        for i in range(len(tokens)):
            if not _negates(tokens, i):
                continue
            reach = tokens[i + 1 : i + 1 + 3 * _SCOPE_TERMS]
            if reach[:1] and reach[0] in _AFFIRMING:
                continue
            if not supposed and _CONDITIONAL.intersection(tokens[:i]):
                continue
            scope = terms_of_words([w for w in reach if w not in _NEGATION_FILLERS])
            if _meets(scope[:_SCOPE_TERMS], other_terms):
                out.append((bool(_TIME_BOUNDS.intersection(reach)), tuple(scope[:_SCOPE_TERMS])))
    return out


_STEM_PREFIX = 6


def _meets(terms: list[str], other_terms: set[str]) -> bool:
    """Whether a term is one of ``other_terms``, or shares its first six letters with one: the
    stemmer leaves "justification" as "justif" and "justified" as "justifi"."""
    return any(
        t in other_terms
        or (
            len(t) >= _STEM_PREFIX
            and any(o[:_STEM_PREFIX] == t[:_STEM_PREFIX] for o in other_terms)
        )
        for t in terms
    )


# Words before a number that make it a bound or an estimate: "over 6 million" is met by 6.1
# million, "about 15%" by 14%, "fewer than 100" by 80.
_AT_LEAST = r"over|more than|above|at least|exceeding|upwards of|in excess of"
_AT_MOST = r"under|fewer than|less than|below|at most|up to|no more than"
_ABOUT = r"about|around|roughly|nearly|almost|some|approximately|close to|an estimated|circa"
_QUALIFIED = re.compile(
    rf"\b(?:({_AT_LEAST})|({_AT_MOST})|({_ABOUT}))\s+(?:[$£€]\s?)?(?=[\d]|{_NUMBER_WORD})",
    re.I,
)
# The number a bound word stands before, with its scale word.
_SAID_NUMBER = re.compile(
    rf"{_SPELLED}|\S+(?:\s+(?:million|billion|trillion|thousand|per ?cent)\b)?", re.I
)
# How far a bound reaches: "over 6 million" is not met by 60 million (that would be said), nor
# "about 15" by 20.
_BOUND_REACH = 3.0
_ABOUT_SHARE = 0.15


def qualified_numbers(text: str) -> dict[float, str]:
    """Numbers in ``text`` said as bounds or estimates: value -> "min", "max" or "about"."""
    out: dict[float, str] = {}
    for m in _QUALIFIED.finditer(text):
        said = _SAID_NUMBER.match(text, m.end())
        for value in numbers(said.group(0)) if said else ():
            out[value] = "min" if m.group(1) else "max" if m.group(2) else "about"
    return out


def _within(value: float, how: str | None, other: float, reach: float) -> bool:
    """Whether ``other`` is consistent with ``value`` said as ``how`` ("min", "max", "about"),
    a bound reaching ``reach`` times past it."""
    if how == "min":
        return value <= other <= value * reach
    if how == "max":
        return value / reach <= other <= value
    if how == "about":
        return abs(other - value) <= _ABOUT_SHARE * value
    return other == value


def _numbers_agree(claim: set[float], source: set[float], claim_q: dict, source_q: dict) -> bool:
    """Whether every number of the claim is met by one of the source's, exactly or within a
    bound either states. A bound reaches far ("over 6 million" is true of 6.1 million, "more
    than two terms" of four), except against another bound: "more than 6.1 million" reports
    about 6.1 million, so "more than 9 million" is not met by it."""

    def met(x: float, y: float) -> bool:
        reach = 1 + _ABOUT_SHARE if x in claim_q and y in source_q else _BOUND_REACH
        return _within(x, claim_q.get(x), y, _BOUND_REACH) or _within(y, source_q.get(y), x, reach)

    return all(any(met(x, y) for y in source) for x in claim)


# A negated "more than" is an upper bound ("no more than twice", "not elected more than
# twice"); "only", "at most", "up to" state one too.
_NEGATED_BOUND = re.compile(
    r"\b(?:no|not|never|cannot|n't)\b(?:[ \t]+[\w'-]+){0,12}?"
    r"[ \t]+(?:more|longer|greater|other) than\s+(\w+)",
    re.I,
)
_STATED_BOUND = re.compile(r"\b(?:only|at most|up to|a maximum of)\b((?:\W+\w+){1,5})", re.I)


def _same_bound(negated: str, stated: str) -> bool:
    """Whether ``negated`` bounds with a "not ... more than N" (in one clause) what ``stated``
    bounds with an "only ... N": the same N after both."""
    limits = {words(m.group(1))[0] for m in _NEGATED_BOUND.finditer(negated) if words(m.group(1))}
    bounds = [set(words(m.group(1))) for m in _STATED_BOUND.finditer(stated)]
    # within one clause of the "no", and "only ... more than 200" is no upper bound
    return any(limits & b for b in bounds if "than" not in b)


def mismatch(claim: str, statement: str, facts: str) -> str | None:
    """Why aligned evidence says other than the claim: ``statement`` is the clause or sentence
    whose polarity counts, ``facts`` the text whose numbers and dates count."""
    c_tokens, u_tokens = words(claim), words(statement)
    c_terms, u_terms = set(terms_of_words(c_tokens)), set(terms_of_words(u_tokens))
    # The claim's "not" counts when the evidence speaks of what it negates anywhere in its text;
    # the evidence's only in the part that lines up with the claim.
    f_tokens = words(facts)
    seen = u_terms | set(terms_of_words(f_tokens))
    c_if, u_if = (
        bool(_CONDITIONAL.intersection(c_tokens)),
        bool(_CONDITIONAL.intersection(f_tokens)),
    )
    c_negs = _negations_about(claim, seen, supposed=u_if)
    u_negs = _negations_about(statement, c_terms, supposed=c_if)
    c_scopes, u_heads = _counted_scopes(c_negs, seen), _counted(u_negs, c_terms)
    # A claim's "not" must meet the source in more than names, unless it negates names alone:
    # "not intervening in the conflict between Iran and the US" (or "this isn't Taco Bell's
    # first attempt") says nothing against a sentence about Iran and the US (Taco Bell); "open
    # to Israeli carriers, but not El Al" does against one about El Al.
    names = {stem(w) for w in entities(claim)}
    c_heads = [
        scope[0]
        for scope in c_scopes
        if any(_meets([t], seen) for t in scope if t not in names) or all(t in names for t in scope)
    ]
    said_scopes = _counted_scopes(_negations_about(facts, c_terms, supposed=c_if), c_terms)
    said = {scope[0] for scope in said_scopes}
    # ... or says "not" of what the claim's "not" governs, in other words: "was not deemed a
    # threat to humans" for "was not considered a risk to humans".
    said_objects = {t for scope in said_scopes for t in scope[1:]}
    said.update(scope[0] for scope in c_scopes if set(scope[1:]) & said_objects)
    # A source that says "not" alone must say it of what the claim asserts: "the aggression has
    # no basis" says nothing against "Putin called it aggression"; "did not include a defence
    # clause" does against "includes" one. A claim's own "not" needs no such head: it often
    # negates the source's own words in others ("not required to delete" against "ordered to
    # remove"), unless the source says it too, outside the part that lines up ("he couldn't
    # plan much, but I think she planned it" against its clause "she planned it").
    # "No person shall be elected ... more than twice" bounds what "can only hold the office
    # twice" bounds: the "no" is the bound's, not a denial.
    bounded = _same_bound(claim, facts) or _same_bound(facts, claim)
    if (
        bool(c_heads) != bool(u_heads)
        and (c_heads or _meets(u_heads, c_terms))
        and not _meets(c_heads, said)
        and not bounded
    ):
        return "negation"
    # Both say "not", but of different things, and one states plainly what the other negates:
    # "FTX had not grown, and he could no longer run both" against "FTX had grown, and he could
    # no longer run both" (presence alone reads both as negative).
    # A head counts as negated on the other side when any negation there governs it ("lacks a
    # defence clause" / "did not include a defence clause").
    if c_heads and u_heads and not bounded:
        negated_there = {t for scope in said_scopes for t in scope}
        if any(h in seen and not _meets([h], negated_there) for h in c_heads):
            return "negation"
        negated_here = {t for scope in c_scopes for t in scope}
        if any(h in c_terms and not _meets([h], negated_here) for h in u_heads):
            return "negation"
    pair = opposed(c_terms, u_terms)
    # An antonym under a "not" the other side lacks is no opposite: "had not lost a final since
    # 2023" says nothing against "won the final". Nor is one that a verb undoes: "ending the
    # ban" against "allowing".
    flipped = bool(c_negs) != bool(u_negs)
    if (
        pair
        and not flipped
        and not (_undone(pair[0], claim) or _undone(pair[1], statement))
        and not (frozenset(pair) in _CONVERSE and sides_swapped(claim, statement))
    ):
        return "opposite"
    c_nums, s_nums = numbers(claim), numbers(facts)
    c_q, s_q = qualified_numbers(claim), qualified_numbers(facts)
    c_qty, s_qty = quantities(claim), quantities(facts)
    # A claim number that counts something the source counts nothing of ("200 mg of caffeine"
    # against "$4.49 for a 20-ounce drink") is compared only with the source's numbers that
    # count nothing named ("slaughtered seven").
    unnamed = s_nums - {y for ys in s_qty.values() for y in ys}
    c_gov, s_gov = governors(claim), governors(facts)
    for x in c_nums - s_nums:
        units = {unit for unit, xs in c_qty.items() if x in xs}
        pool = s_nums
        if units and not units & s_qty.keys():
            # ... and then only with those said of the same thing: "with 10 nominations"
            # against "the most statues, with seven" is no mismatch.
            pool = {y for y in unnamed if s_gov.get(y, set()) & c_gov.get(x, set())}
        if pool - c_nums and not _numbers_agree({x}, pool, c_q, s_q):
            return "number"
    if any(
        not (c_qty[unit] & s_qty[unit])
        and not _numbers_agree(c_qty[unit], s_qty[unit], c_q, s_q)
        and not all(_counted_in_clause(x, unit, facts) for x in c_qty[unit])
        for unit in c_qty.keys() & s_qty.keys()
    ):
        return "number"
    c_cal, s_cal = calendar(claim), calendar(facts)
    for kind in _CALENDAR_KINDS:
        c_part, s_part = set(filter(kind, c_cal)), set(filter(kind, s_cal))
        if c_part and s_part and not (c_part & s_part) and _same_event(c_terms, seen, c_cal):
            return "date"
    return None


def unstated(claim: str, text: str) -> str | None:
    """A number, year or day of the month the claim gives that ``text`` does not: "Monroe died
    on July 5" is not supported by "on the same date, Monroe died" ("july 5")."""
    have_nums, have_cal = numbers(text), calendar(text)
    q = qualified_numbers(claim)
    for x in numbers(claim):
        if x not in have_nums and not any(_within(x, q.get(x), y, _BOUND_REACH) for y in have_nums):
            return f"{x:g}"
    for d in calendar(claim):
        if (d.isdigit() or _is_day(d)) and d not in have_cal:
            return d
    return None


def _is_day(entry: str) -> bool:
    return " " in entry  # "july 4"


# What ``calendar`` entries are compared with their own kind: months, weekdays, years, days.
_CALENDAR_KINDS = (
    frozenset(_MONTHS).__contains__,
    frozenset(_WEEKDAYS).__contains__,
    str.isdigit,
    _is_day,
)


def _same_event(c_terms: set[str], seen: set[str], dates: set[str]) -> bool:
    """Whether the source speaks of everything the claim does but its date: "Russia signed the
    treaty in January" is not contradicted by "in April, Russia ratified the treaty", which
    dates another event. Synonyms do not count: WordNet gives "ratify" as one of "sign"."""
    return all(_meets([t], seen) for t in c_terms - {stem(d) for d in dates} if not t.isdigit())
