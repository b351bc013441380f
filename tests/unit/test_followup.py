"""Follow-up questions read against the conversation; conversations bounded in turns and age."""

from __future__ import annotations

import pytest

from bot.conversations import Conversations
from retrieval import resolve_followup

RUSSIA = "Why isn't Russia helping Iran?"


@pytest.mark.parametrize(
    ("question", "history", "asked"),
    [
        ("and what about China?", [RUSSIA], "Why isn't China helping Iran?"),
        ("What about China then?", [RUSSIA], "Why isn't China helping Iran?"),
        ("And Turkey?", [RUSSIA], "Why isn't Turkey helping Iran?"),
        ("How did they respond?", [RUSSIA], "How did Russia respond?"),
        ("what did he tell them?", ["What did Putin tell Araghchi?"], None),
        ("What about the oil price?", [RUSSIA], "What about the oil price (Russia, Iran)?"),
        ("did he mention the US?", ["What did Putin say?"], "did Putin mention the US?"),
        # A name before the pronoun is what the pronoun means.
        (
            "What did Trump say when he met Putin?",
            ["What did Putin say?"],
            "What did Trump say when he met Putin?",
        ),
        ("Why?", [RUSSIA], "Why (Russia, Iran)?"),
        # Questions that stand on their own are asked as typed.
        ("Did Israel strike Fordow?", [RUSSIA], "Did Israel strike Fordow?"),
        ("And did the US strike Fordow?", [RUSSIA], "And did the US strike Fordow?"),
        ("What did the Kremlin say about his trip?", [RUSSIA], None),
        ("and what about China?", [], "and what about China?"),
        # The latest question counts, not the first.
        ("what about Israel?", ["Who struck Fordow?", RUSSIA], "Why isn't Israel helping Iran?"),
    ],
)
def test_follow_ups_carry_over_what_they_leave_out(question, history, asked):
    if asked is None:
        asked = {
            "what did he tell them?": "what did Putin tell Araghchi?",
            "What did the Kremlin say about his trip?": "What did the Kremlin say about his trip?",
        }[question]
    assert resolve_followup(question, history) == asked


def test_a_swap_that_names_only_what_was_asked_about_asks_the_earlier_question():
    assert resolve_followup("and what about Iran?", ["Why isn't Russia helping Iran?"]) == (
        "Why isn't Russia helping Iran?"
    )


def test_whitespace_is_collapsed_and_nothing_is_invented():
    out = resolve_followup("  and   what about\nChina? ", [RUSSIA])
    assert out == "Why isn't China helping Iran?"
    assert set(out.split()) <= set(RUSSIA.split()) | {"China"}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_new_thread_starts_from_the_question_it_was_opened_on():
    convo = Conversations(max_turns=5, max_age=3600)
    assert convo.turn(1, RUSSIA).history == (RUSSIA,)
    convo.asked(1, "Why isn't China helping Iran?")
    turn = convo.turn(1, "ignored once followed")
    assert turn.history == (RUSSIA, "Why isn't China helping Iran?")
    assert not turn.ended_now


def test_a_conversation_ends_after_its_turns_and_later_questions_stand_alone():
    convo = Conversations(max_turns=2, max_age=3600)
    convo.turn(1, RUSSIA)
    convo.asked(1, "second")
    ended = convo.turn(1)
    assert ended.history == () and ended.ended_now
    convo.asked(1, "third")  # not recorded: the context is gone
    after = convo.turn(1)
    assert after.history == () and not after.ended_now


def test_a_conversation_ends_with_age():
    clock = Clock()
    convo = Conversations(max_turns=50, max_age=60, clock=clock)
    convo.turn(1, RUSSIA)
    clock.now = 59
    assert convo.turn(1).history == (RUSSIA,)
    clock.now = 61
    assert convo.turn(1).ended_now


def test_ending_a_thread_drops_its_context_and_answers_are_remembered_for_replies():
    convo = Conversations(max_turns=5, max_age=60)
    convo.turn(7, RUSSIA)
    convo.end(7)
    assert 7 not in convo
    convo.answered(99, RUSSIA)
    assert convo.question_of(99) == RUSSIA and convo.question_of(98) is None
