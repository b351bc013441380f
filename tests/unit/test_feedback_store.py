"""The feedback store: answers, one vote per member, counts, export, hashed ids and locks."""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrieval.feedback import (
    FEEDBACK_FILE,
    SCHEMA_VERSION,
    FeedbackStore,
    FeedbackUnavailable,
    UnknownAnswer,
)

KEY = "0123456789ab"
OTHER = "ba9876543210"
MEMBER = 123_456_789_012_345_678
BUSY = 0.25


def ticking_clock():
    """One second later on every call, so each write has its own time."""
    ticks = itertools.count()
    start = datetime(2025, 6, 23, 10, tzinfo=UTC)
    return lambda: (start + timedelta(seconds=next(ticks))).isoformat(timespec="milliseconds")


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    path = tmp_path / "store" / FEEDBACK_FILE
    store = FeedbackStore(path, busy_timeout=BUSY, clock=ticking_clock())
    store.record(KEY, "ask", "Why is Russia not helping Iran?", "Because [1]", ["reuters-1"], 7, 70)
    return store


@pytest.fixture
def locked(store: FeedbackStore):
    """Another connection holding a write transaction on the store."""
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.rollback()
    other.close()


def test_the_file_and_its_folder_are_created_on_first_use(tmp_path):
    store = FeedbackStore(tmp_path / "new" / FEEDBACK_FILE)
    assert not store.path.parent.exists()
    store.record(KEY, "check", "Russia withdrew support.", "contradicted", [])
    assert store.path.is_file()


def test_the_schema_is_versioned_and_the_journal_is_wal(store):
    store.counts()
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_first_vote_returns_none_and_is_counted(store):
    assert store.vote(KEY, MEMBER, "up") is None
    counts = store.counts()
    assert (counts["answers"], counts["up"], counts["down"], counts["voters"]) == (1, 1, 0, 1)


def test_voting_again_replaces_the_vote_and_returns_the_old_one(store):
    store.vote(KEY, MEMBER, "down")
    assert store.vote(KEY, MEMBER, "up") == "down"
    counts = store.counts()
    assert (counts["votes"], counts["up"], counts["down"]) == (1, 1, 0)


def test_the_same_vote_again_changes_nothing_and_says_so(store):
    store.vote(KEY, MEMBER, "wrong_source")
    first = store.export()
    assert store.vote(KEY, MEMBER, "wrong_source") == "wrong_source"
    assert store.export() == first


def test_a_vote_on_an_unknown_answer_is_refused(store):
    with pytest.raises(UnknownAnswer):
        store.vote(OTHER, MEMBER, "up")
    assert store.counts()["votes"] == 0


@pytest.mark.parametrize("vote", ["meh", "", "UP"])
def test_an_unknown_vote_is_refused(store, vote):
    with pytest.raises(ValueError):
        store.vote(KEY, MEMBER, vote)


def test_an_unknown_kind_of_answer_is_refused(store):
    with pytest.raises(ValueError):
        store.record(OTHER, "poll", "q", "a", [])


def test_recording_the_same_key_again_keeps_its_votes(store):
    store.vote(KEY, MEMBER, "up")
    store.record(KEY, "ask", "Why is Russia not helping Iran?", "Edited [1]", ["reuters-2"], 7, 70)
    (row,) = store.export()
    assert (row["answer"], row["article_ids"], row["vote"]) == ("Edited [1]", ["reuters-2"], "up")


def test_each_member_has_one_vote_per_answer(store):
    store.record(OTHER, "check", "Russia withdrew support.", "contradicted", [], 7, 71)
    for member, vote in [(1, "up"), (2, "down"), (3, "down"), (1, "down")]:
        store.vote(KEY, member, vote)
    store.vote(OTHER, 1, "wrong_source")
    counts = store.counts()
    assert counts["votes"] == 4 and counts["voters"] == 3 and counts["voted_answers"] == 2
    assert (counts["up"], counts["down"], counts["wrong_source"]) == (0, 3, 1)


def test_counts_for_a_server_leave_out_the_others(store):
    store.record(OTHER, "ask", "Elsewhere?", "a", [], 8, 80)
    store.vote(OTHER, MEMBER, "down")
    store.vote(KEY, MEMBER, "up")
    here, elsewhere, everywhere = store.counts(7), store.counts(8), store.counts()
    assert (here["answers"], here["up"], here["down"]) == (1, 1, 0)
    assert (elsewhere["answers"], elsewhere["up"], elsewhere["down"]) == (1, 0, 1)
    assert (everywhere["answers"], everywhere["votes"]) == (2, 2)


