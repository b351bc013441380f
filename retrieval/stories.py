"""Story clusters: wire copies of one story carried by several outlets.

Two articles are one story when most word 4-grams of the shorter also occur in the longer
(containment), after folding case, accents, "U.S."/"US" and spelling variants of names. Edited
copies (defence/defense, Araghchi/Araqchi, a dropped last paragraph) stay well above the bar;
two different reports on the same event share far fewer 4-grams.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from .text import phonetic_key, words
from .types import Article

SHINGLE = 4
# Measured on the seed wire copies (containment 0.6-0.9) vs. distinct reports (< 0.15).
MIN_CONTAINMENT = 0.5
MIN_SHINGLES = 12
# Shingles found in this many articles are boilerplate ("the united states of"), not evidence.
MAX_POSTINGS = 40


def shingles(text: str) -> set[int]:
    toks = [phonetic_key(w) if len(w) > 3 else w for w in words(text)]
    return {hash(tuple(toks[i : i + SHINGLE])) for i in range(len(toks) - SHINGLE + 1)}


def cluster_stories(articles: Sequence[Article]) -> dict[str, str]:
    """article id -> cluster id (the id of the cluster's earliest/first member)."""
    sets = [shingles(a.body) for a in articles]
    postings: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for h in s:
            postings[h].append(i)
    parent = list(range(len(articles)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, s in enumerate(sets):
        if len(s) < MIN_SHINGLES:
            continue
        shared: Counter[int] = Counter()
        for h in s:
            docs = postings[h]
            if len(docs) <= MAX_POSTINGS:
                shared.update(j for j in docs if j > i)
        for j, n in shared.items():
            smaller = min(len(s), len(sets[j]))
            if smaller >= MIN_SHINGLES and n / smaller >= MIN_CONTAINMENT:
                parent[find(j)] = find(i)
    order = sorted(range(len(articles)), key=lambda i: (articles[i].published or "9", i))
    root_name: dict[int, str] = {}
    for i in order:
        root_name.setdefault(find(i), articles[i].id)
    return {a.id: root_name[find(i)] for i, a in enumerate(articles)}
