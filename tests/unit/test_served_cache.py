"""The served state kept in the index table: a new process reads each version's units, the
generation's story clusters and its BM25 instead of deriving them, and answers exactly as if it
had."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
from helpers import FakeEmbedder, copy_seed_corpus, settings_for

from retrieval import Engine
from retrieval.state import ArticleUnits, StaleUnits, unpack_arrays

QUESTION = "Why isn't Russia helping Iran?"


@pytest.fixture
def store(tmp_path):
    settings = settings_for(copy_seed_corpus(tmp_path / "corpus"), tmp_path / "store")
    with Engine(settings, embedder=FakeEmbedder()) as first:
        first.reload()
        state = first.state
        answer = first.ask(QUESTION)
    return settings, state, answer


def _terms(state, aid):
    names = {i: t for t, i in state.vocab.items()}
    return [[names[i] for i in ids.tolist()] for ids in state.units[aid].passage_terms]


def test_a_new_process_reads_the_units_and_stories_it_kept(store):
    settings, derived, answer = store
    assert derived.derived  # the first build derived every version and kept it
    with Engine(settings, embedder=FakeEmbedder()) as second:
        read = second.state
        assert read.derived == () and not read.clustered and not read.indexed
        assert read.story_of == derived.story_of
        assert read.bm25.matrix.shape == derived.bm25.matrix.shape
        for query in (QUESTION, "Araqchi Moscow treaty"):
            terms = derived.bm25.expand(query.lower().split())
            assert read.bm25.expand(query.lower().split()) == terms
            assert read.bm25.top(terms, 10) == derived.bm25.top(terms, 10)
        for aid, units in derived.units.items():
            again = read.units[aid]
            assert again.sentences == units.sentences and again.passages == units.passages
            assert again.passage_sentences == units.passage_sentences
            assert _terms(read, aid) == _terms(derived, aid)
            assert np.array_equal(again.shingles, units.shingles)
        assert second.ask(QUESTION) == answer


def test_units_of_another_format_or_damaged_are_derived_again(store):
    settings, derived, answer = store
    db = sqlite3.connect(settings.store_dir / "articles.sqlite")
    with db:
        first_id = db.execute("SELECT id FROM units ORDER BY id LIMIT 1").fetchone()[0]
        db.execute("UPDATE units SET data = ? WHERE id = ?", (b"WCU\x00\x00", first_id))
        db.execute("DELETE FROM stories")
    db.close()
    with Engine(settings, embedder=FakeEmbedder()) as second:
        state = second.state
        assert state.derived == (first_id,) and state.clustered
        assert state.story_of == derived.story_of
        assert second.ask(QUESTION) == answer


def test_a_store_that_cannot_keep_the_state_still_serves(store, monkeypatch):
    settings, _, answer = store
    db = sqlite3.connect(settings.store_dir / "articles.sqlite")
    with db:
        db.execute("DELETE FROM units")
    db.close()

    def refuse(self, rows):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("retrieval.store.IndexTable.put_units", refuse)
    with Engine(settings, embedder=FakeEmbedder()) as second:
        assert second.ask(QUESTION) == answer


def test_packed_units_refuse_other_formats():
    with pytest.raises(StaleUnits):
        unpack_arrays(b"not units")
    with pytest.raises(StaleUnits):
        unpack_arrays(b"WCU" + (5).to_bytes(4, "little") + b'{"f":')


def test_pack_then_unpack_is_the_same_units_under_another_vocab(store):
    _, state, _ = store
    names = [""] * len(state.vocab)
    for term, i in state.vocab.items():
        names[i] = term
    article = next(iter(state.articles.values()))
    blob = state.units[article.id].pack(names)
    vocab = {"zzz-first": 0}
    again = ArticleUnits.unpack(blob, article, vocab)
    back = {i: t for t, i in vocab.items()}
    assert [[back[i] for i in ids.tolist()] for ids in again.passage_terms] == _terms(
        state, article.id
    )


def test_a_kept_bm25_of_other_passages_or_damaged_is_built_again(store):
    settings, derived, answer = store
    db = sqlite3.connect(settings.store_dir / "articles.sqlite")
    with db:
        (blob,) = db.execute("SELECT data FROM lexicon").fetchone()
        db.execute("UPDATE lexicon SET data = ?", (blob[: len(blob) // 2],))
    db.close()
    with Engine(settings, embedder=FakeEmbedder()) as second:
        assert second.state.indexed  # built again, and kept again whole
        assert second.ask(QUESTION) == answer
    with Engine(settings, embedder=FakeEmbedder()) as third:
        assert not third.state.indexed
        assert third.ask(QUESTION) == answer
