"""The vector index: Chroma, embedded (a PersistentClient in the store folder) or a server.

One collection, passages, holds the one HNSW index (the search by meaning); sentence vectors
are read by id from the index table (``IndexTable.vectors``). Chroma is called directly, not
through LlamaIndex's ChromaVectorStore: a unit here is an id, a vector and its offsets.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import tenacity

from .store import IndexTable, StoreUnavailable
from .types import Span

log = logging.getLogger(__name__)

PASSAGES = "passages"
SENTENCES = "sentences"
# Chroma's HNSW parameters for the passage index, chosen rather than left to defaults: cosine
# space; M = 16 links per node and ef_construction = 100 (Chroma's defaults: they set the build
# time and the 1.6 kB a vector costs on disk and in memory, 1.5 kB of it the float32 vector);
# ef_search = 200, not 100, because a question reads 60 neighbours: on 1,515 articles (29,474
# passages) recall@60 against exact search is 0.987 at 100 and 0.997 at 200, for +0.7 ms a query
# (p50 1.3 -> 2.0 ms).
HNSW = {"space": "cosine", "max_neighbors": 16, "ef_construction": 100, "ef_search": 200}
# Versions whose sentence vectors a serving process keeps decoded (~150 kB each).
SENTENCE_CACHE_VERSIONS = 128


def open_chroma(store_dir: Path, host: str | None = None, port: int = 8000):
    """The embedded PersistentClient by default; a Chroma server when a host is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        try:
            return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
        except Exception as exc:  # noqa: BLE001 - Chroma says ValueError; whatever it is, say so
            raise StoreUnavailable(
                f"the Chroma server at {host}:{port} cannot be reached ({exc}); start it, or "
                "check WIRECHECK_CHROMA_HOST and WIRECHECK_CHROMA_PORT"
            ) from exc
    return chromadb.PersistentClient(path=str(store_dir / "chroma"), settings=chroma_settings)


def sweep_deleted_segments(chroma_dir: Path) -> int:
    """Remove the vector-index folders of deleted collections from an embedded store; returns
    how many went. Chroma 1.x deletes a collection's rows but leaves its HNSW folder on disk
    (chroma-core/chroma#5259, #5520), so every rebuild would otherwise leave a full copy behind.

    The folders are listed before the segments are read: a folder made meanwhile belongs to a
    segment whose row already exists, so it is never taken for a deleted one."""
    db_file = chroma_dir / "chroma.sqlite3"
    if not db_file.is_file():
        return 0
    folders = [p for p in chroma_dir.iterdir() if p.is_dir() and _is_uuid(p.name)]
    if not folders:
        return 0
    db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        live = {r[0] for r in db.execute("SELECT id FROM segments")}
    except sqlite3.Error as exc:
        log.debug("segments unreadable, nothing swept: %s", exc)
        return 0
    finally:
        db.close()
    swept = 0
    for folder in folders:
        if folder.name not in live and (folder / "header.bin").exists():
            shutil.rmtree(folder, ignore_errors=True)
            swept += 1
    if swept:
        log.info("removed %d vector-index folders of deleted collections", swept)
    return swept


def while_locked(call, *args, **kwargs):
    """``call(*args, **kwargs)``, tried again for a while when Chroma's SQLite answers
    "database is locked" (its own background writer, or another process, holding the file a
    moment: seen on a loaded 2-core machine while a reload changed a collection's settings).
    Any other error, or the lock outlasting ``_LOCKED_FOR_S``, is raised as it came."""
    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_delay(_LOCKED_FOR_S),
        wait=tenacity.wait_exponential(multiplier=0.05, max=1.0),
        retry=tenacity.retry_if_exception(lambda e: "database is locked" in str(e)),
        reraise=True,
    )
    return retrying(call, *args, **kwargs)


# How long a locked store is waited for before the write fails (and the reload with it).
_LOCKED_FOR_S = 30


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True


