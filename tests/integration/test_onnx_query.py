"""Questions embedded by the ONNX export of the packaged MiniLM agree with the torch path."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from helpers import SEED_CORPUS, SEED_QUESTIONS

from retrieval.corpus import load_corpus
from retrieval.embedding import MiniLMEmbedder
from retrieval.onnx_query import export_path, weights_digest
from retrieval.passages import units_of

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An embedder whose first embed() exported the model into a fresh cache folder."""
    cache = tmp_path_factory.mktemp("models")
    embedder = MiniLMEmbedder(cache_dir=cache)
    assert embedder.query_backend == "torch"  # nothing exported yet
    embedder.embed(["warm up"])  # torch exports the model; ONNX embeds
    assert embedder.query_backend == "onnx"
    assert embedder._llama is None  # indexing never loads the torch embedder itself
    return embedder, cache


def seed_texts():
    articles, _ = load_corpus(SEED_CORPUS)
    sentences = [a.body[s.start : s.end] for a in articles for s in units_of(a).sentences]
    questions = [json.loads(line)["question"] for line in SEED_QUESTIONS.open()]
    return sentences, questions


def test_onnx_query_vectors_agree_with_torch(exported, minilm):
    embedder, _ = exported
    sentences, questions = seed_texts()
    for text in sentences + questions:
        cos = float(embedder.embed_query(text) @ minilm.embed_query(text))
        assert cos >= 0.999, (cos, text)


def test_small_batches_agree_with_torch_too(exported, minilm):
    """The verifier embeds a few clause windows per question: through ONNX, padded."""
    embedder, _ = exported
    sentences, _ = seed_texts()
    batch = sentences[:20]
    cos = (embedder.embed(batch) * minilm.embed(batch)).sum(axis=1)
    assert cos.min() >= 0.999


def test_indexing_batches_agree_with_torch_and_repeated_texts_share_a_vector(exported, minilm):
    embedder, _ = exported
    sentences, _ = seed_texts()
    texts = sentences + sentences[:10]  # wire copies repeat sentences word for word
    n = len(sentences)
    assert n > 64  # more than one batch
    vectors = embedder.embed(texts)
    assert vectors.shape == (n + 10, 384)
    assert np.array_equal(vectors[n:], vectors[:10])
    cos = (vectors * minilm.embed(texts)).sum(axis=1)
    assert cos.min() >= 0.999
    assert embedder._llama is None


def test_top5_retrieval_is_unchanged_on_the_seed_questions(exported, minilm):
    embedder, _ = exported
    sentences, questions = seed_texts()
    docs = minilm.embed(sentences)
    for q in questions:
        by_torch = np.argsort(-(docs @ minilm.embed_query(q)))[:5]
        by_onnx = np.argsort(-(docs @ embedder.embed_query(q)))[:5]
        assert list(by_torch) == list(by_onnx), q


def test_a_new_engine_start_uses_the_export_without_torch(exported):
    _, cache = exported
    fresh = MiniLMEmbedder(cache_dir=cache)
    assert fresh.query_backend == "onnx" and fresh._llama is None
    assert fresh.embed_query("Why isn't Russia helping Iran?").shape == (384,)
    assert fresh.embed(["a clause window", "and another"]).shape == (2, 384)
    assert fresh._llama is None  # a question, or a claim's windows, never loads torch


def test_a_broken_export_falls_back_to_torch(exported, tmp_path, caplog):
    embedder, cache = exported
    broken = tmp_path / "models"
    broken.mkdir()
    export_path(embedder.path, broken).write_bytes(b"not an onnx model")
    with caplog.at_level(logging.WARNING):
        fallback = MiniLMEmbedder(cache_dir=broken)
    assert fallback.query_backend == "torch" and "unusable" in caplog.text
    assert fallback.embed_query("Putin").shape == (384,)


def test_the_export_is_keyed_by_the_weights(tmp_path):
    for name, content in (("a", b"weights one"), ("b", b"weights two")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.safetensors").write_bytes(content)
    memo = tmp_path / "memo"
    one, two = (weights_digest(tmp_path / n, memo) for n in "ab")
    assert one != two
    (tmp_path / "a" / "model.safetensors").write_bytes(b"weights three!")
    assert weights_digest(tmp_path / "a", memo) not in (one, two)


def test_one_memo_remembers_every_weights_file_hashed_beside_it(tmp_path):
    from retrieval.onnx_query import file_digest

    memo = tmp_path / "memo"
    files = [tmp_path / "model.safetensors", tmp_path / "judge.safetensors"]
    for f, content in zip(files, (b"query model", b"judge model"), strict=True):
        f.write_bytes(content)
    digests = [file_digest(f, memo) for f in files]
    assert digests[0] != digests[1]
    saved = json.loads((memo / "weights-digest.json").read_text())
    assert sorted(saved.values()) == sorted(digests)  # the second did not push out the first
