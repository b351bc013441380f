"""Dates pinned by questions and the staleness of evidence against them."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.dates import DatePin, days_apart, published_date, question_date, question_dates
from retrieval.retrieve import staleness


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(Week of 2025-06-06) Which volcano erupted?", date(2025, 6, 6)),
        ("What happened on June 23, 2025 in Moscow?", date(2025, 6, 23)),
        ("What happened on 23 June 2025 in Moscow?", date(2025, 6, 23)),
        ("What did Russia ratify in April 2025?", date(2025, 4, 15)),
        ("Why isn't Russia helping Iran?", None),
        ("Which of 2025-13-45 is valid?", None),
    ],
)
def test_question_date_finds_explicit_calendar_dates(text, expected):
    assert question_date(text) == expected


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2025-06-23", date(2025, 6, 23)),
        ("2025-06-23T10:00:00+00:00", date(2025, 6, 23)),
        ("2025-06", date(2025, 6, 15)),
        ("2025", date(2025, 7, 15)),
        (None, None),
        ("soon", None),
    ],
)
def test_published_date_handles_full_partial_and_missing_values(published, expected):
    assert published_date(published) == expected


def test_staleness_is_zero_when_a_date_is_unknown_and_grows_with_distance():
    asked = (DatePin(date(2025, 6, 6), 0),)
    assert staleness((), date(2020, 1, 1), 90) == 0.0
    assert staleness(asked, None, 90) == 0.0
    near, far = staleness(asked, date(2025, 6, 10), 90), staleness(asked, date(2024, 6, 6), 90)
    assert 0.0 < near < far == 1.0
    assert days_apart(asked[0].day, date(2025, 6, 10)) == 4


def test_a_question_naming_two_dates_is_about_both():
    pins = question_dates("Did The Age report the same on 2023-10-20 and on 2023-11-03?")
    assert [p.day for p in pins] == [date(2023, 10, 20), date(2023, 11, 3)]
    assert staleness(pins, date(2023, 11, 3), 90) == 0.0
    assert staleness(pins, date(2023, 10, 21), 90) < staleness(pins[1:], date(2023, 10, 21), 90)


def test_a_month_is_a_span_and_a_full_date_is_not_also_a_month():
    assert question_dates("What happened on June 23, 2025 and in July 2025?") == (
        DatePin(date(2025, 6, 23), 0),
        DatePin(date(2025, 7, 15), 15),
    )
    in_month = question_dates("What did Russia ratify in April 2025?")
    assert staleness(in_month, date(2025, 4, 28), 30) == 0.0
    assert staleness(in_month, date(2025, 5, 20), 30) > 0.0
