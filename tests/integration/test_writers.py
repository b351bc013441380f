"""One writer per store, across processes (issue: two writers corrupted the embedded store).

Real processes on one real embedded Chroma store; the fake embedder keeps each start quick.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers import FakeEmbedder, settings_for

from retrieval import Engine, ReloadInProgress
from retrieval.indexer import validate_generation
from retrieval.opening import TABLE_FILE
from retrieval.store import IndexTable
from retrieval.vectors import PASSAGES, VectorIndex, open_chroma
from retrieval.writer import LOCK_FILE, WriterLock

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parents[1]
TOPICS = ("bridge", "harbour", "school", "railway", "hospital", "market", "library", "tunnel")


def write_corpus(folder: Path, n: int) -> Path:
    """``n`` short distinct articles on council votes."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        (folder / f"story-{i:03d}.md").write_text(
            f"---\nid: story-{i:03d}\ntitle: Council {i} votes on the {topic}\n"
            f"outlet: Wire {i % 7}\npublished: 2025-05-{1 + i % 28:02d}\n---\n\n"
            f"The council of town {i} voted {i % 9 + 3} to {i % 4} on the {topic} plan.\n\n"
            f"Residents of town {i} said the {topic} had waited {i % 12 + 2} years for repairs. "
            f"The mayor promised work would start in month {i % 12 + 1}.\n",
            encoding="utf-8",
        )
    return folder


def hold_lock_in_another_process(store: Path) -> subprocess.Popen:
    """A process that takes the store's writer lock and keeps it until killed."""
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(TESTS.parent)!r})
        from retrieval.writer import WriterLock
        lock = WriterLock(__import__("pathlib").Path({str(store)!r}))
        lock.acquire("reloading")
        print("held", flush=True)
        time.sleep(120)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def store_holds_exactly_what_it_serves(store: Path, corpus: Path) -> None:
    """Every unit of every kept version is in Chroma once, and nothing else is."""
    table = IndexTable(store / TABLE_FILE)
    vectors = VectorIndex(open_chroma(store), "wirecheck", table)
    try:
        gen = table.generation()
        assert gen is not None
        validate_generation(table, vectors, gen)
        kept = table.versions_of(table.ready() | table.pending())
        want_p = sum(p for _, p, _ in kept)
        want_s = sum(s for _, _, s in kept)
        assert (vectors.count(PASSAGES), table.vector_rows()) == (want_p, want_s)
        assert not table.pending()
    finally:
        vectors.close()
        table.close()


def test_second_writer_is_refused_with_the_holders_pid(tmp_path, fake_embedder):
    settings = settings_for(write_corpus(tmp_path / "corpus", 5), tmp_path / "store")
    with Engine(settings, embedder=fake_embedder) as engine:
        engine.reload()
        holder = hold_lock_in_another_process(settings.store_dir)
        try:
            (settings.corpus_dir / "story-000.md").write_text(
                "---\ntitle: Changed\n---\n\nA new text.\n", encoding="utf-8"
            )
            started = time.monotonic()
            with pytest.raises(ReloadInProgress) as caught:
                engine.reload(wait=0.5)
            assert time.monotonic() - started >= 0.5  # it waited its bounded time
            assert f"pid {holder.pid}" in str(caught.value)
            # Readers never need the lock: the served generation still answers.
            assert engine.ask("Which council voted on the bridge?").citations
        finally:
            holder.kill()
            holder.wait()
        # Once the holder is gone (killed: the OS drops its lock), the reload runs.
        assert engine.reload(wait=0.5).updated == 1


def test_lock_is_released_when_its_holder_dies(tmp_path):
    holder = hold_lock_in_another_process(tmp_path)
    holder.kill()
    holder.wait()
    lock = WriterLock(tmp_path)
    with lock.hold("reloading", wait=0.0):
        assert lock.held
    assert not lock.held
    assert (tmp_path / LOCK_FILE).read_text() == ""  # no stale note once released


