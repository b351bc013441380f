"""Text primitives: sentence spans with offsets, tokens for lexical matching, name folding."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# Words that never end a sentence even though a period follows them.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "st",
        "jr",
        "sr",
        "inc",
        "corp",
        "co",
        "ltd",
        "vs",
        "etc",
        "no",
        "nos",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "ft",
        "est",
        "approx",
        "dept",
        "univ",
        "assn",
        "bros",
        "pres",
        "rev",
        "hon",
    ]
)
# Abbreviations that stand before the number they name: "No. 1", "Fig. 2", and the months news
# abbreviates before a day ("Oct. 21, 2024").
_NUMBERED = frozenset("no nos fig jan feb mar apr jun jul aug sep sept oct nov dec".split())
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets), then whitespace.
_SENT_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_PARA_SPLIT = re.compile(r"\n\s*\n|\n(?=\s*[-*•]\s)")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "then",
        "else",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "would",
        "could",
        "may",
        "might",
        "must",
        "shall",
        "also",
        "as",
        "than",
        "via",
        "per",
        "into",
        "onto",
        "upon",
        "whose",
        "while",
        "tell",
        "told",
        "say",
        "said",
        "says",
        "according",
        "week",
        "recently",
    ]
)
# Words with which a question points at the reporting rather than at what was reported ("does
# the article suggest", "as reported by"): no sentence is expected to contain them.
REPORTING_WORDS = frozenset(
    [
        "article",
        "articles",
        "report",
        "reported",
        "reporting",
        "reports",
        "suggest",
        "suggests",
        "mention",
        "mentions",
        "mentioned",
        "discuss",
        "discussed",
        "discusses",
        "publish",
        "published",
        "according",
        "coverage",
    ]
)
QUESTION_WORDS = frozenset(
    ["what", "which", "who", "whom", "whose", "when", "where", "why", "how", "whether"]
)

# Demonyms and country short forms, so "the americans bombing" meets "the U.S. bombing" and
# "Iraqi officials" meets "Iraq". A word that is mostly something else in news ("English", the
# language; "Georgian") is left out. Plurals are added below for the -an/-i forms.
_COUNTRY_WORDS = {
    "us": "american america usa",
    "uk": "british britain",
    "afghanistan": "afghan",
    "albania": "albanian",
    "algeria": "algerian",
    "argentina": "argentine argentinian argentinean",
    "armenia": "armenian",
    "australia": "australian",
    "austria": "austrian",
    "azerbaijan": "azerbaijani azeri",
    "bahrain": "bahraini",
    "bangladesh": "bangladeshi",
    "belarus": "belarusian belarussian",
    "belgium": "belgian",
    "bolivia": "bolivian",
    "brazil": "brazilian",
    "bulgaria": "bulgarian",
    "cambodia": "cambodian",
    "canada": "canadian",
    "chile": "chilean",
    "china": "chinese",
    "colombia": "colombian",
    "croatia": "croatian croat croats",
    "cuba": "cuban",
    "cyprus": "cypriot",
    "denmark": "danish danes",
    "ecuador": "ecuadorian",
    "egypt": "egyptian",
    "estonia": "estonian",
    "ethiopia": "ethiopian",
    "finland": "finnish finns",
    "france": "french",
    "germany": "german",
    "ghana": "ghanaian",
    "greece": "greek greeks",
    "haiti": "haitian",
    "hungary": "hungarian",
    "india": "indian",
    "indonesia": "indonesian",
    "iran": "iranian",
    "iraq": "iraqi",
    "ireland": "irish",
    "israel": "israeli",
    "italy": "italian",
    "japan": "japanese",
    "jordan": "jordanian",
    "kenya": "kenyan",
    "korea": "korean",
    "kuwait": "kuwaiti",
    "latvia": "latvian",
    "lebanon": "lebanese",
    "libya": "libyan",
    "lithuania": "lithuanian",
    "malaysia": "malaysian",
    "mexico": "mexican",
    "moldova": "moldovan",
    "morocco": "moroccan",
    "myanmar": "burmese burma",
    "nepal": "nepali nepalese",
    "netherlands": "dutch holland",
    "nigeria": "nigerian",
    "norway": "norwegian",
    "oman": "omani",
    "pakistan": "pakistani",
    "palestine": "palestinian",
    "peru": "peruvian",
    "philippines": "filipino filipinos philippine",
    "poland": "polish",
    "portugal": "portuguese",
    "qatar": "qatari",
    "romania": "romanian",
    "russia": "russian",
    "saudi": "saudis",
    "serbia": "serbian serb serbs",
    "singapore": "singaporean",
    "slovakia": "slovak slovakian",
    "somalia": "somali",
    "spain": "spanish spaniard spaniards",
    "sudan": "sudanese",
    "sweden": "swedish swedes",
    "switzerland": "swiss",
    "syria": "syrian",
    "taiwan": "taiwanese",
    "thailand": "thai",
    "tunisia": "tunisian",
    "turkey": "turkish turks turkiye",
    "uganda": "ugandan",
    "ukraine": "ukrainian",
    "venezuela": "venezuelan",
    "vietnam": "vietnamese",
    "yemen": "yemeni",
    "zimbabwe": "zimbabwean",
}
_ALIASES = {
    form: country
    for country, forms in _COUNTRY_WORDS.items()
    for word in forms.split()
    for form in ((word, word + "s") if word.endswith(("an", "i")) else (word,))
}
COUNTRIES = frozenset(_COUNTRY_WORDS)
# Capitals that news uses for their governments ("Moscow said", "talks with Tehran"): a question
# about one meets the other, at a variant's discount (retrieval and coverage only; the words
# themselves stay apart, so "in London" is not "in the UK" for a claim).
METONYMS = {
    "moscow": "russia",
    "tehran": "iran",
    "beijing": "china",
    "kyiv": "ukraine",
    "kiev": "ukraine",
    "ankara": "turkey",
    "riyadh": "saudi",
    "damascus": "syria",
    "baghdad": "iraq",
    "kabul": "afghanistan",
    "islamabad": "pakistan",
    "caracas": "venezuela",
    "havana": "cuba",
    "minsk": "belarus",
    "tokyo": "japan",
    "berlin": "germany",
    "paris": "france",
    "london": "uk",
    "cairo": "egypt",
    "doha": "qatar",
}

# Irregular past forms meet their present ("withdrew", "withdrawn" ~ "withdraw"); the stemmer
# only handles regular endings.
_IRREGULAR = {
    past: base
    for base, forms in {
        "be": "was were been",
        "become": "became",
        "begin": "began begun",
        "break": "broke broken",
        "bring": "brought",
        "build": "built",
        "buy": "bought",
        "catch": "caught",
        "choose": "chose chosen",
        "come": "came",
        "draw": "drew drawn",
        "drive": "drove driven",
        "eat": "ate eaten",
        "fall": "fell fallen",
        "feel": "felt",
        "fight": "fought",
        "find": "found",
        "flee": "fled",
        "fly": "flew flown",
        "forget": "forgot forgotten",
        "freeze": "froze frozen",
        "get": "got gotten",
        "give": "gave given",
        "go": "went gone",
        "grow": "grew grown",
        "hang": "hung",
        "hide": "hid hidden",
        "hold": "held",
        "keep": "kept",
        "know": "knew known",
        "lead": "led",
        "leave": "left",
        "lose": "lost",
        "make": "made",
        "meet": "met",
        "pay": "paid",
        "rise": "rose risen",
        "run": "ran",
        "see": "saw seen",
        "seek": "sought",
        "sell": "sold",
        "send": "sent",
        "shoot": "shot",
        "sink": "sank sunk",
        "speak": "spoke spoken",
        "spend": "spent",
        "stand": "stood",
        "steal": "stole stolen",
        "strike": "struck stricken",
        "swear": "swore sworn",
        "take": "took taken",
        "teach": "taught",
        "tell": "told",
        "think": "thought",
        "throw": "threw thrown",
        "undertake": "undertook undertaken",
        "wear": "wore worn",
        "win": "won",
        "withdraw": "withdrew withdrawn",
        "write": "wrote written",
        "overtake": "overtook overtaken",
        "shake": "shook shaken",
        "ride": "rode ridden",
    }.items()
    for past in forms.split()
}

_CANONICAL = {**_IRREGULAR, **_ALIASES}

_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_DOTTED_ACRONYM = re.compile(r"\b(?:[a-z]\.){2,}")
_PHRASES = re.compile(r"\bunited (states|kingdom|nations)\b")
_PHRASE_SHORT = {"states": "us", "kingdom": "uk", "nations": "un"}
# "15%", "15 per cent" and "15 percent" are one word.
_PERCENT = re.compile(r"%|\s?\bper cent\b")
# Contractions keep their meaning-bearing half: "isn't" -> "is not", "won't" -> "will not".
_CONTRACTIONS = {"won": "will", "can": "can", "shan": "shall", "ain": "is"}


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def normalize(text: str) -> str:
    """Lower-case, strip accents, and join dotted acronyms (U.S. -> us)."""
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", "") + " ", text.lower())
    text = _PERCENT.sub(" percent", text)
    return _PHRASES.sub(lambda m: _PHRASE_SHORT[m.group(1)], text)


def words(text: str) -> list[str]:
    out = []
    for tok in _TOKEN.findall(normalize(text)):
        if "'" in tok or "’" in tok:
            base, _, suffix = tok.replace("’", "'").partition("'")
            if suffix == "t" and base.endswith("n"):
                out.append(_CONTRACTIONS.get(base, base[:-1]))
                out.append("not")
                continue
            tok = base
        if tok == "cannot":  # "cannot seek" says "can not seek", like "can't seek"
            out += ["can", "not"]
            continue
        out.append(_CANONICAL.get(tok, tok))
    return out


def terms_of_words(tokens: list[str]) -> list[str]:
    """Stemmed content terms of already tokenised words (see ``content_terms``)."""
    return [stem(w) for w in tokens if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def content_terms(text: str) -> list[str]:
    """Stemmed tokens without stopwords: what lexical matching compares."""
    return terms_of_words(words(text))


@lru_cache(maxsize=200_000)
def phonetic_key(word: str) -> str:
    """A coarse sound key for transliterated names (Araghchi ~ Araqchi, Tehran ~ Teheran).

    Only used to propose spelling variants, which are then also checked by edit distance.
    """
    w = word.lower()
    for a, b in (
        ("gh", "g"),
        ("kh", "k"),
        ("q", "k"),
        ("ck", "k"),
        ("ph", "f"),
        ("sch", "s"),
        ("sh", "s"),
        ("ch", "c"),
        ("zh", "z"),
        ("dh", "d"),
        ("th", "t"),
        ("w", "v"),
        ("y", "i"),
        ("j", "i"),
        ("x", "ks"),
        ("c", "k"),
        ("g", "k"),
        ("z", "s"),
    ):
        w = w.replace(a, b)
    w = w[0] + re.sub(r"[aeiouh]", "", w[1:])
    return re.sub(r"(.)\1+", r"\1", w)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for m in _PARA_SPLIT.finditer(body):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(body)))
    return [_strip_span(body, s, e) for s, e in spans if body[s:e].strip()]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_spans(body: str) -> list[tuple[int, int]]:
    """Sentence boundaries as (start, end) offsets into ``body``; paragraphs always split."""
    out: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(body):
        para = body[p_start:p_end]
        start = 0
        for m in _SENT_END.finditer(para):
            end = m.end()
            if not _is_boundary(para, m.start(), end):
                continue
            out.append(_strip_span(body, p_start + start, p_start + end))
            start = end
        if para[start:].strip():
            out.append(_strip_span(body, p_start + start, p_end))
    return [(s, e) for s, e in out if e > s]


def _is_boundary(para: str, dot: int, end: int) -> bool:
    nxt = para[end:].lstrip()
    if not nxt:
        return True
    first = nxt[0]
    if first.islower() or first in ",;:)":
        return False
    if para[dot] == ".":
        m = re.search(r"([A-Za-z]+)\.?$", para[max(0, dot - 12) : dot + 1])
        word = m.group(1) if m else ""
        if word.lower() in ABBREVIATIONS and not first.isdigit():
            return False
        # "No. 1", "Nos. 3 and 4", "Fig. 2", "Oct. 21": the number is what the abbreviation names
        # (capital, as news writes it; "the answer was no. 40 people ..." still ends a sentence).
        if word.lower() in _NUMBERED and word[0].isupper() and first.isdigit():
            return False
        # Initials and dotted acronyms: "U.S. President", "J. Smith".
        if len(word) == 1 and word.isupper():
            return False
    return True


def asks(sentence: str) -> bool:
    """Whether a sentence is a question ("Which airlines are participating?"): it states nothing,
    so it can be neither a quote that answers nor evidence for or against a claim."""
    return sentence.rstrip(" \n\"'\u201d\u2019)]").endswith("?")
