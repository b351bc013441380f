"""Reload without downtime, rollback, one reload at a time, and story clusters across reloads.

Real embedded Chroma in tmp_path with the fake embedder: what is under test is the switching.
"""

from __future__ import annotations

import threading

import pytest
from helpers import REUTERS, FakeEmbedder

import retrieval.engine
from retrieval import Engine, NoPreviousIndex, ReloadFailed, ReloadInProgress
from retrieval.indexer import validate_generation
from retrieval.vectors import PASSAGES

ARTICLE = """---
id: parade
title: "Flamingo parade crosses the zebra bridge"
outlet: Vladivostok Courier
published: 2025-06-20
---
The flamingo parade crossed the zebra bridge in Vladivostok on {day}.

Organisers said the birds were calm and the crowd was large.
"""
QUESTION = "When did the flamingo parade cross the zebra bridge?"


@pytest.fixture
def corpus(seed_corpus):
    (seed_corpus / "parade.md").write_text(ARTICLE.format(day="Tuesday"), encoding="utf-8")
    return seed_corpus


@pytest.fixture
def engine(corpus, tmp_path, make_settings, fake_embedder):
    eng = Engine(make_settings(corpus, tmp_path / "store"), embedder=fake_embedder)
    eng.reload()
    assert eng.state.articles  # serving, as a running bot is
    yield eng
    eng.close()


def _day(engine: Engine) -> str:
    answer = engine.ask(QUESTION)
    quotes = " ".join(c.quote for c in answer.citations if c.article_id == "parade")
    days = [d for d in ("Tuesday", "Friday") if d in quotes]
    assert len(days) == 1, quotes
    return days[0]


def _set_day(corpus, day: str) -> None:
    (corpus / "parade.md").write_text(ARTICLE.format(day=day), encoding="utf-8")


