"""Incremental indexing with the fake embedder and a real embedded Chroma store in tmp_path."""

from __future__ import annotations

import json

import pytest
from helpers import REUTERS, SEED_IDS, YAHOO, FakeEmbedder

from retrieval import Engine, ReloadFailed, load_corpus

NEW_SENTENCE = "A flamingo parade crossed the zebra bridge in Vladivostok on Tuesday."


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def engine(seed_corpus, store, make_settings, fake_embedder):
    eng = Engine(make_settings(seed_corpus, store), embedder=fake_embedder)
    eng.reload()
    yield eng
    eng.close()


def _from_article(text: str, article) -> bool:
    """An embedded text made only of the article's own title and body text."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and all(line in article.body or line in article.title for line in lines)


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_first_sync_adds_every_article(seed_corpus, store, make_settings, fake_embedder):
    eng = Engine(make_settings(seed_corpus, store), embedder=fake_embedder)
    report = eng.reload()
    articles, _ = load_corpus(seed_corpus)
    assert (report.added, report.updated, report.removed, report.unchanged) == (5, 0, 0, 0)
    assert report.errors == ()
    assert fake_embedder.texts_embedded == len(fake_embedder.embedded) > 0
    for article in articles:
        assert any(_from_article(t, article) for t in fake_embedder.embedded), article.id
    assert all(eng.source(aid) is not None for aid in SEED_IDS)
    eng.close()


def test_resync_of_unchanged_corpus_embeds_nothing(engine, fake_embedder):
    before = fake_embedder.texts_embedded
    report = engine.reload()
    assert fake_embedder.texts_embedded == before
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 5)
    assert not report.changed


def test_new_engine_on_existing_store_embeds_nothing(engine, seed_corpus, store, make_settings):
    fresh = FakeEmbedder()
    again = Engine(make_settings(seed_corpus, store), embedder=fresh)
    report = again.reload()
    assert fresh.texts_embedded == 0
    assert report.unchanged == 5 and not report.changed
    assert {aid for aid in SEED_IDS if again.source(aid)} == SEED_IDS
    again.close()


def test_editing_one_article_reembeds_only_that_article(engine, seed_corpus, fake_embedder):
    path = seed_corpus / f"{REUTERS}.md"
    _edit(path, "He conveyed best wishes", f"{NEW_SENTENCE} He conveyed best wishes")
    before = fake_embedder.texts_embedded
    report = engine.reload()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 4)
    edited = engine.source(REUTERS)
    assert NEW_SENTENCE in edited.body
    new_texts = fake_embedder.embedded[before:]
    assert any(NEW_SENTENCE in t for t in new_texts)
    assert all(_from_article(t, edited) for t in new_texts), new_texts


def test_edited_text_is_served_in_answers(engine, seed_corpus):
    _edit(
        seed_corpus / f"{REUTERS}.md",
        "He conveyed best wishes",
        f"{NEW_SENTENCE} He conveyed best wishes",
    )
    engine.reload()
    answer = engine.ask("flamingo parade zebra bridge Vladivostok")
    assert any(NEW_SENTENCE in c.quote for c in answer.citations if c.article_id == REUTERS)
    assert [h.article.id for h in engine.sources("flamingo Vladivostok")] == [REUTERS]


def test_deleting_a_file_removes_its_article(engine, seed_corpus):
    (seed_corpus / f"{YAHOO}.md").unlink()
    report = engine.reload()
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 1, 4)
    assert engine.source(YAHOO) is None
    answer = engine.ask("How many views did the X post by MahyarTousi have on Bloomberg?")
    assert all(c.article_id != YAHOO for c in answer.citations)
    assert all(h.article.id != YAHOO for h in engine.sources("Bloomberg MahyarTousi"))


def test_adding_a_file_adds_only_that_article(engine, seed_corpus, fake_embedder):
    (seed_corpus / "new.md").write_text(
        f"---\nid: new-one\ntitle: Zebra news\noutlet: Local\n---\n{NEW_SENTENCE}\n",
        encoding="utf-8",
    )
    before = fake_embedder.texts_embedded
    report = engine.reload()
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 0, 0, 5)
    new_texts = fake_embedder.embedded[before:]
    assert new_texts
    assert all(_from_article(t, engine.source("new-one")) for t in new_texts), new_texts


def test_malformed_new_file_is_skipped_and_others_still_served(engine, seed_corpus):
    (seed_corpus / "broken.md").write_text("no front matter here\n", encoding="utf-8")
    report = engine.reload()
    assert [e.path for e in report.errors] == ["broken.md"]
    assert report.errors[0].reason
    assert report.added == 0 and report.removed == 0
    assert {aid for aid in SEED_IDS if engine.source(aid)} == SEED_IDS
    assert engine.ask("What did Peskov say?").citations


def test_new_file_with_duplicate_id_is_reported_and_original_kept(engine, seed_corpus):
    original = engine.source(REUTERS).body
    (seed_corpus / "zz-copy.md").write_text(
        f"---\nid: {REUTERS}\ntitle: Impostor\n---\nA different body.\n", encoding="utf-8"
    )
    report = engine.reload()
    assert [e.path for e in report.errors] == ["zz-copy.md"]
    assert engine.source(REUTERS).body == original


def test_indexed_article_that_becomes_malformed_keeps_last_good_version(
    engine, seed_corpus, store, make_settings
):
    good_body = engine.source(REUTERS).body
    path = seed_corpus / f"{REUTERS}.md"
    path.write_bytes(b"---\ntitle: [unclosed\n---\nbody \xff\n")
    report = engine.reload()
    assert f"{REUTERS}.md" in [e.path for e in report.errors]
    assert report.removed == 0
    assert engine.source(REUTERS) is not None
    assert engine.source(REUTERS).body == good_body
    # ...and after a restart too: the store, not memory, keeps it.
    restarted = Engine(make_settings(seed_corpus, store), embedder=FakeEmbedder())
    report2 = restarted.reload()
    assert f"{REUTERS}.md" in [e.path for e in report2.errors]
    assert restarted.source(REUTERS).body == good_body
    answer = restarted.ask("What did Peskov say about the radiation hazard?")
    assert answer.citations
    restarted.close()


def test_fixing_a_malformed_file_updates_it(engine, seed_corpus):
    path = seed_corpus / f"{REUTERS}.md"
    good = path.read_text(encoding="utf-8")
    path.write_text("broken\n", encoding="utf-8")
    engine.reload()
    path.write_text(
        good.replace("He conveyed best wishes", f"{NEW_SENTENCE} He conveyed"), encoding="utf-8"
    )
    report = engine.reload()
    assert report.errors == ()
    assert report.updated == 1
    assert NEW_SENTENCE in engine.source(REUTERS).body


def test_changing_the_embedding_model_reembeds_everything(
    engine, seed_corpus, store, make_settings
):
    other = FakeEmbedder(model_id="fake-hash-v2")
    eng = Engine(make_settings(seed_corpus, store), embedder=other)
    report = eng.reload()
    assert report.added + report.updated == 5
    assert report.unchanged == 0
    assert other.texts_embedded > 0
    eng.close()


def test_index_report_json_has_the_design_keys(engine):
    out = engine.reload().to_json()
    assert {"added", "updated", "removed", "unchanged", "seconds"} <= set(out)
    assert all(isinstance(out[k], int) for k in ("added", "updated", "removed", "unchanged"))
    assert isinstance(out["seconds"], int | float) and out["seconds"] >= 0
    assert json.loads(json.dumps(out)) == out


def test_missing_corpus_folder_raises(tmp_path, make_settings, fake_embedder):
    eng = Engine(make_settings(tmp_path / "nope", tmp_path / "store"), embedder=fake_embedder)
    with pytest.raises(ReloadFailed, match="corpus folder not found"):
        eng.reload()
    eng.close()


def test_old_versions_are_deleted_by_their_recorded_units_not_by_splitting_again(
    engine, seed_corpus, monkeypatch
):
    from retrieval import passages
    from retrieval.vectors import PASSAGES

    path = seed_corpus / f"{YAHOO}.md"
    _edit(path, "Claim:", "Claim (v2):")
    engine.reload()
    # From here on, splitting would cut every article differently: what was recorded counts.
    real = passages.split_sentences
    monkeypatch.setattr(passages, "split_sentences", lambda a: real(a)[:1])
    _edit(path, "Claim (v2):", "Claim (v3):")
    engine.reload()  # the first version leaves the store
    table, vectors = engine._table, engine._vectors
    (recorded_p, recorded_s) = table._rows(
        "SELECT SUM(passages), SUM(sentences) FROM versions WHERE ready = 1"
    )[0]
    assert table.vector_rows() == recorded_s
    assert vectors.count(PASSAGES) == recorded_p


def test_a_passage_index_made_with_other_search_parameters_gets_todays(engine):
    from retrieval.vectors import HNSW, PASSAGES

    engine.reload()
    engine._vectors.collections[PASSAGES].modify(configuration={"hnsw": {"ef_search": 50}})
    engine._vectors.refresh_collections()
    hnsw = engine._vectors.collections[PASSAGES].configuration_json["hnsw"]
    assert hnsw["ef_search"] == 50
    engine.reload()
    hnsw = engine._vectors.collections[PASSAGES].configuration_json["hnsw"]
    assert hnsw["ef_search"] == HNSW["ef_search"] == 200
    assert (hnsw["max_neighbors"], hnsw["ef_construction"]) == (16, 100)


def test_a_store_locked_for_a_moment_is_written_once_it_is_free():
    from chromadb.errors import InternalError

    from retrieval.vectors import while_locked

    calls = []

    def modify(**settings):
        calls.append(settings)
        if len(calls) < 3:
            raise InternalError("Database error: (code: 5) database is locked")
        return "done"

    assert while_locked(modify, configuration={"hnsw": {"ef_search": 200}}) == "done"
    assert len(calls) == 3


def test_a_store_error_other_than_a_lock_is_not_tried_again():
    from chromadb.errors import InternalError

    from retrieval.vectors import while_locked

    calls = []

    def upsert():
        calls.append(1)
        raise InternalError("Database error: disk I/O error")

    with pytest.raises(InternalError, match="disk I/O"):
        while_locked(upsert)
    assert len(calls) == 1
