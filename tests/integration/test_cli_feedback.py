"""`wirecheck feedback` in-process on a real feedback store in tmp_path (no model, no index)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from retrieval import FeedbackStore

KEY, OTHER = "0123456789ab", "ba9876543210"
ALICE, BOB = 123_456_789_012_345_678, 223_456_789_012_345_678


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No WIRECHECK_* variables and no wirecheck.toml may leak in from the outside."""
    for key in list(os.environ):
        if key.startswith("WIRECHECK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    store = FeedbackStore.in_store(tmp_path / "store")
    store.record(KEY, "ask", "Why is Russia not helping Iran?", "Because [1]", ["reuters-1"], 7, 70)
    store.record(OTHER, "check", "Russia withdrew support.", "contradicted", ["cna-1"], 7, 70)
    store.vote(KEY, ALICE, "up")
    store.vote(OTHER, ALICE, "wrong_source")
    store.vote(OTHER, BOB, "down")
    return tmp_path / "store"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_feedback_json_exports_every_vote_newest_first(capsys, store_dir):
    rc, out, _ = run(capsys, "feedback", "--json", "--store", str(store_dir))
    assert rc == 0
    votes = json.loads(out)
    assert [(v["key"], v["vote"]) for v in votes] == [
        (OTHER, "down"),
        (OTHER, "wrong_source"),
        (KEY, "up"),
    ]
    assert votes[-1]["question"] == "Why is Russia not helping Iran?"
    assert votes[-1]["article_ids"] == ["reuters-1"]
    assert {"kind", "answer", "user_hash", "voted"} <= set(votes[0])
    assert str(ALICE) not in out and str(BOB) not in out


def test_feedback_without_json_summarises_the_counts_and_the_worst_answers(capsys, store_dir):
    rc, out, _ = run(capsys, "feedback", "--store", str(store_dir))
    assert rc == 0
    assert "2 answers recorded" in out
    assert "3 votes from 2 members: up 1, down 1, wrong source 1" in out
    worst = out.split("Voted down most:")[1].splitlines()[1]
    assert "Russia withdrew support." in worst


def test_feedback_on_a_store_without_feedback_creates_nothing(capsys, tmp_path):
    store = tmp_path / "missing"
    rc, out, _ = run(capsys, "feedback", "--json", "--store", str(store))
    assert (rc, json.loads(out)) == (0, [])
    assert not store.exists()


def test_feedback_on_a_corrupt_store_is_one_error_line(capsys, tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "feedback.sqlite3").write_bytes(b"not a database" * 100)
    rc, out, err = run(capsys, "feedback", "--store", str(tmp_path / "store"))
    assert (rc, out) == (1, "")
    assert err.startswith("error: ") and err.count("\n") == 1


def test_feedback_reads_while_another_process_holds_the_write_lock(capsys, store_dir):
    other = sqlite3.connect(store_dir / "feedback.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        rc, out, _ = run(capsys, "feedback", "--json", "--store", str(store_dir))
    finally:
        other.rollback()
        other.close()
    assert rc == 0 and len(json.loads(out)) == 3
