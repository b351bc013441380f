"""Dates pinned by questions and the staleness of evidence against them."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.dates import days_apart, published_date, question_date
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
    asked = date(2025, 6, 6)
    assert staleness(None, date(2020, 1, 1)) == 0.0
    assert staleness(asked, None) == 0.0
    near, far = staleness(asked, date(2025, 6, 10)), staleness(asked, date(2024, 6, 6))
    assert 0.0 < near < far == 1.0
    assert days_apart(asked, date(2025, 6, 10)) == 4
