"""Dates in questions and articles, for questions pinned to a time ("the week of 2025-06-06")."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ],
        1,
    )
    for m in names.split()
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Every spelling of a month ("september", "sept", "sep"), for patterns elsewhere.
MONTH_NAMES = _MONTH


def month_number(name: str) -> int:
    """1-12 for a month's name or abbreviation ("Sept." -> 9)."""
    return _MONTHS[name.lower().rstrip(".")]


_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MDY = re.compile(rf"\b({_MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b", re.I)
_DMY = re.compile(rf"\b(\d{{1,2}}) ({_MONTH})\.?,? (\d{{4}})\b", re.I)
_MY = re.compile(rf"\b({_MONTH})\.? (\d{{4}})\b", re.I)


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


class DatePin(NamedTuple):
    """A time a question names: ``day``, give or take ``slack`` days ("April 2025" is April 15
    give or take 15; "2025-04-03" is that day)."""

    day: date
    slack: int


_MONTH_SLACK = 15


def question_dates(text: str) -> tuple[DatePin, ...]:
    """Every explicit calendar date in ``text``, in order: a question comparing "the article
    published on 2023-10-20 and the one on 2023-11-03" is about both times."""
    found: list[tuple[int, DatePin]] = []
    taken: list[tuple[int, int]] = []

    def pin(m: re.Match, y: int, mo: int, d: int, slack: int) -> None:
        if any(a < m.end() and m.start() < b for a, b in taken):
            return  # "June 23, 2025" is not also "June 2025"
        taken.append(m.span())
        if (day := _safe(y, mo, d)) is not None:
            found.append((m.start(), DatePin(day, slack)))

    for m in _ISO.finditer(text):
        pin(m, int(m[1]), int(m[2]), int(m[3]), 0)
    for m in _MDY.finditer(text):
        pin(m, int(m[3]), _MONTHS[m[1].lower()], int(m[2]), 0)
    for m in _DMY.finditer(text):
        pin(m, int(m[3]), _MONTHS[m[2].lower()], int(m[1]), 0)
    for m in _MY.finditer(text):
        pin(m, int(m[2]), _MONTHS[m[1].lower()], 15, _MONTH_SLACK)
    return tuple(p for _, p in sorted(found, key=lambda x: x[0]))


def question_date(text: str) -> date | None:
    """The first explicit calendar date in ``text`` (month-only dates count as mid-month)."""
    pins = question_dates(text)
    return pins[0].day if pins else None


def published_date(published: str | None) -> date | None:
    """An article's ``published`` value as a date; partial dates fall mid-period."""
    if not published:
        return None
    parts = published[:10].split("-")
    try:
        y = int(parts[0])
        m = int(parts[1]) if len(parts) > 1 else 7
        d = int(parts[2]) if len(parts) > 2 else 15
    except ValueError:
        return None
    return _safe(y, m, d)


def days_apart(a: date | None, b: date | None) -> int | None:
    if a is None or b is None:
        return None
    return abs((a - b).days)
