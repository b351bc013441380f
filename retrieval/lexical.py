"""BM25 over passages, with spelling-variant expansion for names (Araghchi ~ Araqchi)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from .text import content_terms, edit_distance, phonetic_key

K1 = 1.2
B = 0.75
# A spelling variant counts for less than the word the reader typed.
VARIANT_WEIGHT = 0.7
VARIANT_MIN_LEN = 5


class BM25Index:
    def __init__(self, docs: Sequence[list[str]]):
        self.vocab: dict[str, int] = {}
        vocab = self.vocab
        lengths = np.fromiter((len(t) for t in docs), dtype=np.float32, count=len(docs))
        term_ids = np.fromiter(
            (vocab.setdefault(t, len(vocab)) for terms in docs for t in terms),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        doc_ids = np.repeat(np.arange(len(docs), dtype=np.int64), lengths.astype(np.int64))
        pairs, counts = np.unique(doc_ids * max(len(vocab), 1) + term_ids, return_counts=True)
        rows, cols = np.divmod(pairs, max(len(vocab), 1))
        vals = counts
        n = max(len(docs), 1)
        tf = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float32), (rows, cols)),
            shape=(len(docs), len(self.vocab)),
        )
        df = np.bincount(cols, minlength=len(self.vocab)).astype(np.float32)
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.n_docs = n
        avg = float(lengths.mean()) if len(docs) else 1.0
        norm = K1 * (1 - B + B * lengths / max(avg, 1e-6))
        tf = tf.tocoo()
        weights = tf.data * (K1 + 1) / (tf.data + norm[tf.row]) * self.idf[tf.col]
        self.matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        self._variants: dict[str, list[str]] = {}
        self._by_sound: dict[str, list[str]] = defaultdict(list)
        for term in self.vocab:
            if len(term) >= VARIANT_MIN_LEN and term.isalpha():
                self._by_sound[phonetic_key(term)].append(term)

    def idf_of(self, term: str) -> float:
        """IDF of a term; terms the corpus never uses get the highest possible value."""
        col = self.vocab.get(term)
        if col is None:
            return math.log(1.0 + (self.n_docs + 0.5) / 0.5)
        return float(self.idf[col])

    def variants(self, term: str) -> list[str]:
        """Corpus spellings of the same name: same sound key, at most two edits away."""
        if len(term) < VARIANT_MIN_LEN or not term.isalpha():
            return []
        found = self._variants.get(term)
        if found is None:
            found = [
                v
                for v in self._by_sound.get(phonetic_key(term), ())
                if v != term and edit_distance(v, term, 2) <= 2
            ]
            if len(self._variants) < 100_000:
                self._variants[term] = found
        return found

    def expand(self, terms: Sequence[str]) -> dict[str, float]:
        """Query term weights, spelling variants included at a discount."""
        weights: dict[str, float] = {}
        for term in terms:
            weights[term] = weights.get(term, 0.0) + 1.0
            for v in self.variants(term):
                weights[v] = max(weights.get(v, 0.0), VARIANT_WEIGHT)
        return weights

    def scores(self, query: str | dict[str, float]) -> np.ndarray:
        weights = self.expand(content_terms(query)) if isinstance(query, str) else query
        cols, w = [], []
        for term, weight in weights.items():
            col = self.vocab.get(term)
            if col is not None:
                cols.append(col)
                w.append(weight)
        if not cols:
            return np.zeros(self.matrix.shape[0], dtype=np.float32)
        return np.asarray(self.matrix[:, cols] @ np.asarray(w, dtype=np.float32)).ravel()

    def top(self, query: str | dict[str, float], k: int) -> list[tuple[int, float]]:
        s = self.scores(query)
        if not s.size:
            return []
        k = min(k, s.size)
        idx = np.argpartition(-s, k - 1)[:k]
        idx = idx[np.argsort(-s[idx])]
        return [(int(i), float(s[i])) for i in idx if s[i] > 0]
