"""Small general rules inside sentence scoring: answer types, headings, causes, word forms."""

from __future__ import annotations

import pytest

from retrieval.answer import continues
from retrieval.retrieve import (
    asks_why,
    expected_type,
    question_terms,
    shape_adjustment,
    title_cased,
)
from retrieval.text import content_terms
from retrieval.tuning import TUNING


@pytest.mark.parametrize(
    ("question", "sentence", "has_type"),
    [
        ("How many people saw the post?", "It had more than 6.1 million views.", True),
        ("How many people saw the post?", "The claim spread in June 2025.", False),
        ("What share of the population is Muslim?", "Muslims make up 15% of it.", True),
        ("When did parliament ratify the treaty?", "In April 2025, Russia ratified it.", True),
        ("When did parliament ratify the treaty?", "Russia ratified the treaty.", False),
        ("When did he arrive?", "He arrived on Monday.", True),
    ],
)
def test_expected_answer_type_is_found_only_where_present(question, sentence, has_type):
    pattern = expected_type(question)
    assert pattern is not None
    assert bool(pattern.search(sentence)) is has_type


def test_questions_without_a_typed_answer_expect_nothing():
    assert expected_type("Why isn't Russia helping Iran?") is None
    assert expected_type("What did Putin tell the minister?") is None


def test_sentence_lacking_the_expected_type_is_penalised():
    pattern = expected_type("How many people saw it?")
    with_number = shape_adjustment("It had 6.1 million views as of this writing.", pattern)
    without = shape_adjustment("Many users questioned the statement online.", pattern)
    assert with_number - without == pytest.approx(TUNING.type_missing_penalty)


def test_heading_like_line_is_penalised_but_a_sentence_is_not():
    assert shape_adjustment("US airstrikes target Iran's military sites", None) == pytest.approx(
        -TUNING.heading_penalty
    )
    assert shape_adjustment("US airstrikes targeted three of Iran's sites.", None) == 0.0


def test_why_question_favours_a_sentence_that_gives_a_cause():
    cause = "Moscow stays neutral due to a large Russian-speaking population in Israel."
    plain = "Moscow hosted the Iranian foreign minister on Monday."
    assert shape_adjustment(cause, None, why=True) == pytest.approx(TUNING.cause_bonus)
    assert shape_adjustment(plain, None, why=True) == 0.0
    assert shape_adjustment(cause, None, why=False) == 0.0


@pytest.mark.parametrize(
    ("a", "b"),
    [("Russia withdrew support", "Russia had withdrawn support"), ("he saw it", "it was seen")],
)
def test_irregular_verb_forms_share_a_term(a, b):
    assert set(content_terms(a)) & set(content_terms(b)) - {"russia", "support"}


def test_question_words_and_quantifiers_are_not_question_terms():
    terms = question_terms("How many people saw the viral post, and why?")
    assert "mani" not in terms and "how" not in terms and "whi" not in terms
    assert {"peopl", "viral", "post"} <= set(terms)


def test_words_pointing_at_the_reporting_are_not_question_terms():
    terms = question_terms(
        "Does the Verge article suggest, as reported and discussed, that Oregon won?"
    )
    assert not {"articl", "suggest", "report", "discuss"} & set(terms)
    assert {"verg", "oregon", "win"} <= set(terms)


@pytest.mark.parametrize(
    ("sentence", "following", "joins"),
    [
        # announces a reason it does not give
        ("Putin has clarified why his country is not intervening.", "He cited Israel.", True),
        ("He gave three reasons:", "First, the cost of the war.", True),
        # gives the reason itself
        ("He explained why: it is because of the cost.", "Talks resume Monday.", False),
        # a direct question is not an announcement
        ("Why is Putin not helping Iran?", "He cited Israel.", False),
        # a short sentence that goes on about the one before
        (
            "Putin signed a treaty in January.",
            "That agreement did not include a defence clause.",
            True,
        ),
        ("Putin signed a treaty in January.", "It was signed in Moscow.", True),
        # an unrelated or long following sentence does not join
        ("Putin signed a treaty in January.", "Oil prices rose on Monday.", False),
        (
            "Putin signed a treaty in January.",
            "That agreement, which officials on both sides spent more than two years negotiating"
            " in several capitals, was ratified by the Duma in April.",
            False,
        ),
    ],
)
def test_a_quote_takes_the_sentence_it_would_otherwise_cut_off(sentence, following, joins):
    assert continues(sentence, following) is joins


@pytest.mark.parametrize(
    ("text", "titled"),
    [
        ("Russia Fears for Ally Iran With Few Tools to Influence Crisis.", True),
        ("The Moscow Times, 16 June 2025, Reuters.", True),
        (
            "Russian President Vladimir Putin has clarified why his country is not intervening.",
            False,
        ),
        ("Putin Hosts Araqchi.", False),  # too short to tell from a sentence of names
    ],
)
def test_a_headline_or_reference_entry_is_told_from_a_sentence(text, titled):
    assert title_cased(text) is titled
    assert (shape_adjustment(text, None) < 0) is titled


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("Why isn't Russia helping Iran?", True),
        ("What is keeping Moscow from coming to Tehran's aid?", True),
        ("What stopped the talks?", True),
        ("What's behind the rise in prices?", True),
        ("For what reason did the envoy leave?", True),
        ("What did Putin tell Araghchi?", False),
        ("What is the capital of Iran?", False),
    ],
)
def test_a_question_asking_for_a_reason_is_told_in_other_words(question, why):
    assert asks_why(question) is why
