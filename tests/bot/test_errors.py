"""Every error as the user reads it: worded once, at the edge, from the error's fields."""

from __future__ import annotations

import logging
import re

import pytest
from discord import app_commands

from bot.errors import NEEDS_MODERATOR, Busy, EngineTimeout, NotModerator, OnCooldown, describe
from retrieval import NoPreviousIndex, QuestionError, ReloadFailed, ReloadInProgress


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            ReloadFailed("embedding", "disk full"),
            "The reload failed while embedding: disk full. The previous index keeps serving.",
        ),
        (
            ReloadFailed("validating", "3 units missing."),
            "The reload failed while validating: 3 units missing. "
            "The previous index keeps serving.",
        ),
        (
            ReloadInProgress("cannot reload: a reload is already running"),
            "A reload is already running. Wait for it to finish, then try again.",
        ),
        (NoPreviousIndex("none kept"), "There is no previous index to roll back to."),
        (QuestionError("the question is empty"), "The question is empty."),
        (OnCooldown(2.2), "You asked a moment ago. Try again in 3 s."),
        (Busy(0.1), "I'm busy with other questions right now. Try again in 1 s."),
        (
            EngineTimeout(60),
            "That took too long, so I stopped waiting. Try a shorter or more specific question.",
        ),
        (NotModerator(), NEEDS_MODERATOR),
        (app_commands.NoPrivateMessage(), "This command only works in a server."),
    ],
)
def test_error_reads_as_one_sentence_for_the_user(error, text):
    assert describe(error) == text


def test_reload_failure_is_not_worded_twice():
    text = describe(ReloadFailed("embedding", "disk full"))
    assert text.lower().count("reload failed") == 1
    assert text.count("previous index") == 1


def test_the_domain_error_keeps_its_fields():
    error = ReloadFailed("building the served state", "out of memory")
    assert (error.stage, error.cause) == ("building the served state", "out of memory")
    assert "out of memory" in str(error)


def test_unexpected_error_gets_an_incident_id_that_is_logged(caplog):
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        text = describe(KeyError("boom"))
    incident = re.search(r"incident ([0-9a-f]{6})", text)
    assert incident
    assert any(incident.group(1) in r.getMessage() and r.exc_info for r in caplog.records)