def test_flagged_lists_the_answers_voted_down_most_with_their_question(store):
    store.record(OTHER, "check", "Russia withdrew support.", "contradicted", [], 7, 71)
    store.record("aaaaaaaaaaaa", "ask", "Liked?", "yes", [], 7, 71)
    store.vote("aaaaaaaaaaaa", 1, "up")
    store.vote(KEY, 1, "down")
    store.vote(OTHER, 1, "down")
    store.vote(OTHER, 2, "wrong_source")
    flagged = store.counts(7)["flagged"]
    assert [f["key"] for f in flagged] == [OTHER, KEY]
    assert flagged[0]["question"] == "Russia withdrew support."
    assert (flagged[0]["down"], flagged[0]["wrong_source"], flagged[0]["up"]) == (1, 1, 0)


def test_export_has_one_row_per_vote_newest_first_with_its_answer(tmp_path):
    store = FeedbackStore(tmp_path / FEEDBACK_FILE, clock=ticking_clock())
    store.record(KEY, "ask", "Why?", "Because [1]", ["reuters-1", "cna-1"], 7, 70)
    store.vote(KEY, 1, "up")
    store.vote(KEY, 2, "wrong_source")
    newest, oldest = store.export()
    assert (newest["vote"], oldest["vote"]) == ("wrong_source", "up")
    assert newest == {
        "key": KEY,
        "kind": "ask",
        "question": "Why?",
        "answer": "Because [1]",
        "article_ids": ["reuters-1", "cna-1"],
        "guild_id": "7",
        "channel_id": "70",
        "answered": "2025-06-23T10:00:00.000+00:00",
        "user_hash": newest["user_hash"],
        "vote": "wrong_source",
        "voted": "2025-06-23T10:00:02.000+00:00",
    }


def test_member_ids_are_stored_only_as_a_keyed_hash(store):
    store.vote(KEY, MEMBER, "up")
    (row,) = store.export()
    files = [store.path, store.path.with_name(FEEDBACK_FILE + "-wal")]
    raw = b"".join(p.read_bytes() for p in files if p.exists())
    assert str(MEMBER).encode() not in raw
    assert str(MEMBER) not in row["user_hash"] and len(row["user_hash"]) == 64
    assert row["user_hash"] != hashlib.sha256(str(MEMBER).encode()).hexdigest()


def test_the_same_member_hashes_alike_in_one_store_and_differently_in_another(store, tmp_path):
    store.vote(KEY, MEMBER, "up")
    again = FeedbackStore(store.path)  # a new process on the same file
    assert again.vote(KEY, MEMBER, "down") == "up"
    other = FeedbackStore(tmp_path / "other.sqlite3")
    other.record(KEY, "ask", "q", "a", [])
    other.vote(KEY, MEMBER, "up")
    assert store.export()[0]["user_hash"] != other.export()[0]["user_hash"]


@pytest.mark.parametrize(
    "write",
    [
        lambda s: s.vote(KEY, MEMBER, "up"),
        lambda s: s.record(OTHER, "ask", "q", "a", []),
    ],
    ids=["vote", "record"],
)
def test_a_locked_store_fails_clearly_within_the_busy_timeout(store, locked, write):
    started = time.perf_counter()
    with pytest.raises(FeedbackUnavailable):
        write(store)
    assert time.perf_counter() - started < BUSY + 1.0


def test_a_vote_succeeds_once_the_lock_is_released(store, locked):
    with pytest.raises(FeedbackUnavailable):
        store.vote(KEY, MEMBER, "up")
    locked.rollback()
    assert store.vote(KEY, MEMBER, "up") is None
    assert store.counts()["up"] == 1


def test_a_new_store_object_reads_while_another_connection_writes(store, locked):
    assert FeedbackStore(store.path, busy_timeout=BUSY).counts()["answers"] == 1


def test_a_file_that_is_not_a_database_is_unavailable_not_a_crash(tmp_path):
    path = tmp_path / FEEDBACK_FILE
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(FeedbackUnavailable):
        FeedbackStore(path).counts()


def test_a_store_from_a_newer_wirecheck_is_unavailable(tmp_path):
    path = tmp_path / FEEDBACK_FILE
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(FeedbackUnavailable, match="newer"):
        FeedbackStore(path).counts()


def test_a_store_that_cannot_be_created_is_unavailable(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(FeedbackUnavailable):
        FeedbackStore(tmp_path / "a-file" / FEEDBACK_FILE).record(KEY, "ask", "q", "a", [])
