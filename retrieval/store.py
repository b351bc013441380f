"""The index table in SQLite, beside the vector index (vectors.py).

The index table is the manifest (generations of article versions) and a snapshot of every
version served, so a corpus file that breaks later never takes its last good version out of the
index, and the previous generation can be served again (rollback).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .replica import SERIAL_KEY, ReplicaError, adopt
from .sqlite_tx import immediate
from .types import Article

log = logging.getLogger(__name__)

# 2: unit ids carry the article version; generations of the served index (reload, rollback).
# 3: sentence vectors live in the index table (int8), not in a Chroma collection.
SCHEMA_VERSION = "3"

_TABLES = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
    # One row per article version; ready=1 once its units are in the vector store.
    "CREATE TABLE IF NOT EXISTS versions (id TEXT NOT NULL, hash TEXT NOT NULL, data TEXT NOT NULL,"
    " ready INTEGER NOT NULL, passages INTEGER NOT NULL, sentences INTEGER NOT NULL,"
    " PRIMARY KEY (id, hash))",
    "CREATE TABLE IF NOT EXISTS generations (gen INTEGER PRIMARY KEY AUTOINCREMENT,"
    " created TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS members (gen INTEGER NOT NULL, id TEXT NOT NULL,"
    " hash TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (gen, id))",
    # What the served state derives from each version (sentences, passages, terms, shingles),
    # packed (state.ArticleUnits.pack): a new process reads it instead of splitting again.
    "CREATE TABLE IF NOT EXISTS units (id TEXT NOT NULL, hash TEXT NOT NULL,"
    " data BLOB NOT NULL, PRIMARY KEY (id, hash))",
    # The sentence vectors of each version, in sentence order (``pack_vectors``): read by id for
    # the candidates of a question, never searched, so they need no HNSW index of their own.
    "CREATE TABLE IF NOT EXISTS vectors (id TEXT NOT NULL, hash TEXT NOT NULL,"
    " n INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (id, hash))",
    # The passages' BM25 of a generation with the vocabulary it uses (CorpusState.pack_lexicon):
    # a cache, so a new process loads it instead of building it; never published (replica.py).
    "CREATE TABLE IF NOT EXISTS lexicon (gen INTEGER PRIMARY KEY, data BLOB NOT NULL)",
    # The story clusters of a generation (wire copies of one story), as its state found them.
    "CREATE TABLE IF NOT EXISTS stories (gen INTEGER NOT NULL, id TEXT NOT NULL,"
    " story TEXT NOT NULL, PRIMARY KEY (gen, id))",
)


def _set_wal(db: sqlite3.Connection, tries: int = 50) -> None:
    """WAL mode. Switching to it takes the file for itself, and SQLite answers "locked" at once
    rather than waiting when another process is opening the same new table (two `wirecheck
    index` at once): try again for a few seconds."""
    for attempt in range(tries):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.1)


class IndexTable:
    """The manifest of the index in SQLite: article versions and generations.

    A generation is the set of article versions served together. ``current`` is served,
    ``previous`` is kept for rollback; both switch in one transaction, so a crash at any point
    leaves one of them current and whole.
    """

    def __init__(self, path: Path, readonly: bool = False):
        self.path = path
        self._lock = threading.Lock()
        if readonly:
            # For reading an existing table beside its writer (no schema work, no writes).
            self._db = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
            )
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        _set_wal(self._db)
        self._db.execute("PRAGMA synchronous=FULL")
        with self._tx() as db:
            for ddl in _TABLES:
                db.execute(ddl)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, immediate(self._db) as db:
            yield db

    def _rows(self, sql: str, args: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        self._db.close()

    def version_counts(self) -> tuple[int, int]:
        """(versions, ready versions): moves with every vector write or delete."""
        rows = self._rows("SELECT count(*), coalesce(sum(ready), 0) FROM versions")
        return int(rows[0][0]), int(rows[0][1])

    def serial(self) -> int:
        """The serial of the manifest this table holds as published on a Chroma server
        (replica.py); 0 when it never was."""
        value = self.meta().get(SERIAL_KEY, "")
        return int(value) if value.isdigit() else 0

    def adopt(self, data: bytes, serial: int) -> None:
        """Hold the published manifest ``data`` (SQLite bytes) from now on (replica.adopt)."""
        try:
            with self._lock:
                adopt(self._db, data, serial)
        except sqlite3.Error as exc:
            raise ReplicaError(f"the published manifest cannot be read: {exc}") from exc

    def mark(self) -> tuple[int, str, str]:
        """Moves whenever a generation is made or switched to, by any process."""
        seq = self._rows("SELECT seq FROM sqlite_sequence WHERE name = 'generations'")
        meta = self.meta()
        return (int(seq[0][0]) if seq else 0, meta.get("current", ""), meta.get("previous", ""))

    def has_legacy(self) -> bool:
        return bool(self._rows("SELECT name FROM sqlite_master WHERE name = 'articles'"))

    def legacy_articles(self) -> list[Article] | None:
        """Articles of a schema-1 store (one unversioned table), or None."""
        if not self.has_legacy():
            return None
        return [_load(r[0]) for r in self._rows("SELECT data FROM articles ORDER BY id")]

    def drop_legacy(self) -> None:
        with self._tx() as db:
            db.execute("DROP TABLE IF EXISTS articles")

    def meta(self) -> dict[str, str]:
        return dict(self._rows("SELECT key, value FROM meta"))

    def set_meta(self, values: dict[str, str]) -> None:
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def generation(self, role: str = "current") -> int | None:
        value = self.meta().get(role)
        return int(value) if value else None

    def fingerprints(self, gen: int | None) -> dict[str, tuple[str, str]]:
        """article id -> (path, content hash) in generation ``gen``."""
        with self._lock:
            rows = _members_in(self._db, gen)
        return {r[0]: (r[1], r[2]) for r in rows}

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: a consistent view while a writer in another process switches
        generations and drops old versions (readers take no lock; WAL keeps the snapshot)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    def served_articles(self) -> tuple[int | None, list[Article]]:
        """The current generation and its articles, read together."""
        with self._snapshot() as db:
            gen = self.generation_in(db, "current")
            return gen, self._articles_in(db, gen, {})

    def articles(self, gen: int | None, known: dict[str, Article] | None = None) -> list[Article]:
        """The articles of generation ``gen``, by id; ``known`` articles of the same version and
        path are reused rather than read again (a reload beside a served state)."""
        with self._snapshot() as db:
            return self._articles_in(db, gen, known or {})

    @staticmethod
    def _articles_in(
        db: sqlite3.Connection, gen: int | None, known: dict[str, Article]
    ) -> list[Article]:
        out = []
        for aid, path, digest in _members_in(db, gen):
            article = known.get(aid)
            if article is None or article.content_hash != digest or article.path != path:
                article = _version_in(db, aid, digest, path)
            out.append(article)
        return out

    def sample(self, gen: int | None, n: int) -> list[Article]:
        """Up to ``n`` articles of ``gen`` spread over it (first, middle, last...)."""
        with self._snapshot() as db:
            members = _members_in(db, gen)
            picks = sorted({round(i * (len(members) - 1) / max(n - 1, 1)) for i in range(n)})
            return [
                _version_in(db, members[i][0], members[i][2], members[i][1])
                for i in picks
                if members
            ]

    def unit_counts(self, gen: int | None) -> tuple[int, int]:
        """(passages, sentences) the vector store must hold for generation ``gen``."""
        row = self._rows(
            "SELECT COALESCE(SUM(v.passages), 0), COALESCE(SUM(v.sentences), 0) FROM members m"
            " JOIN versions v ON v.id = m.id AND v.hash = m.hash WHERE m.gen = ?",
            (gen,),
        )[0]
        return int(row[0]), int(row[1])

    def ready(self) -> set[tuple[str, str]]:
        return set(self._rows("SELECT id, hash FROM versions WHERE ready = 1"))

    def pending(self) -> set[tuple[str, str]]:
        """Versions whose vectors a killed or failed run may have half written."""
        return set(self._rows("SELECT id, hash FROM versions WHERE ready = 0"))

    def put_versions(self, entries: Iterable[tuple[Article, int, int]], ready: bool) -> None:
        """Record article versions with their unit counts (passages, sentences)."""
        rows = [(a.id, a.content_hash, _dump(a), int(ready), p, s) for a, p, s in entries]
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?)", rows)

    def add_generation(self, members: Iterable[tuple[str, str, str]]) -> int:
        """A new generation of (article id, content hash, path); not served until switched to."""
        with self._tx() as db:
            gen = db.execute("INSERT INTO generations (created) VALUES (?)", (_now(),)).lastrowid
            db.executemany("INSERT INTO members VALUES (?, ?, ?, ?)", [(gen, *m) for m in members])
        return int(gen)

    def switch(self, gen: int) -> None:
        """Serve ``gen``; the generation served until now becomes the previous one."""
        with self._tx() as db:
            current = self.generation_in(db, "current")
            _set(db, current=gen, previous=current, switched_at=_now())
            _drop_other_generations(db)

    def swap(self) -> int:
        """Serve the previous generation again (rollback); returns it."""
        with self._tx() as db:
            current = self.generation_in(db, "current")
            previous = self.generation_in(db, "previous")
            if previous is None:
                raise LookupError("no previous generation")
            _set(db, current=previous, previous=current, switched_at=_now())
        return previous

    @staticmethod
    def generation_in(db: sqlite3.Connection, role: str) -> int | None:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (role,)).fetchone()
        return int(row[0]) if row and row[0] else None

    def drop_unserved(self) -> list[tuple[Article, int, int]]:
        """Forget generations neither current nor previous; return versions no longer used,
        with their recorded unit counts (passages, sentences).

        Their units are still in the vector store: the caller deletes them, then calls
        ``delete_versions``. Unready versions (a crashed or failed build) are among them.
        """
        with self._tx() as db:
            _drop_other_generations(db)
        rows = self._rows(
            "SELECT data, passages, sentences FROM versions v WHERE NOT EXISTS (SELECT 1"
            " FROM members m WHERE m.id = v.id AND m.hash = v.hash)"
        )
        return [(_load(r[0]), int(r[1]), int(r[2])) for r in rows]

    def versions_of(self, keys: Iterable[tuple[str, str]]) -> list[tuple[Article, int, int]]:
        """(article version, passages, sentences) as recorded, for (id, hash) keys."""
        out = []
        for aid, digest in keys:
            for data, p, s in self._rows(
                "SELECT data, passages, sentences FROM versions WHERE id = ? AND hash = ?",
                (aid, digest),
            ):
                out.append((_load(data), int(p), int(s)))
        return out

    def delete_versions(self, articles: Iterable[Article]) -> None:
        keys = [(a.id, a.content_hash) for a in articles]
        with self._tx() as db:
            db.executemany("DELETE FROM versions WHERE id = ? AND hash = ?", keys)
            db.executemany("DELETE FROM units WHERE id = ? AND hash = ?", keys)
            db.executemany("DELETE FROM vectors WHERE id = ? AND hash = ?", keys)

    def packed_units(self, gen: int | None) -> dict[tuple[str, str], bytes]:
        """The packed units of generation ``gen``'s versions that have them."""
        rows = self._rows(
            "SELECT u.id, u.hash, u.data FROM units u JOIN members m"
            " ON m.id = u.id AND m.hash = u.hash WHERE m.gen = ?",
            (gen,),
        )
        return {(aid, digest): bytes(data) for aid, digest, data in rows}

    def stories(self, gen: int | None) -> dict[str, str]:
        """Article id -> story id, as the state of generation ``gen`` clustered them."""
        return dict(self._rows("SELECT id, story FROM stories WHERE gen = ?", (gen,)))

    def put_stories(self, gen: int, story_of: dict[str, str]) -> None:
        """Keep a generation's clusters (a cache, like ``put_units``); only while ``gen`` is
        kept, so a dropped generation's number is never given clusters."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM generations WHERE gen = ?", (gen,)).fetchone():
                db.execute("DELETE FROM stories WHERE gen = ?", (gen,))
                db.executemany(
                    "INSERT INTO stories VALUES (?, ?, ?)",
                    [(gen, aid, sid) for aid, sid in story_of.items()],
                )

    def lexicon(self, gen: int | None) -> bytes | None:
        rows = self._rows("SELECT data FROM lexicon WHERE gen = ?", (gen,))
        return bytes(rows[0][0]) if rows else None

    def put_lexicon(self, gen: int, data: bytes) -> None:
        """Keep a generation's packed BM25 (a cache, like ``put_stories``)."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM generations WHERE gen = ?", (gen,)).fetchone():
                db.execute("INSERT OR REPLACE INTO lexicon VALUES (?, ?)", (gen, data))

    def put_units(self, rows: Sequence[tuple[str, str, bytes]]) -> None:
        """Keep packed units of (article id, version hash); a cache: the caller may ignore a
        failure (a busy or read-only store)."""
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO units VALUES (?, ?, ?)", rows)

    def put_vectors(self, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        """Keep the sentence vectors of (article id, version hash), one matrix per version."""
        packed = [(aid, digest, len(v), pack_vectors(v)) for aid, digest, v in rows if len(v)]
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", packed)

    def vectors(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        """(article id, version hash) -> its sentence vectors (float32, sentence order)."""
        out = {}
        with self._lock:
            for aid, digest in dict.fromkeys(keys):
                row = self._db.execute(
                    "SELECT data FROM vectors WHERE id = ? AND hash = ?", (aid, digest)
                ).fetchone()
                if row is not None:
                    out[(aid, digest)] = unpack_vectors(bytes(row[0]))
        return out

    def vector_rows(self, gen: int | None = None) -> int:
        """Sentence vectors held for generation ``gen``'s versions (every version: None)."""
        if gen is None:
            rows = self._rows("SELECT COALESCE(SUM(n), 0) FROM vectors")
        else:
            rows = self._rows(
                "SELECT COALESCE(SUM(x.n), 0) FROM members m JOIN vectors x"
                " ON x.id = m.id AND x.hash = m.hash WHERE m.gen = ?",
                (gen,),
            )
        return int(rows[0][0])

    def delete_vectors(self, keys: Iterable[tuple[str, str]]) -> None:
        with self._tx() as db:
            db.executemany("DELETE FROM vectors WHERE id = ? AND hash = ?", list(keys))

    def clear(self) -> None:
        with self._tx() as db:
            for table in _DATA_TABLES:
                db.execute(f"DELETE FROM {table}")


_DATA_TABLES = (
    "versions",
    "generations",
    "members",
    "meta",
    "units",
    "vectors",
    "stories",
    "lexicon",
)


def pack_vectors(vectors: np.ndarray) -> bytes:
    """Unit vectors as int8 with one float32 scale per row (a quarter of float32; cosine to
    the original > 0.9999 for MiniLM's normalised vectors)."""
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    codes = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    head = np.array([len(vectors), vectors.shape[1]], dtype="<u4").tobytes()
    return head + scale.astype("<f4").tobytes() + codes.tobytes()


def unpack_vectors(blob: bytes) -> np.ndarray:
    n, dim = (int(x) for x in np.frombuffer(blob[:8], dtype="<u4"))
    if len(blob) != 8 + 4 * n + n * dim:
        raise ValueError("packed vectors of the wrong size")
    scale = np.frombuffer(blob, dtype="<f4", count=n, offset=8)
    codes = np.frombuffer(blob, dtype=np.int8, count=n * dim, offset=8 + 4 * n).reshape(n, dim)
    return codes.astype(np.float32) * scale[:, None]


def _members_in(db: sqlite3.Connection, gen: int | None) -> list[tuple[str, str, str]]:
    """(article id, path, content hash) of generation ``gen``, by id."""
    return db.execute(
        "SELECT id, path, hash FROM members WHERE gen = ? ORDER BY id", (gen,)
    ).fetchall()


def _version_in(db: sqlite3.Connection, aid: str, digest: str, path: str) -> Article:
    row = db.execute(
        "SELECT data FROM versions WHERE id = ? AND hash = ?", (aid, digest)
    ).fetchone()
    if row is None:
        raise LookupError(f"article version {aid} ({digest[:12]}) is not in the index table")
    article = _load(row[0])
    return article if article.path == path else replace(article, path=path)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _set(db: sqlite3.Connection, **values: object) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [(k, "" if v is None else str(v)) for k, v in values.items()],
    )


def _drop_other_generations(db: sqlite3.Connection) -> None:
    keep = [
        g
        for g in (IndexTable.generation_in(db, "current"), IndexTable.generation_in(db, "previous"))
        if g is not None
    ]
    marks = ",".join("?" * len(keep)) or "NULL"
    db.execute(f"DELETE FROM members WHERE gen NOT IN ({marks})", keep)
    db.execute(f"DELETE FROM stories WHERE gen NOT IN ({marks})", keep)
    db.execute(f"DELETE FROM lexicon WHERE gen NOT IN ({marks})", keep)
    db.execute(f"DELETE FROM generations WHERE gen NOT IN ({marks})", keep)


def _dump(a: Article) -> str:
    d = a.__dict__.copy()
    d["metadata"] = [list(kv) for kv in a.metadata]
    return json.dumps(d, ensure_ascii=False)


def _load(data: str) -> Article:
    d = json.loads(data)
    d["metadata"] = tuple(tuple(kv) for kv in d["metadata"])
    return Article(**d)


class StoreUnavailable(RuntimeError):
    """The store cannot be used right now for a reason outside it (disk full, no permission,
    locked, a Chroma server not running); nothing was changed or moved."""
