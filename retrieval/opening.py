"""Opening the index: upgrade an old store, probe it, and recover from a damaged one.

The corpus on disk is the source of truth, so a store that no longer holds what its manifest
says (a crash mid-write, two writers before 0.5, a garbled file) is moved aside, not repaired:
a fresh store is opened and the next reload rebuilds it from the corpus.

Trouble is not damage. A full disk, a permission error or a database another process holds
locked says nothing about the store's contents: it is reported (``StoreUnavailable``) and the
store is left exactly as it is, to serve again once the trouble is gone.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .embedding import Embedder
from .indexer import validate_generation
from .migrate import migrate_legacy_store, move_sentence_vectors, needs_vector_move
from .settings import Settings
from .store import IndexTable, StoreUnavailable
from .vectors import VectorIndex, forget_chroma_clients, open_chroma, sweep_deleted_segments
from .writer import WriterLock

log = logging.getLogger(__name__)

TABLE_FILE = "articles.sqlite"
CHROMA_DIR = "chroma"

# errno values that describe the machine (space, rights, limits), not the store's contents.
_TROUBLE_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.EIO,
        errno.EAGAIN,
        errno.EMFILE,
        errno.ENFILE,
        errno.ENOMEM,
        errno.EBUSY,
    }
)
# What SQLite (and Chroma, which wraps it) says for the same situations.
_TROUBLE_WORDS = (
    "disk is full",
    "no space left",
    "database is locked",
    "database table is locked",
    "readonly database",
    "read-only",
    "permission denied",
    "unable to open database file",
    "disk i/o error",
    "out of memory",
    "too many open files",
)


def io_trouble(exc: BaseException) -> str | None:
    """Why ``exc`` (or what caused it) is machine trouble rather than damage, or None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _TROUBLE_ERRNOS:
            return current.strerror or str(current)
        text = str(current).lower()
        if isinstance(current, sqlite3.OperationalError) or "sqlite" in type(current).__module__:
            for words in _TROUBLE_WORDS:
                if words in text:
                    return str(current)
        elif any(words in text for words in _TROUBLE_WORDS):
            return str(current)
        current = current.__cause__ or current.__context__
    return None


def open_index(
    settings: Settings, embedder: Embedder, writer: WriterLock | None = None
) -> tuple[IndexTable, VectorIndex]:
    """Open (and probe) the store; move a damaged one aside under the writer lock."""
    writer = writer or WriterLock(settings.store_dir)
    try:
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        return _open(settings, embedder, writer)
    except Exception as exc:  # noqa: BLE001 - sorted into trouble and damage below
        _raise_if_trouble(settings, exc)
        if settings.chroma_host:
            # A server's collections are not ours to move aside; say what is wrong instead.
            raise
        first = exc
    # Damage. Only a writer may move the store; look again once we hold the lock, as the
    # writer we waited for may have been rebuilding it.
    with writer.hold("rebuilding a damaged index", settings.writer_wait_seconds):
        forget_chroma_clients()
        try:
            return _open(settings, embedder, writer)
        except Exception as exc:  # noqa: BLE001 - as above
            _raise_if_trouble(settings, exc)
            first = exc
        aside = _move_aside(settings.store_dir)
        forget_chroma_clients()
        log.error(
            "the index in %s is damaged (%s: %s); moved it to %s, starting a fresh index "
            "that the next reload rebuilds from the corpus",
            settings.store_dir,
            type(first).__name__,
            first,
            aside,
        )
        try:
            return _open(settings, embedder, writer)
        except Exception as exc:
            _raise_if_trouble(settings, exc)
            raise


def _raise_if_trouble(settings: Settings, exc: BaseException) -> None:
    why = io_trouble(exc)
    if why is not None:
        raise StoreUnavailable(
            f"the index in {settings.store_dir} cannot be used right now ({why}); "
            "it was left as it is and serves again once that is fixed"
        ) from exc


def _open(
    settings: Settings, embedder: Embedder, writer: WriterLock
) -> tuple[IndexTable, VectorIndex]:
    table = IndexTable(settings.store_dir / TABLE_FILE)
    vectors = None
    try:
        reopen = (
            None
            if settings.chroma_host
            else lambda: open_chroma(settings.store_dir, settings.chroma_host, settings.chroma_port)
        )
        vectors = VectorIndex(
            open_chroma(settings.store_dir, settings.chroma_host, settings.chroma_port),
            settings.collection_prefix,
            table,
            reopen,
        )
        if table.has_legacy():
            with writer.hold("upgrading the index", settings.writer_wait_seconds):
                migrate_legacy_store(table, vectors, embedder)
        if needs_vector_move(table, embedder):
            with writer.hold("upgrading the index", settings.writer_wait_seconds):
                move_sentence_vectors(table, vectors, embedder)
        if not settings.chroma_host:
            sweep_deleted_segments(settings.store_dir / CHROMA_DIR)
        if (gen := table.generation()) is not None:
            validate_generation(table, vectors, gen)
    except BaseException:
        if vectors is not None:
            vectors.close()
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
