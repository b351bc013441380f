"""BM25 over passages, with spelling-variant expansion for names (Araghchi ~ Araqchi)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from .text import METONYMS, content_terms, edit_distance, phonetic_key, stem

K1 = 1.2
B = 0.75
# A spelling variant counts for less than the word the reader typed.
VARIANT_WEIGHT = 0.7
VARIANT_MIN_LEN = 5
# Capital -> country and country -> capitals, as stemmed terms.
_STANDS_FOR: dict[str, list[str]] = defaultdict(list)
for _capital, _country in METONYMS.items():
    _STANDS_FOR[stem(_capital)].append(stem(_country))
    _STANDS_FOR[stem(_country)].append(stem(_capital))


class BM25Index:
    """BM25 over documents given as term lists, or as term-id arrays against a vocabulary.

    The id form lets a reload reuse each unchanged article's ids: the vocabulary only grows,
    and may hold terms this index does not use (``knows`` tells which it does).
    """

    def __init__(self, docs: Sequence[Sequence[str]]):
        vocab: dict[str, int] = {}
        ids = [
            np.fromiter((vocab.setdefault(t, len(vocab)) for t in terms), np.int64, len(terms))
            for terms in docs
        ]
        self._build(ids, vocab)

    @classmethod
    def from_ids(cls, docs: Sequence[np.ndarray], vocab: dict[str, int]) -> BM25Index:
        index = cls.__new__(cls)
        index._build(docs, vocab)
        return index

    def _build(self, docs: Sequence[np.ndarray], vocab: dict[str, int]) -> None:
        self.vocab = vocab
        n_terms = self._n_terms = len(vocab)
        lengths = np.fromiter((len(d) for d in docs), dtype=np.float32, count=len(docs))
        term_ids = np.concatenate(docs).astype(np.int64) if docs else np.zeros(0, np.int64)
        doc_ids = np.repeat(np.arange(len(docs), dtype=np.int64), lengths.astype(np.int64))
        pairs, counts = np.unique(doc_ids * max(n_terms, 1) + term_ids, return_counts=True)
        rows, cols = np.divmod(pairs, max(n_terms, 1))
        n = max(len(docs), 1)
        tf = sparse.csr_matrix(
            (np.asarray(counts, dtype=np.float32), (rows, cols)), shape=(len(docs), n_terms)
        )
        self.df = np.bincount(cols, minlength=n_terms)
        df = self.df.astype(np.float32)
        self.idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.n_docs = n
        avg = float(lengths.mean()) if len(docs) else 1.0
        norm = K1 * (1 - B + B * lengths / max(avg, 1e-6))
        tf = tf.tocoo()
        weights = tf.data * (K1 + 1) / (tf.data + norm[tf.row]) * self.idf[tf.col]
        self.matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        self._variants: dict[str, list[str]] = {}
        self._by_sound: dict[str, list[str]] = defaultdict(list)
        used = self.df > 0
        for term, col in vocab.items():
            if col < n_terms and used[col] and len(term) >= VARIANT_MIN_LEN and term.isalpha():
                self._by_sound[phonetic_key(term)].append(term)

    def to_arrays(self) -> tuple[dict[str, np.ndarray], list[str]]:
        """The index as arrays and its sound keys (``from_arrays`` reads them back against the
        same vocabulary): what a new process loads instead of building it again."""
        sounds = list(self._by_sound)
        owners = [(k, self.vocab[t]) for k, key in enumerate(sounds) for t in self._by_sound[key]]
        arrays = {
            "shape": np.array(self.matrix.shape, np.int64),
            "indptr": self.matrix.indptr.astype(np.int64),
            "indices": self.matrix.indices.astype(np.int32),
            "weights": self.matrix.data.astype(np.float32),
            "df": self.df.astype(np.int64),
            "idf": self.idf.astype(np.float32),
            "n_docs": np.array([self.n_docs], np.int64),
            "sound_of": np.array([k for k, _ in owners], np.int32),
            "sound_term": np.array([c for _, c in owners], np.int32),
        }
        return arrays, sounds

    @classmethod
    def from_arrays(
        cls, arrays: dict[str, np.ndarray], sounds: list[str], vocab: dict[str, int]
    ) -> BM25Index:
        index = cls.__new__(cls)
        index.vocab = vocab
        rows, cols = (int(x) for x in arrays["shape"])
        index._n_terms = cols
        index.matrix = sparse.csc_matrix(
            (arrays["weights"], arrays["indices"], arrays["indptr"]), shape=(rows, cols)
        )
        index.df, index.idf = arrays["df"], arrays["idf"]
        index.n_docs = int(arrays["n_docs"][0])
        index._variants = {}
        index._by_sound = defaultdict(list)
        terms_by_id = {i: t for t, i in vocab.items()} if len(arrays["sound_term"]) else {}
        for k, col in zip(arrays["sound_of"].tolist(), arrays["sound_term"].tolist(), strict=True):
            index._by_sound[sounds[k]].append(terms_by_id[col])
        return index

    def _col(self, term: str) -> int | None:
        col = self.vocab.get(term)
        return col if col is not None and col < self._n_terms and self.df[col] else None

    def knows(self, term: str) -> bool:
        """Whether any document of this index uses ``term``."""
        return self._col(term) is not None

    def idf_of(self, term: str) -> float:
        """IDF of a term; terms the corpus never uses get the highest possible value."""
        col = self._col(term)
        if col is None:
            return math.log(1.0 + (self.n_docs + 0.5) / 0.5)
        return float(self.idf[col])

    def variants(self, term: str) -> list[str]:
        """Corpus spellings of the same name (same sound key, at most two edits away), and the
        country a capital stands for or the capital standing for a country ("Moscow" ~
        "Russia"), where the corpus uses it."""
        found = self._variants.get(term)
        if found is None:
            found = [v for v in _STANDS_FOR.get(term, ()) if self.knows(v)]
            if len(term) >= VARIANT_MIN_LEN and term.isalpha():
                found += [
                    v
                    for v in self._by_sound.get(phonetic_key(term), ())
                    if v != term and v not in found and edit_distance(v, term, 2) <= 2
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
            col = self._col(term)
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
