"""The index manifest kept on the Chroma server, so any machine serves without the indexer's
store folder.

With a Chroma server (``chroma_host``) the vectors live there, but the manifest (which article
versions make which generation, the articles themselves, their packed units and stories) is
the store folder's SQLite table. A writer therefore *publishes* that table to the server after
every switch: the whole database, compressed, in chunks of a ``<prefix>-manifest`` collection,
then one pointer row naming it with a serial number. Any other process (a second bot on another
machine started with an empty ``--store``, a separate indexer) *adopts* a published manifest
newer than its own copy: it downloads it, checks its digest, and copies it into its local table
in one transaction. It then serves that generation from the server's vectors without embedding
anything, and follows the next switch the same way.

A writer adopts before it builds (under the server's writer lease), so two machines taking turns
never undo each other's work, and the serial only grows.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import sqlite3
import tempfile
import zlib
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

POINTER = "published"
# Chroma holds strings, not bytes: each chunk is base64 of this many compressed bytes, kept as a
# metadata value. Not as a document: Chroma indexes documents for full-text search (trigrams),
# which made a manifest take ~7x its size on the server; a metadata string takes ~3x.
CHUNK_BYTES = 1_500_000
CHUNK_KEY = "data"
# The local table's meta key holding the serial of the manifest it holds (published or adopted).
SERIAL_KEY = "replica_serial"
# What a published manifest carries: the tables the served generations need.
TABLES = ("meta", "versions", "generations", "members", "units", "vectors", "stories")
# Meta keys that belong to one machine's copy, never carried across.
_LOCAL_META = (SERIAL_KEY,)
# Caches keyed by generation number that this machine built: another manifest's generations are
# other sets of articles under the same numbers, so they go on adopting it.
_LOCAL_CACHES = ("lexicon",)


class ReplicaError(RuntimeError):
    """A published manifest that cannot be read (missing chunks, wrong digest)."""


class Replica:
    """The ``<prefix>-manifest`` collection of one Chroma server."""

    def __init__(self, client: Any, prefix: str) -> None:
        # embedding_function=None: rows carry a 1-dimensional placeholder, never a model's.
        self._collection = client.get_or_create_collection(
            f"{prefix}-manifest", embedding_function=None
        )

    def pointer(self) -> dict[str, Any] | None:
        """The published manifest's pointer row (serial, snapshot, chunks, sha256), or None."""
        got = self._collection.get(ids=[POINTER], include=["metadatas"])
        metas = got.get("metadatas") or []
        return dict(metas[0]) if metas and metas[0] else None

    def serial(self) -> int:
        pointer = self.pointer()
        return int(pointer["serial"]) if pointer else 0

    def publish(self, db_path: Path, serial: int) -> None:
        """Upload the table at ``db_path`` as manifest ``serial``, then point at it; the chunks
        of the manifest it replaces are deleted after the switch."""
        data = zlib.compress(_snapshot_bytes(db_path), 6)
        snapshot = secrets.token_hex(8)
        chunks = [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
        ids = [f"{snapshot}-{n}" for n in range(len(chunks))]
        self._collection.add(
            ids=ids,
            embeddings=[[0.0]] * len(chunks),
            metadatas=[
                {"snapshot": snapshot, "n": n, CHUNK_KEY: base64.b64encode(c).decode("ascii")}
                for n, c in enumerate(chunks)
            ],
        )
        old = self.pointer()
        self._collection.upsert(
            ids=[POINTER],
            embeddings=[[0.0]],
            documents=[""],
            metadatas=[
                {
                    "serial": serial,
                    "snapshot": snapshot,
                    "chunks": len(chunks),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            ],
        )
        if old and old.get("snapshot") != snapshot:
            self._collection.delete(where={"snapshot": str(old["snapshot"])})
        log.info("published index manifest %d (%.1f MB) to the server", serial, len(data) / 1e6)

    def download(self, pointer: dict[str, Any]) -> bytes:
        """The manifest ``pointer`` names, as SQLite database bytes."""
        snapshot, count = str(pointer["snapshot"]), int(pointer["chunks"])
        ids = [f"{snapshot}-{n}" for n in range(count)]
        got = self._collection.get(ids=ids, include=["metadatas"])
        parts = {
            i: str(m[CHUNK_KEY])
            for i, m in zip(got.get("ids") or [], got.get("metadatas") or [], strict=True)
            if m and CHUNK_KEY in m
        }
        missing = [i for i in ids if i not in parts]
        if missing:
            raise ReplicaError(f"the published manifest {snapshot} lacks {len(missing)} chunk(s)")
        data = b"".join(base64.b64decode(parts[i]) for i in ids)
        if hashlib.sha256(data).hexdigest() != pointer.get("sha256"):
            raise ReplicaError(f"the published manifest {snapshot} does not match its digest")
        return zlib.decompress(data)


def _snapshot_bytes(db_path: Path) -> bytes:
    """A consistent copy of the SQLite database (the backup API reads one snapshot)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "manifest.sqlite"
        source = sqlite3.connect(db_path)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return copy.read_bytes()


def adopt(db: sqlite3.Connection, data: bytes, serial: int) -> None:
    """Replace the local table's manifest with a published one, in one transaction (a reader of
    the local table sees the old manifest or the new, never a mix)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "published.sqlite"
        path.write_bytes(data)
        db.execute("ATTACH DATABASE ? AS published", (str(path),))
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in TABLES:
                    db.execute(f"DELETE FROM main.{table}")
                    db.execute(f"INSERT INTO main.{table} SELECT * FROM published.{table}")
                for table in _LOCAL_CACHES:
                    db.execute(f"DELETE FROM main.{table}")
                keys = ",".join("?" * len(_LOCAL_META))
                db.execute(f"DELETE FROM main.meta WHERE key IN ({keys})", _LOCAL_META)
                db.execute("INSERT INTO main.meta VALUES (?, ?)", (SERIAL_KEY, str(serial)))
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.execute("DETACH DATABASE published")
