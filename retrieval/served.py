"""The served snapshot's owner: which ``CorpusState`` answers, for which generation of vectors.

Built on first use (or beside the served one, before a switch), swapped in one step, released
with the engine. A question holds the state it started with, so a swap never mixes two.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from pathlib import Path

from .state import CorpusState
from .store import IndexTable

log = logging.getLogger(__name__)


def build_current(table: IndexTable) -> tuple[int | None, CorpusState]:
    """The state of the table's current generation, from what the table kept of it."""
    gen, articles = table.served_articles()
    return gen, CorpusState.build(
        articles,
        packed=table.packed_units(gen),
        stories=table.stories(gen),
        lexicon=table.lexicon(gen),
    )


class Prefetch:
    """The served state, built in a thread of its own while the process opens the rest of the
    store (the model, Chroma's client, the integrity probe): on a big corpus the two take about
    as long, and Chroma loads its index outside the GIL. Read from its own read-only connection;
    used only when the generation it built is still the current one when it is needed."""

    def __init__(self, table_path: Path):
        self._built: tuple[int, CorpusState] | None = None
        self._thread = threading.Thread(
            target=self._run, args=(table_path,), name="wirecheck-prefetch", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path) -> None:
        if not path.is_file():
            return
        try:
            table = IndexTable(path, readonly=True)
            try:
                gen, state = build_current(table)
                if gen is not None:
                    self._built = (gen, state)
            finally:
                table.close()
        except Exception as exc:  # noqa: BLE001 - only a head start: the state is built anyway
            log.info("served state not prefetched (%s); building it on first use", exc)

    def take(self, gen: int | None) -> CorpusState | None:
        """The prefetched state if it serves ``gen``; waits for the thread."""
        self._thread.join()
        built, self._built = self._built, None
        return built[1] if built is not None and built[0] == gen else None


class Served:
    def __init__(self, table: IndexTable, prefetch: Prefetch | None = None):
        self._table = table
        self._lock = threading.Lock()
        self._state: CorpusState | None = None
        self._gen: int | None = None
        self._prefetch = prefetch

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
                    built = None
                    if self._prefetch is not None:
                        gen = self._table.generation()
                        built, self._prefetch = self._prefetch.take(gen), None
                    if built is None:
                        gen, built = build_current(self._table)
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
            lexicon = state.pack_lexicon() if state.indexed and gen is not None else b""
            size = sum(len(r[2]) for r in rows) + len(lexicon)
            if not _room_for(self._table.path.parent, size):
                return state
            if rows:
                self._table.put_units(rows)
            if state.clustered and gen is not None:
                self._table.put_stories(gen, state.story_of)
            if lexicon and gen is not None:
                self._table.put_lexicon(gen, lexicon)
        except sqlite3.Error as exc:
            log.info("served state not kept (%s); the next start derives it again", exc)
        return state

    def swap(self, gen: int, state: CorpusState | None) -> None:
        with self._lock:
            self._state, self._gen = state, gen if state is not None else None

    def release(self) -> None:
        with self._lock:
            if self._prefetch is not None:
                self._prefetch.take(None)
                self._prefetch = None
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