def forget_chroma_clients() -> None:
    """Chroma caches one system per store path in the process; drop it after moving a store."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


class VectorIndex:
    """The passages' Chroma collection, and the sentence vectors kept in the index table.

    One HNSW index, for the one search by meaning (passages). Sentence vectors are only read by
    id, for the sentences of the passages a question found, so they are kept int8 beside the
    manifest (``IndexTable.vectors``) rather than in a second HNSW index: that index held 80 %
    of the vector bytes, on disk and in memory, and cost most of the time to open the store.

    Called directly rather than through LlamaIndex's ChromaVectorStore: a unit here is an id, a
    vector and its offsets (the text stays in the corpus files), and the index is read by id
    for vectors as well as by query, which the vector-store abstraction does not cover.
    """

    def __init__(self, client, prefix: str, table: IndexTable, reopen=None):
        self._client = client
        self._prefix = prefix
        self.table = table
        # Returns a new client over the same store (embedded stores only): see ``reopen``.
        self._reopen = reopen
        self._max_batch = int(client.get_max_batch_size())
        # embedding_function=None: Chroma must never embed by itself (its default downloads a
        # model); every vector comes from our MiniLM.
        self.collections = {
            PASSAGES: client.get_or_create_collection(
                f"{prefix}-{PASSAGES}",
                embedding_function=None,
                configuration={"hnsw": HNSW},
            )
        }
        self._blobs: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._blobs_lock = threading.Lock()

    def sentence_vectors(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], np.ndarray]:
        """(article id, version hash) -> the version's sentence vectors, recently read ones
        from memory (a version's vectors never change, so the cache is never stale)."""
        out, missing = {}, []
        with self._blobs_lock:
            for key in dict.fromkeys(keys):
                got = self._blobs.get(key)
                if got is None:
                    missing.append(key)
                else:
                    self._blobs.move_to_end(key)
                    out[key] = got
        if missing:
            read = self.table.vectors(missing)
            out.update(read)
            with self._blobs_lock:
                self._blobs.update(read)
                while len(self._blobs) > SENTENCE_CACHE_VERSIONS:
                    self._blobs.popitem(last=False)
        return out

    def legacy_sentences(self, ids: Sequence[str]) -> dict[str, np.ndarray] | None:
        """Vectors from the sentence collection stores before schema 3 kept (None: none)."""
        try:
            col = self._client.get_collection(f"{self._prefix}-{SENTENCES}")
        except Exception:  # noqa: BLE001 - Chroma raises its own NotFound kinds
            return None
        return self._read_vectors(col, ids)

    def close(self) -> None:
        """Release the client; the last one closed on a store path stops its Chroma system."""
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def reopen(self) -> bool:
        """Read the store afresh after another process wrote to it; False when the client
        needs no reopening (a Chroma server serves every client the same view).

        Closing the last client on a path stops Chroma's system for it, so the new client
        loads the vector indexes from disk. (Engines sharing one store inside one process
        share one view, which needs no reopening between them.)"""
        if self._reopen is None:
            return False
        self.close()
        self.__init__(self._reopen(), self._prefix, self.table, self._reopen)
        return True

    def refresh_collections(self) -> None:
        """Look the collections up again (another writer may have recreated them)."""
        self.__init__(self._client, self._prefix, self.table, self._reopen)

    def tune(self) -> None:
        """Give a collection made with other search parameters (before 0.7) today's ef_search;
        the build parameters of an existing index cannot change."""
        col = self.collections[PASSAGES]
        have = (getattr(col, "configuration_json", None) or {}).get("hnsw") or {}
        if have.get("ef_search") != HNSW["ef_search"]:
            while_locked(col.modify, configuration={"hnsw": {"ef_search": HNSW["ef_search"]}})
            self.refresh_collections()

    def drop_legacy_sentences(self) -> None:
        self._drop(SENTENCES)

    def reset(self) -> None:
        """Drop every unit (the sentence collection of stores before schema 3 too)."""
        for kind in (PASSAGES, SENTENCES):
            self._drop(kind)
        self.__init__(self._client, self._prefix, self.table, self._reopen)

    def _drop(self, kind: str) -> None:
        try:
            self._client.delete_collection(f"{self._prefix}-{kind}")
        except Exception:  # noqa: BLE001 - a missing collection is already dropped
            log.debug("collection %s-%s absent, nothing to drop", self._prefix, kind)

    @property
    def _step(self) -> int:
        """Units per Chroma call: Chroma caps one call at its max batch size."""
        return max(1, min(self._max_batch, 4096))

    def count(self, kind: str) -> int:
        return self.collections[kind].count()

    def delete_ids(self, kind: str, ids: Sequence[str]) -> None:
        step = self._step
        for i in range(0, len(ids), step):
            while_locked(self.collections[kind].delete, ids=list(ids[i : i + step]))

    def add(
        self,
        kind: str,
        spans: Sequence[Span],
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: np.ndarray,
    ) -> None:
        """Write units: id, vector and where in its article the unit lies. ``texts`` are not
        stored: the corpus files hold them."""
        metadatas = [
            {"article_id": span.article_id, "start": span.start, "end": span.end} for span in spans
        ]
        if not (len(spans) == len(ids) == len(texts) == len(vectors)):
            raise ValueError("units, ids, texts and vectors differ in number")
        # Upsert replaces a killed run's leftovers.
        step = self._step
        for i in range(0, len(ids), step):
            while_locked(
                self.collections[kind].upsert,
                ids=list(ids[i : i + step]),
                embeddings=np.asarray(vectors[i : i + step], dtype=np.float32),
                metadatas=metadatas[i : i + step],
            )

    def query(self, kind: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(unit id, cosine similarity) best first; fewer than ``k`` when the collection holds
        fewer (Chroma returns what it has: counting first costs ~0.1 s on a big collection)."""
        if k <= 0:
            return []
        result = self.collections[kind].query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            include=["distances"],
        )
        # The collections use cosine space: distance = 1 - cosine.
        return [
            (i, 1.0 - float(d))
            for i, d in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def units(
        self, kind: str, ids: Sequence[str]
    ) -> dict[str, tuple[tuple[str, int, int], np.ndarray]]:
        """unit id -> ((article id, start, end), vector) as stored, for the integrity probe."""
        if not ids:
            return {}
        got = self.collections[kind].get(ids=list(ids), include=["embeddings", "metadatas"])
        out = {}
        for i, v, meta in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True):
            meta = meta or {}
            where = (
                str(meta.get("article_id")),
                int(meta.get("start", -1)),
                int(meta.get("end", -1)),
            )
            out[i] = (where, np.asarray(v, dtype=np.float32))
        return out

    def vectors(self, kind: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return self._read_vectors(self.collections[kind], ids)

    def _read_vectors(self, collection, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        step = self._step
        for i in range(0, len(ids), step):
            got = collection.get(ids=list(ids[i : i + step]), include=["embeddings"])
            for uid, v in zip(got["ids"], got["embeddings"], strict=True):
                out[uid] = np.asarray(v, dtype=np.float32)
        return out
