"""Sentence vectors kept int8 in the index table read back as the vectors written."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.store import pack_vectors, unpack_vectors


def _unit_rows(n: int, dim: int = 384, seed: int = 3) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_round_trip_keeps_every_vector_within_quantisation_error():
    rows = _unit_rows(200)
    back = unpack_vectors(pack_vectors(rows))
    assert back.shape == rows.shape and back.dtype == np.float32
    cos = (back * rows).sum(1) / np.linalg.norm(back, axis=1)
    assert cos.min() > 0.9999
    # A quarter of float32, plus one scale per row.
    assert len(pack_vectors(rows)) == 8 + 200 * 4 + 200 * 384


def test_ranking_against_a_query_is_unchanged():
    rows, query = _unit_rows(500), _unit_rows(1, seed=9)[0]
    back = unpack_vectors(pack_vectors(rows))
    assert list(np.argsort(-(rows @ query))[:10]) == list(np.argsort(-(back @ query))[:10])


def test_a_zero_row_stays_zero_and_a_damaged_blob_is_refused():
    rows = np.zeros((2, 8), np.float32)
    assert not unpack_vectors(pack_vectors(rows)).any()
    with pytest.raises(ValueError, match="wrong size"):
        unpack_vectors(pack_vectors(_unit_rows(3, 8))[:-1])
