"""Stores written by earlier versions are upgraded in place on open, without embedding
anything again: 0.2's (schema 1: unversioned unit ids, one article table) and 0.3-0.6's
(schema 2: sentence vectors in a Chroma collection of their own)."""

from __future__ import annotations

import sqlite3

import numpy as np
from helpers import FakeEmbedder

from retrieval import Engine
from retrieval.opening import TABLE_FILE, open_index
from retrieval.passages import units_of
from retrieval.store import _dump
from retrieval.vectors import PASSAGES, SENTENCES


def _make_legacy_store(settings, embedder) -> int:
    """Index with today's code, then rewrite the store the way 0.2 laid it out."""
    table, vectors, articles, legacy = _indexed_today(settings, embedder)
    for a in articles:
        units = units_of(a)
        sentences, passages = list(units.sentences), list(units.passages)
        new_p, _ = units.ids(a)
        got = vectors.vectors(PASSAGES, new_p)
        old_p = [f"{a.id}::p{n}" for n in range(len(passages))]
        vectors.add(
            PASSAGES, passages, old_p, [p.text for p in passages], np.stack([got[i] for i in new_p])
        )
        vectors.delete_ids(PASSAGES, new_p)
        held = table.vectors([(a.id, a.content_hash)])[(a.id, a.content_hash)]
        legacy.add(ids=[f"{a.id}::s{j}" for j in range(len(sentences))], embeddings=held)
    table.delete_vectors((a.id, a.content_hash) for a in articles)
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

    engine = _upgraded_without_embedding(settings, n)
    try:
        assert len(engine.state.articles) == n
        answer = engine.ask("Why isn't Russia helping Iran?")
        assert answer.status == "answered" and answer.citations
        # Exactly one copy of every unit: the collections were rebuilt, not added to.
        want_p, want_s = engine._table.unit_counts(engine._table.generation())
        assert engine._vectors.count(PASSAGES) == want_p
        assert engine._table.vector_rows() == want_s
    finally:
        engine.close()


def _indexed_today(settings, embedder):
    """The store as this version indexes it, opened below the engine; with the sentence
    collection earlier versions kept, made empty."""
    engine = Engine(settings, embedder=embedder)
    engine.reload()
    engine.close()
    table, vectors = open_index(settings, embedder)
    articles = table.articles(table.generation())
    return table, vectors, articles, _sentence_collection(vectors, settings)


def _upgraded_without_embedding(settings, n: int) -> Engine:
    """An engine on the upgraded store, checked to have embedded nothing to get there."""
    embedder = FakeEmbedder()
    engine = Engine(settings, embedder=embedder)
    report = engine.reload()
    assert (report.added, report.updated, report.unchanged) == (0, 0, n)
    assert embedder.texts_embedded == 0
    return engine


def _sentence_collection(vectors, settings):
    """The sentence collection as schema 1 and 2 kept it."""
    return vectors._client.get_or_create_collection(
        f"{settings.collection_prefix}-{SENTENCES}",
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
    )


def _make_schema_2_store(settings, embedder) -> tuple[int, dict]:
    """Index with today's code, then move the sentence vectors into their own collection as
    0.3-0.6 kept them; returns the article count and the vectors as written."""
    table, vectors, articles, legacy = _indexed_today(settings, embedder)
    keys = [(a.id, a.content_hash) for a in articles]
    held = table.vectors(keys)
    for a in articles:
        _, new_s = units_of(a).ids(a)
        legacy.add(ids=new_s, embeddings=held[(a.id, a.content_hash)])
    table.delete_vectors(keys)
    table.set_meta({"schema": "2"})
    vectors.close()
    table.close()
    return len(articles), held


def test_a_schema_2_store_moves_its_sentence_vectors_without_embedding_again(
    seed_corpus, tmp_path, make_settings
):
    settings = make_settings(seed_corpus, tmp_path / "store")
    n, written = _make_schema_2_store(settings, FakeEmbedder())
    chroma = settings.store_dir / "chroma"
    folders_before = {p.name for p in chroma.iterdir() if p.is_dir()}

    engine = _upgraded_without_embedding(settings, n)
    try:
        table = engine._table
        assert table.meta()["schema"] == "3"
        moved = table.vectors(written)
        assert moved.keys() == written.keys()
        for key, vecs in written.items():
            # int8 in the table: each vector within quantisation error of what was written.
            norms = np.linalg.norm(moved[key], axis=1) * np.linalg.norm(vecs, axis=1)
            cos = (moved[key] * vecs).sum(1) / norms
            assert cos.min() > 0.999
        assert table.vector_rows(table.generation()) == table.unit_counts(table.generation())[1]
        names = [c.name for c in engine._vectors._client.list_collections()]
        assert f"{settings.collection_prefix}-{SENTENCES}" not in names
        answer = engine.ask("Why isn't Russia helping Iran?")
        assert answer.status == "answered" and answer.citations
    finally:
        engine.close()
    # The dropped collection's vector-index folder does not stay behind on disk.
    engine = Engine(settings, embedder=FakeEmbedder())
    engine.close()
    folders_after = {p.name for p in chroma.iterdir() if p.is_dir()}
    assert folders_after < folders_before
