"""Follow-up questions read against the conversation before them, offline and by rule.

"and what about China?" after "Why isn't Russia helping Iran?" is asked as "Why isn't China
helping Iran?"; "what did he tell them?" after a question about Putin and Araghchi names them. A
question that stands on its own (it names what it asks about and points back at nothing) is
asked as it is. The rewrite is shown to the reader, so it is kept plain and never invents: it
only moves words from the earlier question into the new one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# "and what about X?", "how about X?", "what about X then?", "and X?", "same for X?"
_SWAP = re.compile(
    r"^\s*(?:and|but|so|ok(?:ay)?|also)?[\s,]*"
    r"(?:(?:what|how)\s+about|and|same\s+(?:for|with)|what\s+of)\s+"
    r"(?P<x>.+?)\s*(?:then|instead|too)?\s*[?.!]*\s*$",
    re.I,
)
# Pronouns that stand for a person, country or group named in the earlier question: the
# subject's stand for its first name, the object's for its second (when it has one).
_PRONOUN = re.compile(r"\b(he|she|they|him|her|them|his|hers|their|theirs)\b", re.I)
_SUBJECT = frozenset({"he", "she", "they"})
_POSSESSIVE = frozenset({"his", "hers", "their", "theirs"})
# At most this many words in "what about X": longer, it is a question of its own.
SWAP_WORDS = 5
# Words that may open a question with a capital letter without naming anything.
_NOT_NAMES = frozenset(
    """a an the and but or so what why how who whom whose when where which is are was were do does
    did has have had can could will would should may might must shall i it its this that these
    those there then if in on at of for to by with from as about and also ok okay yes no not
    tell me show give explain any some""".split()
)
_NAME = re.compile(
    r"(?<![\w'’])(?:[A-Z][\w'’.-]*|[A-Z]{2,})(?:\s+(?:of|al|bin|de|la|von|van)?\s*[A-Z][\w'’.-]*)*"
)
_CLAUSE_OPENERS = frozenset(
    "is are was were do does did has have had can could will would should may might must "
    "what why how who when where which".split()
)
# A question this short with nothing named in it leans on the one before.
SHORT = 6


def names(text: str) -> list[str]:
    """Capitalised names in ``text`` in order (a question's first word only when it is not a
    question word), possessive endings removed."""
    out: list[str] = []
    for m in _NAME.finditer(text):
        name = re.sub(r"['’]s$", "", m.group(0)).rstrip(".")
        if name.lower() in _NOT_NAMES or not name:
            continue
        words = name.split()
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        name = " ".join(words)
        if name and name not in out:
            out.append(name)
    return out


def resolve_followup(question: str, history: Sequence[str]) -> str:
    """``question`` as asked after ``history`` (earlier questions, oldest first, each as it was
    answered): returned unchanged when it stands on its own or there is no history."""
    text = " ".join(question.split())
    previous = next((" ".join(q.split()) for q in reversed(history) if q.strip()), "")
    if not text or not previous:
        return text
    before = names(previous)
    own = names(text)
    swap = _SWAP.match(text)
    if swap and before and _phrase(swap.group("x")):
        return _swapped(previous, before, swap.group("x"))
    pronoun = _PRONOUN.search(text)
    if pronoun and before and not _named_before(text, set(own) - set(before), pronoun.start()):
        return _named(text, before)
    if not own and len(text.split()) <= SHORT and before:
        return _with_context(text, before)
    return text


def _phrase(x: str) -> bool:
    """A short noun phrase ("China", "the oil price"), not a clause ("did the US strike")."""
    words = x.strip(" ?.!").split()
    return 0 < len(words) <= SWAP_WORDS and words[0].lower() not in _CLAUSE_OPENERS


def _named_before(text: str, new: set[str], at: int) -> bool:
    """A name new to the conversation comes before the pronoun: it is what the pronoun means
    ("What did Trump say when he met Putin?")."""
    return any(0 <= text.find(name) < at for name in new)


def _named(text: str, before: list[str]) -> str:
    """Each kind of pronoun replaced once by the name it stands for."""
    done: set[str] = set()

    def name_for(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        kind = "subject" if word in _SUBJECT else "possessive" if word in _POSSESSIVE else "object"
        if kind in done:
            return m.group(0)
        done.add(kind)
        name = before[1] if kind == "object" and len(before) > 1 else before[0]
        return f"{name}'s" if kind == "possessive" else name

    return _PRONOUN.sub(name_for, text)


def _swapped(previous: str, before: list[str], x: str) -> str:
    """The earlier question with ``x`` put where it fits: in place of the earlier name it
    replaces, or as context when ``x`` is a topic."""
    x = x.strip().strip("?.!").strip()
    given = names(x)
    if not given:
        return _with_context(f"What about {x}?", before)
    if set(given) <= set(before):
        return previous  # nothing new named: the same question again
    # A name both share marks the slot ("Russia and China" for "Russia"); else the first name.
    replaced = next((b for b in before if b in given), before[0])
    return re.sub(rf"(?<![\w]){re.escape(replaced)}(?![\w])", x, previous, count=1)


def _with_context(text: str, before: list[str]) -> str:
    """ "When?" after a question about Russia and Iran: "When (Russia, Iran)?"."""
    body = text.rstrip(" ?.!")
    return f"{body} ({', '.join(before)})?"