def test_two_index_commands_at_once_leave_a_whole_store(tmp_path):
    """The reported race: two `wirecheck index` on one store. Now one waits for the other."""
    corpus = write_corpus(tmp_path / "corpus", 120)
    store = tmp_path / "store"
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r}); sys.path.insert(0, {str(TESTS.parent)!r})
        from helpers import FakeEmbedder, settings_for
        from retrieval import Engine
        from pathlib import Path
        s = settings_for(Path({str(corpus)!r}), Path({str(store)!r}), writer_wait_seconds=60)
        with Engine(s, embedder=FakeEmbedder()) as e:
            r = e.reload()
            print(r.added, r.unchanged)
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300)[0].split() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    # One built the index; the other waited, then found nothing left to do.
    assert sorted(outs) == [["0", "120"], ["120", "0"]]
    store_holds_exactly_what_it_serves(store, corpus)


def test_long_lived_engine_follows_another_process_writes(tmp_path, fake_embedder):
    """Chroma's embedded client keeps a per-process view; a writer elsewhere must not leave
    the bot answering from (or writing over) a stale one."""
    corpus = write_corpus(tmp_path / "corpus", 10)
    settings = settings_for(corpus, tmp_path / "store")
    with Engine(settings, embedder=fake_embedder) as bot:
        bot.reload()
        assert bot.ask("Which council voted on the bridge?").citations  # vectors loaded
        (corpus / "story-new.md").write_text(
            "---\nid: story-new\ntitle: Zeppelin hangar approved\n---\n\n"
            "The zeppelin hangar in Brightwater was approved by the aviation board.\n",
            encoding="utf-8",
        )
        code = textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(TESTS)!r}); sys.path.insert(0, {str(TESTS.parent)!r})
            from helpers import FakeEmbedder, settings_for
            from retrieval import Engine
            from pathlib import Path
            s = settings_for(Path({str(corpus)!r}), Path({str(settings.store_dir)!r}))
            with Engine(s, embedder=FakeEmbedder()) as e:
                assert e.reload().added == 1
            """
        )
        subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
        assert bot.refresh()
        answer = bot.ask("Was the zeppelin hangar in Brightwater approved?")
        assert [c.article_id for c in answer.citations][:1] == ["story-new"]
        # And a write of its own goes onto the store as it is now, not its old view.
        (corpus / "story-001.md").unlink()
        assert bot.reload().removed == 1
    store_holds_exactly_what_it_serves(settings.store_dir, corpus)


def test_many_processes_reloading_and_asking_leave_one_whole_store(tmp_path):
    """4 processes x 20 rounds of edit, reload and ask over 100 articles, two of them
    long-lived (like the bot), two opening the store afresh each round (like the CLI)."""
    corpus = write_corpus(tmp_path / "corpus", 100)
    store = tmp_path / "store"
    with Engine(settings_for(corpus, store), embedder=FakeEmbedder()) as engine:
        engine.reload()
    worker = TESTS / "store_worker.py"
    procs = []
    for n, mode in enumerate(("long", "fresh", "long", "fresh")):
        report = tmp_path / f"report-{n}.json"
        args = [str(corpus), str(store), "20", str(n), mode, str(report)]
        procs.append((report, subprocess.Popen([sys.executable, str(worker), *args])))
    for _, proc in procs:
        assert proc.wait(timeout=600) == 0
    reports = [json.loads(r.read_text()) for r, _ in procs]
    assert all(r["answers"] == 20 and r["failed"] == 0 for r in reports), reports
    assert sum(r["reloads"] for r in reports) > 0
    # Afterwards: the store opens, serves the corpus as it is, and holds one copy of each unit.
    with Engine(settings_for(corpus, store), embedder=FakeEmbedder()) as engine:
        engine.reload()
        assert len(engine.state.articles) == 104
        for n in range(4):
            assert "round 19" in engine.source(f"worker-{n}").title
        assert engine.ask("What did the council of Harbor decide about the bridge?").citations
    store_holds_exactly_what_it_serves(store, corpus)
    assert not any(p.name.startswith("damaged-") for p in store.iterdir())
    assert os.path.getsize(store / LOCK_FILE) == 0
