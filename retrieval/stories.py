"""Story clusters: wire copies of one story carried by several outlets.

Two articles are one story when most word 4-grams of the shorter also occur in the longer
(containment), after folding case, accents, "U.S."/"US" and spelling variants of names. Edited
copies (defence/defense, Araghchi/Araqchi, a dropped last paragraph) stay well above the bar;
two different reports on the same event share far fewer 4-grams.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .text import phonetic_key, words
from .types import Article

SHINGLE = 4
# Measured on the seed wire copies (containment 0.6-0.9) vs. distinct reports (< 0.15).
MIN_CONTAINMENT = 0.5
MIN_SHINGLES = 12
# Shingles found in this many articles are boilerplate ("the united states of"), not evidence.
MAX_POSTINGS = 40
_MIX = np.uint64(0x9E3779B97F4A7C15)


def shingles(tokens: Sequence[str]) -> np.ndarray:
    """Distinct hashed word 4-grams; spelling variants of a word hash alike."""
    ids = np.fromiter((_token_hash(w) for w in tokens), dtype=np.uint64, count=len(tokens))
    if len(ids) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(len(ids) - SHINGLE + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            h = h * _MIX + ids[k : len(ids) - SHINGLE + 1 + k] + np.uint64(k + 1)
    return np.unique(h)


@lru_cache(maxsize=1 << 18)
def _token_hash(word: str) -> int:
    # Independent of the other articles and of the process (shingles are stored with an
    # article's packed units), so an article's shingles are kept across reloads and restarts.
    key = phonetic_key(word) if len(word) > 3 else word
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def cluster_stories(
    articles: Sequence[Article], sets: Sequence[np.ndarray] | None = None
) -> dict[str, str]:
    """article id -> cluster id (the id of the cluster's earliest-published member).

    ``sets`` are the articles' ``shingles`` when the caller has them.
    """
    if sets is None:
        sets = [shingles(words(a.body)) for a in articles]
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    parent = list(range(len(articles)))
    if len(articles) > 1:
        hashes = np.concatenate(sets) if sets else np.zeros(0, dtype=np.uint64)
        docs = np.repeat(np.arange(len(articles), dtype=np.int64), sizes)
        order = np.argsort(hashes, kind="stable")
        hashes, docs = hashes[order], docs[order]
        starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
        lengths = np.diff(np.r_[starts, len(hashes)])
        shared: Counter[tuple[int, int]] = Counter()
        for start, n in zip(
            starts[(lengths > 1) & (lengths <= MAX_POSTINGS)],
            lengths[(lengths > 1) & (lengths <= MAX_POSTINGS)],
            strict=True,
        ):
            members = docs[start : start + n].tolist()
            shared.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
        for (a, b), n in shared.items():
            smaller = min(sizes[a], sizes[b])
            if smaller >= MIN_SHINGLES and n / smaller >= MIN_CONTAINMENT:
                parent[_find(parent, b)] = _find(parent, a)
    order_by_date = sorted(range(len(articles)), key=lambda i: (articles[i].published or "9", i))
    root_name: dict[int, str] = {}
    for i in order_by_date:
        root_name.setdefault(_find(parent, i), articles[i].id)
    return {a.id: root_name[_find(parent, i)] for i, a in enumerate(articles)}


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i
