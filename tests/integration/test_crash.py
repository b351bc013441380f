"""Crash safety: an indexer killed (SIGKILL) at any phase leaves an index that opens and recovers.

The indexer runs in a subprocess that announces each phase on stdout and then lingers there;
the test kills it at that moment, reopens the store and checks it serves a whole corpus.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import FakeEmbedder, settings_for

from retrieval import Engine
from retrieval.indexer import validate_generation

TESTS = Path(__file__).resolve().parents[1]
ARTICLES = 100

WORKER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from helpers import FakeEmbedder, settings_for
    import retrieval.engine as engine_module
    import retrieval.indexer as indexer
    from retrieval import Engine

    phase = {phase!r}

    def announce(name):
        if name == phase:
            print(name, flush=True)
            time.sleep(60)

    class SlowEmbedder(FakeEmbedder):
        def embed(self, texts):
            out = super().embed(texts)
            if self.calls == 2:
                announce("embedding")
            return out

    validate = engine_module.validate_generation
    def validate_then_announce(*args):
        validate(*args)
        announce("validated")
    engine_module.validate_generation = validate_then_announce

    collect = engine_module.collect_garbage
    def announce_then_collect(table, vectors):
        if table.generation("previous") is not None:
            announce("switched")
        return collect(table, vectors)
    engine_module.collect_garbage = announce_then_collect

    eng = Engine(settings_for(Path({corpus!r}), Path({store!r})), embedder=SlowEmbedder())
    print(eng.reload().summary(), flush=True)
    """
)


def _write_corpus(folder: Path, n: int, edition: str) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"a{i:03d}.md").write_text(
            f"---\nid: a{i:03d}\ntitle: Report {i} on topic {i % 7}\noutlet: Outlet {i % 5}\n"
            f"published: 2025-06-{1 + i % 28:02d}\n---\n"
            f"Edition {edition}: the council of district {i} voted on measure {i * 3}. "
            f"Residents of district {i} said the vote on measure {i * 3} was close.\n\n"
            f"A second paragraph about district {i} and the river {i % 11} follows here.\n",
            encoding="utf-8",
        )


def _run_until(phase: str, corpus: Path, store: Path) -> None:
    code = WORKER.format(tests=str(TESTS), phase=phase, corpus=str(corpus), store=str(store))
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert line == phase, f"worker ended before {phase!r}: {proc.stderr.read()[-3000:]}"


@pytest.mark.parametrize("phase", ["embedding", "validated", "switched"])
def test_indexer_killed_mid_reload_leaves_an_index_that_recovers(tmp_path, phase):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    _write_corpus(corpus, ARTICLES, "one")
    first = Engine(settings_for(corpus, store), embedder=FakeEmbedder())
    first.reload()
    first.close()
    _write_corpus(corpus, ARTICLES, "two")

    _run_until(phase, corpus, store)

    engine = Engine(settings_for(corpus, store), embedder=FakeEmbedder())
    try:
        # Whatever was killed, the served index is whole: one edition or the other.
        served = engine.state.articles
        assert len(served) == ARTICLES
        editions = {a.body.split(":")[0] for a in served.values()}
        assert editions in ({"Edition one"}, {"Edition two"})
        validate_generation(engine._table, engine._vectors, engine._table.generation())
        report = engine.reload()
        assert report.errors == ()
        assert {a.body.split(":")[0] for a in engine.state.articles.values()} == {"Edition two"}
        answer = engine.ask("How did district 42 vote on measure 126?")
        assert answer.citations and answer.citations[0].article_id == "a042"
    finally:
        engine.close()


def test_a_damaged_store_is_moved_aside_and_rebuilt(tmp_path, seed_corpus):
    store = tmp_path / "store"
    engine = Engine(settings_for(seed_corpus, store), embedder=FakeEmbedder())
    engine.reload()
    engine.close()
    (store / "articles.sqlite").write_bytes(b"this is not a database" * 100)
    for extra in ("articles.sqlite-wal", "articles.sqlite-shm"):
        (store / extra).unlink(missing_ok=True)

    engine = Engine(settings_for(seed_corpus, store), embedder=FakeEmbedder())
    try:
        assert [p.name.startswith("damaged-") for p in store.iterdir()].count(True) == 1
        report = engine.reload()
        assert report.added == 5
        assert engine.ask("Why isn't Russia helping Iran?").status == "answered"
    finally:
        engine.close()


def test_a_store_missing_vectors_is_moved_aside_and_rebuilt(tmp_path, seed_corpus):
    store = tmp_path / "store"
    engine = Engine(settings_for(seed_corpus, store), embedder=FakeEmbedder())
    engine.reload()
    engine._vectors.reset()  # the manifest still names every unit; the vectors are gone
    engine.close()

    engine = Engine(settings_for(seed_corpus, store), embedder=FakeEmbedder())
    try:
        assert [p.name.startswith("damaged-") for p in store.iterdir()].count(True) == 1
        assert engine.reload().added == 5
        assert engine.ask("Why isn't Russia helping Iran?").status == "answered"
    finally:
        engine.close()