def _hold_before_switch(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Pause reloads after the new generation is written and validated, before the switch."""
    reached, release = threading.Event(), threading.Event()

    def held(*args, **kwargs):
        validate_generation(*args, **kwargs)
        reached.set()
        assert release.wait(30)

    monkeypatch.setattr(retrieval.engine, "validate_generation", held)
    return reached, release


def test_reload_serves_the_changed_article(engine, corpus):
    assert _day(engine) == "Tuesday"
    _set_day(corpus, "Friday")
    report = engine.reload()
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert _day(engine) == "Friday"


def test_questions_during_a_reload_are_answered_from_the_old_state(engine, corpus, monkeypatch):
    _set_day(corpus, "Friday")
    reached, release = _hold_before_switch(monkeypatch)
    worker = threading.Thread(target=engine.reload)
    worker.start()
    try:
        assert reached.wait(30)
        # The new version's vectors are in the store already; the old state must not see them.
        answers = {_day(engine) for _ in range(5)}
    finally:
        release.set()
        worker.join(30)
    assert answers == {"Tuesday"}
    assert _day(engine) == "Friday"


def test_concurrent_questions_see_old_or_new_never_a_mix(engine, corpus):
    _set_day(corpus, "Friday")
    seen: list[str] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask_until_stopped() -> None:
        while not stop.is_set():
            try:
                seen.append(_day(engine))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
                return

    askers = [threading.Thread(target=ask_until_stopped) for _ in range(3)]
    for t in askers:
        t.start()
    engine.reload()
    after = {_day(engine) for _ in range(3)}
    stop.set()
    for t in askers:
        t.join(30)
    assert errors == []
    assert seen and set(seen) <= {"Tuesday", "Friday"}
    assert after == {"Friday"}


def test_failed_reload_leaves_the_old_index_serving(engine, corpus, monkeypatch):
    before = (engine._vectors.count(PASSAGES), engine._table.vector_rows())
    _set_day(corpus, "Friday")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(retrieval.engine, "validate_generation", broken)
    with pytest.raises(ReloadFailed, match="disk full.*previous index is still serving"):
        engine.reload()
    assert _day(engine) == "Tuesday"
    # The half-built version was cleaned away, not left beside the served one.
    assert (engine._vectors.count(PASSAGES), engine._table.vector_rows()) == before
    monkeypatch.undo()
    assert engine.reload().updated == 1
    assert _day(engine) == "Friday"


def test_failure_while_embedding_leaves_the_old_index_serving(engine, corpus, fake_embedder):
    _set_day(corpus, "Friday")
    original = fake_embedder.embed
    fake_embedder.embed = lambda texts: (_ for _ in ()).throw(RuntimeError("model crashed"))
    try:
        with pytest.raises(ReloadFailed, match="model crashed"):
            engine.reload()
    finally:
        fake_embedder.embed = original
    assert _day(engine) == "Tuesday"
    assert engine.stats().can_rollback is False


def test_rollback_returns_to_the_previous_state_and_back(engine, corpus):
    _set_day(corpus, "Friday")
    engine.reload()
    report = engine.rollback()
    assert report.updated == 1
    assert _day(engine) == "Tuesday"
    engine.rollback()
    assert _day(engine) == "Friday"


def test_rollback_in_a_new_process_serves_the_previous_state(
    engine, corpus, make_settings, tmp_path
):
    _set_day(corpus, "Friday")
    engine.reload()
    engine.close()
    other = Engine(make_settings(corpus, tmp_path / "store"), embedder=FakeEmbedder())
    try:
        other.rollback()
        assert _day(other) == "Tuesday"
    finally:
        other.close()


def test_rollback_without_a_previous_state_is_refused(tmp_path, seed_corpus, make_settings):
    eng = Engine(make_settings(seed_corpus, tmp_path / "store"), embedder=FakeEmbedder())
    eng.reload()
    with pytest.raises(NoPreviousIndex):
        eng.rollback()
    eng.close()


def test_a_second_reload_is_refused_while_one_runs(engine, corpus, monkeypatch):
    _set_day(corpus, "Friday")
    reached, release = _hold_before_switch(monkeypatch)
    worker = threading.Thread(target=engine.reload)
    worker.start()
    try:
        assert reached.wait(30)
        with pytest.raises(ReloadInProgress):
            engine.reload()
        with pytest.raises(ReloadInProgress):
            engine.rollback()
    finally:
        release.set()
        worker.join(30)
    assert _day(engine) == "Friday"


def test_a_reload_reuses_the_served_work_for_unchanged_articles(engine, corpus):
    before = engine.state
    _set_day(corpus, "Friday")
    engine.reload()
    after = engine.state
    assert after is not before
    assert after.units[REUTERS] is before.units[REUTERS]
    assert after.units["parade"] is not before.units["parade"]


def test_store_keeps_only_served_and_previous_versions(engine, corpus):
    for day in ("Friday", "Sunday", "Monday"):
        _set_day(corpus, day)
        engine.reload()
    table = engine._table
    versions = {h for aid, h in table.ready() if aid == "parade"}
    assert len(versions) == 2  # served and previous; older ones were deleted with their units
    want_p = sum(
        table.unit_counts(g)[0] for g in {table.generation(), table.generation("previous")}
    )
    assert engine._vectors.count(PASSAGES) <= want_p


def test_a_new_wire_copy_joins_the_existing_story(engine, corpus):
    reuters = (corpus / f"{REUTERS}.md").read_text(encoding="utf-8")
    copy = reuters.replace(f'id: "{REUTERS}"', "id: wire-copy-ap").replace(
        'outlet: "Reuters"', "outlet: Associated Wire"
    )
    assert copy != reuters
    (corpus / "wire-copy-ap.md").write_text(copy, encoding="utf-8")
    engine.reload()
    state = engine.state
    assert state.story_of["wire-copy-ap"] == state.story_of[REUTERS]
    assert "Associated Wire" in state.also_reported_by(REUTERS)


def test_a_serving_engine_follows_a_switch_made_by_another_indexer(
    engine, corpus, make_settings, tmp_path
):
    assert engine.refresh() is False
    indexer = Engine(make_settings(corpus, tmp_path / "store"), embedder=FakeEmbedder())
    try:
        _set_day(corpus, "Friday")
        indexer.reload()
    finally:
        indexer.close()
    assert _day(engine) == "Tuesday"
    assert engine.refresh() is True
    assert _day(engine) == "Friday"
    assert engine.refresh() is False
