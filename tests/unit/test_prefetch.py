"""The served state built ahead, in a thread, while the engine opens the rest of the store."""

from __future__ import annotations

from retrieval import Engine
from retrieval.served import Prefetch


def _indexed(seed_corpus, tmp_path, make_settings, fake_embedder):
    settings = make_settings(seed_corpus, tmp_path / "store")
    with Engine(settings, embedder=fake_embedder) as engine:
        engine.reload()
        built = engine.state
    return settings, built


def test_an_answering_engine_serves_the_state_built_ahead(
    seed_corpus, tmp_path, make_settings, fake_embedder
):
    settings, built = _indexed(seed_corpus, tmp_path, make_settings, fake_embedder)
    with Engine(settings, embedder=fake_embedder, prefetch=True) as engine:
        prefetch = engine._served._prefetch
        assert isinstance(prefetch, Prefetch)
        state = engine.state
        assert engine._served._prefetch is None  # taken, not built a second time
        assert state.articles == built.articles
        assert state.passages == built.passages and state.story_of == built.story_of
        assert engine.ask("Why isn't Russia helping Iran?").citations


def test_a_state_built_for_another_generation_is_not_served(
    seed_corpus, tmp_path, make_settings, fake_embedder
):
    settings, _ = _indexed(seed_corpus, tmp_path, make_settings, fake_embedder)
    with Engine(settings, embedder=fake_embedder, prefetch=True) as engine:
        path = next(seed_corpus.glob("*.md"))
        path.write_text(path.read_text(encoding="utf-8") + "\n\nA closing line.\n", "utf-8")
        engine.reload()  # a new generation before the first question
        state = engine.state
        article = next(a for a in state.articles.values() if a.path == path.name)
        assert article.body.rstrip().endswith("A closing line.")


def test_nothing_is_built_ahead_for_an_indexer_or_an_empty_store(
    seed_corpus, tmp_path, make_settings, fake_embedder
):
    settings = make_settings(seed_corpus, tmp_path / "store")
    with Engine(settings, embedder=fake_embedder) as engine:
        assert engine._served._prefetch is None
    with Engine(settings, embedder=fake_embedder, prefetch=True) as engine:
        # No table yet when the thread looked: the state is built on first use.
        engine.reload()
        assert engine.state.articles
