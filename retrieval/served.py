"""The served snapshot's owner: which ``CorpusState`` answers, for which generation of vectors.

Built on first use (or beside the served one, before a switch), swapped in one step, released
with the engine. A question holds the state it started with, so a swap never mixes two.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading

from .state import CorpusState
from .store import IndexTable

log = logging.getLogger(__name__)


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
                    built = CorpusState.build(
                        articles,
                        packed=self._table.packed_units(gen),
                        stories=self._table.stories(gen),
                    )
                    self._state = self._keep(built, gen)
                    self._gen = gen
                state = self._state
        return state

    def beside(self, gen: int) -> CorpusState | None:
        """The state for ``gen``, built now from the served one's work when one is served (so
        the switch is instant); None when nothing is served yet (built on first use)."""
        served = self._state
        if served is None:
            return None
        articles = self._table.articles(gen, served.articles)
        built = CorpusState.build(articles, previous=served, packed=self._table.packed_units(gen))
        return self._keep(built, gen)

    def _keep(self, state: CorpusState, gen: int | None) -> CorpusState:
        """Store what this build derived (units, story clusters), so the next process reads it
        (best effort: a busy or read-only store only costs that process the time to derive)."""
        try:
            rows = state.packed_derived()
            if not _room_for(self._table.path.parent, sum(len(r[2]) for r in rows)):
                return state
            if rows:
                self._table.put_units(rows)
            if state.clustered and gen is not None:
                self._table.put_stories(gen, state.story_of)
        except sqlite3.Error as exc:
            log.info("served state not kept (%s); the next start derives it again", exc)
        return state

    def swap(self, gen: int, state: CorpusState | None) -> None:
        with self._lock:
            self._state, self._gen = state, gen if state is not None else None

    def release(self) -> None:
        with self._lock:
            self._state, self._gen = None, None


# A cache never takes the last of the disk: the vector store needs room to open and write.
KEEP_FREE_BYTES = 256 << 20


def _room_for(folder, size: int) -> bool:
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return False
    if free < size + KEEP_FREE_BYTES:
        log.info("not keeping the served state: %d MB free", free >> 20)
        return False
    return True
