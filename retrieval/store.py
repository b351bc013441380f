"""The derived index: Chroma collections (via LlamaIndex) plus an article table in SQLite.

The article table is the manifest (id, path, content hash) and a snapshot of what is served, so
a corpus file that breaks later never takes its last good version out of the index.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .types import Article, Span

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
PASSAGES = "passages"
SENTENCES = "sentences"


class ArticleTable:
    """SQLite table of indexed articles; each write is one transaction."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS articles (id TEXT PRIMARY KEY, path TEXT NOT NULL,"
            " hash TEXT NOT NULL, data TEXT NOT NULL)"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta"))

    def set_meta(self, values: dict[str, str]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def fingerprints(self) -> dict[str, tuple[str, str]]:
        """article id -> (path, content hash)."""
        return {r[0]: (r[1], r[2]) for r in self._db.execute("SELECT id, path, hash FROM articles")}

    def upsert(self, articles: Iterable[Article]) -> None:
        rows = [(a.id, a.path, a.content_hash, _dump(a)) for a in articles]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)", rows)

    def delete(self, ids: Iterable[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in ids])

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM articles")
            self._db.execute("DELETE FROM meta")

    def articles(self) -> list[Article]:
        return [_load(r[0]) for r in self._db.execute("SELECT data FROM articles ORDER BY id")]

    def get(self, ids: Iterable[str]) -> list[Article]:
        out = []
        for aid in ids:
            row = self._db.execute("SELECT data FROM articles WHERE id = ?", (aid,)).fetchone()
            if row:
                out.append(_load(row[0]))
        return out


def _dump(a: Article) -> str:
    d = a.__dict__.copy()
    d["metadata"] = [list(kv) for kv in a.metadata]
    return json.dumps(d, ensure_ascii=False)


def _load(data: str) -> Article:
    d = json.loads(data)
    d["metadata"] = tuple(tuple(kv) for kv in d["metadata"])
    return Article(**d)


def open_chroma(store_dir: Path, host: str | None = None, port: int = 8000):
    """The embedded PersistentClient by default; a Chroma server when a host is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(store_dir / "chroma"), settings=chroma_settings)


class VectorIndex:
    """Two LlamaIndex ChromaVectorStores over one client: passages and sentences."""

    def __init__(self, client, prefix: str):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self._client = client
        self._prefix = prefix
        self._max_batch = int(client.get_max_batch_size())
        self.collections = {}
        self.stores = {}
        for kind in (PASSAGES, SENTENCES):
            # embedding_function=None: Chroma must never embed by itself (its default downloads
            # a model); every vector comes from our MiniLM.
            col = client.get_or_create_collection(
                f"{prefix}-{kind}",
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
            )
            self.collections[kind] = col
            self.stores[kind] = ChromaVectorStore(chroma_collection=col)

    def reset(self) -> None:
        for kind in (PASSAGES, SENTENCES):
            try:
                self._client.delete_collection(f"{self._prefix}-{kind}")
            except Exception:  # noqa: BLE001 - a missing collection is already reset
                log.debug("collection %s-%s absent on reset", self._prefix, kind)
        self.__init__(self._client, self._prefix)

    def count(self, kind: str) -> int:
        return self.collections[kind].count()

    def delete_ids(self, kind: str, ids: Sequence[str]) -> None:
        step = max(1, min(self._max_batch, 4096))
        for i in range(0, len(ids), step):
            self.collections[kind].delete(ids=list(ids[i : i + step]))

    def add(
        self,
        kind: str,
        spans: Sequence[Span],
        ids: Sequence[str],
        texts: Sequence[str],
        vectors: np.ndarray,
    ) -> None:
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        nodes = []
        for span, node_id, text, vec in zip(spans, ids, texts, vectors, strict=True):
            node = TextNode(
                id_=node_id,
                text=text,
                embedding=vec.tolist(),
                start_char_idx=span.start,
                end_char_idx=span.end,
                metadata={"article_id": span.article_id, "start": span.start, "end": span.end},
            )
            node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=span.article_id)
            nodes.append(node)
        # Chroma caps one write (5461 rows embedded); LlamaIndex's own chunking is larger.
        step = max(1, min(self._max_batch, 4096))
        for i in range(0, len(nodes), step):
            self.stores[kind].add(nodes[i : i + step])

    def query(self, kind: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(node id, cosine similarity) best first."""
        from llama_index.core.vector_stores.types import VectorStoreQuery

        k = min(k, self.count(kind))
        if k <= 0:
            return []
        result = self.stores[kind].query(
            VectorStoreQuery(query_embedding=vector.tolist(), similarity_top_k=k)
        )
        # ChromaVectorStore reports exp(-distance); cosine distance is 1 - cos.
        return [
            (i, 1.0 + float(np.log(max(s, 1e-12))))
            for i, s in zip(result.ids, result.similarities, strict=True)
        ]

    def vectors(self, kind: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self.collections[kind].get(ids=list(ids), include=["embeddings"])
        return {
            i: np.asarray(v, dtype=np.float32)
            for i, v in zip(got["ids"], got["embeddings"], strict=True)
        }
