"""What a moderator or a file can do to the index, through the command line (in-process, the
real MiniLM, a real embedded Chroma store). Each test reproduces one reported failure."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from helpers import REUTERS, SEED_IDS, copy_seed_corpus, settings_for

from bot.cli import main
from retrieval import Engine, StoreUnavailable
from retrieval.opening import TABLE_FILE
from retrieval.passages import units_of
from retrieval.store import IndexTable
from retrieval.vectors import PASSAGES, VectorIndex, open_chroma

pytestmark = pytest.mark.integration

QUESTION = "Why isn't Russia helping Iran?"
EXTRA = (
    "---\nid: extra-note\ntitle: Kremlin repeats its offer to mediate\noutlet: Test Wire\n"
    "published: 2025-06-24\n---\n\nThe Kremlin said on Tuesday it was ready to mediate between "
    "Iran and Israel, repeating an offer Putin first made in June.\n"
)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path, minilm):
    for key in list(os.environ):
        if key.startswith("WIRECHECK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def run(capsys, *argv: str, corpus: Path, store: Path) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([*argv, "--corpus", str(corpus), "--store", str(store)])
    out, err = capsys.readouterr()
    return rc, out, err


def damaged(store: Path) -> list[str]:
    return [p.name for p in store.iterdir() if p.name.startswith("damaged-")]


# --- 2: a file name that is not UTF-8 --------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_skipped_and_everything_else_served(tmp_path, capsys):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    bad = os.path.join(os.fsencode(corpus), b"\xff\xfe.md")
    with open(bad, "wb") as fh:
        fh.write(EXTRA.encode())
    store = tmp_path / "store"
    rc, out, err = run(capsys, "index", "--json", corpus=corpus, store=store)
    assert rc == 0, err
    assert json.loads(out)["added"] == len(SEED_IDS)
    assert "skipped \\xff\\xfe.md: the file name is not valid UTF-8" in err
    rc, out, err = run(capsys, "ask", "--json", QUESTION, corpus=corpus, store=store)
    assert rc == 0, err
    assert json.loads(out)["citations"]
    rc, out, _ = run(capsys, "sources", "--json", "Putin", corpus=corpus, store=store)
    assert rc == 0 and json.loads(out)


# --- 3: disk trouble is not damage ---------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs, where the machine lets us mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.strip() or 'not permitted'}); "
            "test_disk_trouble_at_open_is_reported_not_moved covers the seam"
        )
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Write until the disk is full, to the last byte."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


def big_article() -> str:
    """An article whose vectors need a few MB: more than a nearly full disk has left."""
    sentences = " ".join(
        f"Delegates in round {i} discussed item {i * 7} of the ceasefire plan for hours."
        for i in range(4000)
    )
    return f"---\nid: big-report\ntitle: The long conference report\n---\n\n{sentences}\n"


def test_a_full_disk_never_costs_the_intact_index(tmp_path, small_disk, capsys):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    store = small_disk / "store"
    assert run(capsys, "index", corpus=corpus, store=store)[0] == 0
    filler = fill(small_disk)
    (corpus / "big.md").write_text(big_article(), encoding="utf-8")

    # Full to the last byte: Chroma cannot even open its database. Said plainly, nothing moved.
    for command in (("ask", QUESTION), ("index",)):
        rc, out, err = run(capsys, *command, corpus=corpus, store=store)
        assert rc == 1 and out == ""
        assert "cannot be used right now" in err and "full" in err, err
        assert "Traceback" not in err and damaged(store) == []

    # Nearly full (the reported case): the reload fails, every `ask` still answers from the
    # index that serves, and none moves it aside.
    os.truncate(filler, os.path.getsize(filler) - (2 << 20))
    rc, out, err = run(capsys, "index", corpus=corpus, store=store)
    assert rc == 1 and "previous index is still serving" in err, err
    for _ in range(2):
        rc, out, err = run(capsys, "ask", "--json", QUESTION, corpus=corpus, store=store)
        assert rc == 0, err
        assert "may be stale" in err and "Traceback" not in err
        assert {c["article_id"] for c in json.loads(out)["citations"]} <= SEED_IDS
        assert damaged(store) == []

    # Space back: only the new article is embedded, nothing is rebuilt.
    filler.unlink()
    rc, out, err = run(capsys, "index", "--json", corpus=corpus, store=store)
    assert rc == 0, err
    report = json.loads(out)
    assert (report["added"], report["unchanged"]) == (1, len(SEED_IDS))


def test_disk_trouble_at_open_is_reported_not_moved(tmp_path, monkeypatch, minilm):
    """The same at the seam, for machines that cannot mount a small disk."""
    settings = settings_for(copy_seed_corpus(tmp_path / "corpus"), tmp_path / "store")
    with Engine(settings, embedder=minilm) as engine:
        engine.reload()
    import retrieval.opening as opening

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(opening, "validate_generation", full)
    with pytest.raises(StoreUnavailable, match="disk is full.*left as it is"):
        Engine(settings, embedder=minilm)
    assert damaged(settings.store_dir) == []
    monkeypatch.undo()
    with Engine(settings, embedder=minilm) as engine:
        assert set(engine.state.articles) == SEED_IDS
        assert engine.reload().unchanged == len(SEED_IDS)


def test_sentence_vectors_lost_from_the_table_are_damage(tmp_path, minilm):
    settings = settings_for(copy_seed_corpus(tmp_path / "corpus"), tmp_path / "store")
    with Engine(settings, embedder=minilm) as engine:
        engine.reload()
    table = IndexTable(settings.store_dir / TABLE_FILE)
    try:
        table.delete_vectors((a.id, a.content_hash) for a in table.articles(table.generation()))
    finally:
        table.close()
    with Engine(settings, embedder=minilm) as engine:
        assert len(damaged(settings.store_dir)) == 1
        assert engine.reload().added == len(SEED_IDS)
        assert engine.ask(QUESTION).citations


def test_vectors_that_read_back_wrong_are_damage_even_when_counts_match(tmp_path, minilm):
    """The reported two-writer damage kept the counts right; the probe reads units back."""
    settings = settings_for(copy_seed_corpus(tmp_path / "corpus"), tmp_path / "store")
    with Engine(settings, embedder=minilm) as engine:
        engine.reload()
    table = IndexTable(settings.store_dir / TABLE_FILE)
    vectors = VectorIndex(open_chroma(settings.store_dir), settings.collection_prefix, table)
    try:
        for article in table.articles(table.generation()):
            ids, _ = units_of(article).ids(article)
            beyond = len(article.body) + 10
            # Same ids, same count, but the offsets no longer lie in the article.
            vectors.collections[PASSAGES].update(
                ids=ids,
                metadatas=[{"article_id": article.id, "start": beyond, "end": beyond + 5}]
                * len(ids),
            )
    finally:
        vectors.close()
        table.close()
    with Engine(settings, embedder=minilm) as engine:
        assert len(damaged(settings.store_dir)) == 1
        assert engine.reload().added == len(SEED_IDS)
        answer = engine.ask(QUESTION)
        assert answer.citations


# --- 4: batch lines that used to abort the batch ------------------------------------------------


def test_every_batch_line_is_answered_or_refused_on_its_own(tmp_path, capsys):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    store = tmp_path / "store"
    batch = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "first", "question": QUESTION}).encode(),
        b'{"id": "surrogate", "question": "\\ud800 Putin?"}',
        b"[" * 100_000 + b"]" * 100_000,
        '{"id": "latin1", "question": "caf\xe9 Putin?"}'.encode("latin-1"),
        json.dumps(
            {"id": "controls", "question": "Why\u0000 isn't \u202eRussia helping Iran?"}
        ).encode(),
        json.dumps({"id": "huge", "question": "Putin " * 400_000}).encode(),
        json.dumps({"id": "last", "question": "What did Putin tell Araghchi?"}).encode(),
    ]
    batch.write_bytes(b"\n".join(lines) + b"\n")
    rc, out, err = run(capsys, "ask", "--json", "--batch", str(batch), corpus=corpus, store=store)
    results = [json.loads(line) for line in out.splitlines()]
    assert rc == 1  # some lines failed
    assert len(results) == len(lines)
    by_id = {r.get("id"): r for r in results}
    for good in ("first", "controls", "last"):
        assert "error" not in by_id[good] and by_id[good]["citations"], by_id[good]
    assert "\u202e" not in by_id["controls"]["question"]
    assert "lone surrogate" in by_id["surrogate"]["error"]
    assert "nested too deeply" in results[2]["error"]
    assert "not valid UTF-8" in results[3]["error"] and "line 4" in results[3]["error"]
    assert "longer than" in results[5]["error"]
    # Refused input is never echoed whole.
    assert len(out) < 200_000


def test_a_lone_surrogate_on_the_command_line_is_a_clear_error(tmp_path, capsys):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    rc, out, err = run(capsys, "ask", "Putin \udcff?", corpus=corpus, store=tmp_path / "store")
    assert rc == 2 and out == ""
    assert "not valid text" in err and "Traceback" not in err


# --- 8: what reaches the terminal ---------------------------------------------------------------


def test_escape_sequences_never_reach_the_terminal_and_long_fields_are_capped(tmp_path, capsys):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    (corpus / "evil.md").write_text(
        '---\nid: evil\ntitle: "Putin \\e]0;pwned\\a envoy \\e[2J talks"\noutlet: Wire\n---\n\n'
        "Putin met the Iranian envoy \x1b[2J\x1b]0;owned\x07 in Moscow on Monday to discuss "
        "the strikes on Iran.\n",
        encoding="utf-8",
    )
    (corpus / "long.md").write_text(
        f"---\nid: long\ntitle: Putin {'very ' * 200_000}long title\n---\n\n"
        "Putin spoke about the long title of this article on Monday.\n",
        encoding="utf-8",
    )
    (corpus / "blank.md").write_text(
        "---\nid: blank\ntitle: Nothing to see\n---\n\n\u200b\u3000\u200b\n", encoding="utf-8"
    )
    store = tmp_path / "store"
    rc, _, err = run(capsys, "index", corpus=corpus, store=store)
    assert rc == 0
    assert "skipped blank.md: article body has no visible text" in err
    for argv in (
        ("ask", "Did Putin meet the Iranian envoy in Moscow?"),
        ("sources", "Putin envoy"),
        ("source", "evil"),
    ):
        rc, out, err = run(capsys, *argv, corpus=corpus, store=store)
        assert rc == 0, err
        assert "\x1b" not in out + err and "\x07" not in out + err
        assert "envoy" in out
    rc, out, _ = run(capsys, "source", "--json", "long", corpus=corpus, store=store)
    assert len(json.loads(out)["title"]) <= 300
    rc, out, _ = run(capsys, "sources", "--json", "long title", corpus=corpus, store=store)
    assert all(len(hit["title"]) <= 300 for hit in json.loads(out))


def test_a_refused_huge_question_is_not_echoed(tmp_path, capsys):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    huge = "Why " * 2_500_000  # 10 MB
    rc, out, err = run(capsys, "ask", huge, corpus=corpus, store=tmp_path / "store")
    assert rc == 2 and out == ""
    assert "characters long" in err and len(err) < 500


def test_reuters_is_still_served_beside_hostile_files(tmp_path, capsys):
    """The reported symptom was that nothing at all was served: the plain case still works."""
    corpus = copy_seed_corpus(tmp_path / "corpus")
    os.symlink("/etc/hostname", corpus / "outside.md")
    rc, out, err = run(capsys, "sources", "--json", "Putin", corpus=corpus, store=tmp_path / "s")
    assert rc == 0
    assert "skipped outside.md: a symbolic link to outside the corpus folder" in err
    assert REUTERS in {hit["article_id"] for hit in json.loads(out)}
