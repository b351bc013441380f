"""Stores written by Wirecheck 0.2 (schema 1: unversioned unit ids, one article table) are
upgraded in place on open, without embedding anything again."""

from __future__ import annotations

import sqlite3

import numpy as np
from helpers import FakeEmbedder

from retrieval import Engine
from retrieval.opening import TABLE_FILE, open_index
from retrieval.passages import units_of
from retrieval.store import PASSAGES, SENTENCES, _dump


def _make_legacy_store(settings, embedder) -> int:
    """Index with today's code, then rewrite the store the way 0.2 laid it out."""
    engine = Engine(settings, embedder=embedder)
    engine.reload()
    engine.close()
    table, vectors = open_index(settings, embedder)
    articles = table.articles(table.generation())
    for a in articles:
        units = units_of(a)
        sentences, passages = list(units.sentences), list(units.passages)
        new_p, new_s = units.ids(a)
        for kind, spans, new, old, texts in (
            (
                PASSAGES,
                passages,
                new_p,
                [f"{a.id}::p{n}" for n in range(len(passages))],
                [p.text for p in passages],
            ),
            (
                SENTENCES,
                sentences,
                new_s,
                [f"{a.id}::s{j}" for j in range(len(sentences))],
                [a.body[s.start : s.end] for s in sentences],
            ),
        ):
            got = vectors.vectors(kind, new)
            vectors.add(kind, spans, old, texts, np.stack([got[i] for i in new]))
            vectors.delete_ids(kind, new)
    vectors.close()
    table.close()
    db = sqlite3.connect(settings.store_dir / TABLE_FILE)
    with db:
        db.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, path TEXT, hash TEXT, data TEXT)")
        db.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, ?)",
            [(a.id, a.path, a.content_hash, _dump(a)) for a in articles],
        )
        for name in ("versions", "generations", "members"):
            db.execute(f"DROP TABLE {name}")
        db.execute("DELETE FROM meta WHERE key IN ('current', 'previous', 'switched_at')")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    db.close()
    return len(articles)


def test_a_schema_1_store_is_upgraded_without_embedding_again(seed_corpus, tmp_path, make_settings):
    settings = make_settings(seed_corpus, tmp_path / "store")
    n = _make_legacy_store(settings, FakeEmbedder())

    embedder = FakeEmbedder()
    engine = Engine(settings, embedder=embedder)
    try:
        report = engine.reload()
        assert (report.added, report.updated, report.unchanged) == (0, 0, n)
        assert embedder.texts_embedded == 0
        assert len(engine.state.articles) == n
        answer = engine.ask("Why isn't Russia helping Iran?")
        assert answer.status == "answered" and answer.citations
        # Exactly one copy of every unit: the collections were rebuilt, not added to.
        want_p, want_s = engine._table.unit_counts(engine._table.generation())
        assert engine._vectors.count(PASSAGES) == want_p
        assert engine._vectors.count(SENTENCES) == want_s
    finally:
        engine.close()
