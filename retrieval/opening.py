"""Opening the index: upgrade an old store, check it, and recover from a damaged one.

The corpus on disk is the source of truth, so a store that cannot be opened or no longer holds
what its manifest says (a crash mid-write, a disk error) is moved aside, not repaired: a fresh
store is opened and the next reload rebuilds it from the corpus.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from .embedding import Embedder
from .indexer import check_counts
from .migrate import migrate_legacy_store
from .settings import Settings
from .store import IndexTable, VectorIndex, forget_chroma_clients, open_chroma

log = logging.getLogger(__name__)

TABLE_FILE = "articles.sqlite"
CHROMA_DIR = "chroma"


def open_index(settings: Settings, embedder: Embedder) -> tuple[IndexTable, VectorIndex]:
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _open(settings, embedder)
    except Exception as exc:  # whatever broke, the corpus can rebuild the local store
        if settings.chroma_host:
            # A server's collections are not ours to move aside; say what is wrong instead.
            raise
        aside = _move_aside(settings.store_dir)
        forget_chroma_clients()
        log.error(
            "the index in %s could not be used (%s: %s); moved it to %s, starting a fresh "
            "index that the next reload rebuilds from the corpus",
            settings.store_dir,
            type(exc).__name__,
            exc,
            aside,
        )
        return _open(settings, embedder)


def _open(settings: Settings, embedder: Embedder) -> tuple[IndexTable, VectorIndex]:
    table = IndexTable(settings.store_dir / TABLE_FILE)
    try:
        vectors = VectorIndex(
            open_chroma(settings.store_dir, settings.chroma_host, settings.chroma_port),
            settings.collection_prefix,
        )
        migrate_legacy_store(table, vectors, embedder)
        if (gen := table.generation()) is not None:
            check_counts(table, vectors, gen)
    except BaseException:
        table.close()
        raise
    return table, vectors


def _move_aside(store_dir: Path) -> Path:
    aside = store_dir / f"damaged-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
    aside.mkdir(parents=True)
    for name in (TABLE_FILE, f"{TABLE_FILE}-wal", f"{TABLE_FILE}-shm", CHROMA_DIR):
        path = store_dir / name
        if path.exists():
            path.rename(aside / name)
    return aside
