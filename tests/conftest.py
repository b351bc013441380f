"""Shared fixtures: a deterministic fake embedder, seed-corpus copies, settings, the real model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import SEED_IDS, FakeEmbedder, copy_seed_corpus, settings_for

import retrieval
from retrieval.settings import Settings


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    return copy_seed_corpus(tmp_path / "corpus")


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    return settings_for


@pytest.fixture(scope="session")
def minilm():
    """The real MiniLM, loaded once; same cache key as ``Engine(settings)`` uses by default."""
    from retrieval.embedding import load_embedder

    defaults = Settings()
    return load_embedder(
        defaults.embed_model_path, defaults.embed_batch_size, defaults.torch_threads
    )


@pytest.fixture(scope="session")
def real_engine(minilm, tmp_path_factory):
    """One real engine (MiniLM, the default rule judge, embedded Chroma) over the seed corpus."""
    base = tmp_path_factory.mktemp("real-engine")
    settings = settings_for(copy_seed_corpus(base / "corpus"), base / "store", judge="rules")
    engine = retrieval.Engine(settings, embedder=minilm)
    report = engine.reload()
    assert report.added == len(SEED_IDS), report
    yield engine
    engine.close()
