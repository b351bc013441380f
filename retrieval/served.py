"""The served snapshot's owner: which ``CorpusState`` answers, for which generation of vectors.

Built on first use (or beside the served one, before a switch), swapped in one step, released
with the engine. A question holds the state it started with, so a swap never mixes two.
"""

from __future__ import annotations

import threading

from .state import CorpusState
from .store import IndexTable


class Served:
    def __init__(self, table: IndexTable):
        self._table = table
        self._lock = threading.Lock()
        self._state: CorpusState | None = None
        self._gen: int | None = None

    @property
    def built(self) -> bool:
        return self._state is not None

    @property
    def generation(self) -> int | None:
        """The generation the served state belongs to (None before it is built)."""
        return self._gen

    def current(self) -> CorpusState:
        """The served state, built from the table's current generation on first use."""
        state = self._state
        if state is None:
            with self._lock:
                if self._state is None:
                    gen, articles = self._table.served_articles()
                    self._state = CorpusState.build(articles)
                    self._gen = gen
                state = self._state
        return state

    def beside(self, gen: int) -> CorpusState | None:
        """The state for ``gen``, built now from the served one's work when one is served (so
        the switch is instant); None when nothing is served yet (built on first use)."""
        served = self._state
        if served is None:
            return None
        return CorpusState.build(self._table.articles(gen, served.articles), previous=served)

    def swap(self, gen: int, state: CorpusState | None) -> None:
        with self._lock:
            self._state, self._gen = state, gen if state is not None else None

    def release(self) -> None:
        with self._lock:
            self._state, self._gen = None, None
