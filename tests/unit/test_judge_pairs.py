"""The rule-made training pairs of the judge: each edit does what its label says."""

from __future__ import annotations

import random

import pytest

from retrieval.judge.pairs import (
    CONTRADICT,
    ENTAIL,
    NEUTRAL,
    cloze_question,
    declarative,
    drop_clause,
    negate,
    nli_pairs,
    qa_pairs,
    swap_date,
    swap_name,
    swap_number,
)
from retrieval.signals import calendar, numbers

SENTENCE = (
    "Russian President Vladimir Putin met Iranian Foreign Minister Abbas Araqchi in Moscow on "
    "Monday, when he said 14 bombs had been dropped."
)
ARTICLE = [
    SENTENCE,
    "The talks in the Kremlin lasted almost two hours, which was longer than planned.",
    "Kremlin spokesman Dmitry Peskov said Russia was ready to mediate between the sides.",
    "Iran's parliament approved a bill suspending cooperation with the nuclear watchdog.",
]


def test_number_swap_changes_a_quantity_and_nothing_else():
    edited = swap_number(SENTENCE, random.Random(1))
    assert edited and edited != SENTENCE
    assert numbers(edited) != numbers(SENTENCE)
    assert edited.split()[:10] == SENTENCE.split()[:10]


def test_number_swap_leaves_years_alone():
    assert (
        swap_number("The treaty was signed in January 2025 by both leaders.", random.Random(0))
        is None
    )


def test_date_swap_changes_the_weekday():
    edited = swap_date(SENTENCE, random.Random(2))
    assert edited and calendar(edited) != calendar(SENTENCE)


def test_name_swap_uses_another_name_from_the_article():
    edited = swap_name(SENTENCE, ["Dmitry Peskov"], random.Random(3))
    assert edited and "Dmitry Peskov" in edited and edited != SENTENCE


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("The agreement was signed by both sides.", "The agreement was not signed by both sides."),
        ("The agreement was not signed by both sides.", "The agreement was signed by both sides."),
        ("The agreement wasn't signed by both sides.", "The agreement was signed by both sides."),
    ],
)
def test_negation_is_added_or_removed(before, after):
    assert negate(before, random.Random(0)) == after


def test_dropped_clause_keeps_the_main_statement():
    out = drop_clause(ARTICLE[1])
    assert out == "The talks in the Kremlin lasted almost two hours."


def test_declarative_skips_questions_and_headings():
    assert declarative(SENTENCE)
    assert not declarative("Why is Putin not helping ally Iran?")
    assert not declarative("Live updates")


def test_cloze_question_removes_the_answer_from_the_question():
    made = cloze_question(ARTICLE[2], random.Random(4))
    assert made is not None
    question, answer = made
    assert question.endswith("?") and answer in ARTICLE[2] and answer not in question


def test_nli_pairs_are_labelled_by_the_rule_that_made_them():
    pairs = list(nli_pairs([ARTICLE, ARTICLE[::-1]], random.Random(5), per_article=4, source="t"))
    kinds = {p.kind: p.label for p in pairs}
    assert {p.label for p in pairs} == {ENTAIL, CONTRADICT, NEUTRAL}
    for kind, label in kinds.items():
        if kind in ("number", "date", "name", "negation", "antonym", "pronoun"):
            assert label == CONTRADICT
        elif kind in ("clause-dropped", "with-context", "identity"):
            assert label == ENTAIL
        else:
            assert label == NEUTRAL
    assert all(p.source == "t" and p.a and p.b for p in pairs)
    contradictions = [p for p in pairs if p.label == CONTRADICT]
    assert all(p.a != p.b for p in contradictions)


def test_pairs_are_deterministic_for_a_seed():
    one = list(nli_pairs([ARTICLE], random.Random(9))) + list(qa_pairs([ARTICLE], random.Random(9)))
    two = list(nli_pairs([ARTICLE], random.Random(9))) + list(qa_pairs([ARTICLE], random.Random(9)))
    assert one == two


def test_qa_pairs_answer_only_against_their_own_sentence():
    pairs = list(qa_pairs([ARTICLE], random.Random(6), per_article=4))
    positives = [p for p in pairs if p.label == 1]
    assert positives and all(p.b in ARTICLE for p in positives)
    for p in pairs:
        if p.label == 0 and p.kind == "cloze-same-article":
            assert p.b != next(q.b for q in positives if q.a == p.a)
