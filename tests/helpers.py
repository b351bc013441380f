"""Test helpers: the fake embedder, seed-corpus constants and small utilities."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

import retrieval
from retrieval.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED_CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_QUESTIONS = FIXTURES / "seed_questions.jsonl"

# The seed corpus: three wire copies of one Reuters story, a fact-check and an unnamed-outlet piece.
REUTERS = "reuters-2025-06-23-putin-araqchi"
CNA = "cna-2025-06-23-putin-araqchi"
ASHARQ = "asharq-al-awsat-2025-06-23-putin-araghchi"
YAHOO = "yahoo-2025-06-fact-check-russia-iran-support"
PUTIN = "2025-06-why-is-putin-not-helping-ally-iran"
WIRE_IDS = frozenset({REUTERS, CNA, ASHARQ})
SEED_IDS = frozenset(WIRE_IDS | {YAHOO, PUTIN})

_TOKEN = re.compile(r"\w+")


class FakeEmbedder:
    """Hashing bag-of-words into 384 dims: deterministic, offline, and it counts its work.

    Satisfies ``retrieval.embedding.Embedder``.
    """

    dim = 384

    def __init__(self, model_id: str = "fake-hash-v1") -> None:
        self.model_id = model_id
        self.calls = 0
        self.texts_embedded = 0
        self.queries = 0
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for token in _TOKEN.findall(text.lower()):
            digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            vec[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            # A text without tokens still needs a unit vector: cosine of a zero vector is NaN.
            vec[0] = 1.0
            return vec
        return (vec / norm).astype(np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        self.embedded.extend(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        self.queries += 1
        return self._vector(text)


def copy_seed_corpus(dest: Path) -> Path:
    shutil.copytree(SEED_CORPUS, dest)
    return dest


def settings_for(corpus: Path, store: Path, **overrides) -> Settings:
    """Settings that ignore the environment and any wirecheck.toml in the working directory.

    The rule judge (the default) unless ``judge="learned"`` is asked for.
    """
    return retrieval.load_settings(
        env={},
        config_file=store.parent / "no-such-wirecheck.toml",
        corpus_dir=corpus,
        store_dir=store,
        **overrides,
    )


def collapse(text: str) -> str:
    return " ".join(text.split())


@contextmanager
def seed_engine_with(embedder, base: Path, **articles: str) -> Iterator[retrieval.Engine]:
    """A real engine, reloaded, over the seed corpus plus ``articles`` (file stem -> text)."""
    corpus = copy_seed_corpus(base / "corpus")
    for stem, text in articles.items():
        (corpus / f"{stem}.md").write_text(text)
    with retrieval.Engine(settings_for(corpus, base / "store"), embedder=embedder) as engine:
        engine.reload()
        yield engine
