"""The manifest published to a Chroma server, on an embedded client (the same collection API)."""

from __future__ import annotations

import os
import sqlite3

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from retrieval.replica import CHUNK_BYTES, Replica, ReplicaError


@pytest.fixture
def replica(tmp_path):
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    return Replica(client, "test"), client


def _database(path, payload: bytes):
    db = sqlite3.connect(path)
    with db:
        db.execute("CREATE TABLE blobs (data BLOB)")
        db.execute("INSERT INTO blobs VALUES (?)", (payload,))
    db.close()
    return path


def test_a_published_manifest_downloads_as_it_was_written(replica, tmp_path):
    rep, _ = replica
    # Random bytes do not compress: several chunks.
    path = _database(tmp_path / "t.sqlite", os.urandom(CHUNK_BYTES * 2))
    rep.publish(path, serial=3)
    pointer = rep.pointer()
    assert pointer["serial"] == 3 and pointer["chunks"] >= 3
    got = tmp_path / "got.sqlite"
    got.write_bytes(rep.download(pointer))
    db = sqlite3.connect(got)
    assert (
        db.execute("SELECT data FROM blobs").fetchone()[0]
        == sqlite3.connect(path).execute("SELECT data FROM blobs").fetchone()[0]
    )


def test_chunks_are_metadata_not_documents_full_text_search_would_index(replica, tmp_path):
    rep, client = replica
    rep.publish(_database(tmp_path / "t.sqlite", b"x" * 1000), serial=1)
    rows = client.get_collection("test-manifest").get(include=["documents", "metadatas"])
    chunks = [m for m in rows["metadatas"] if "data" in m]
    assert chunks and all(not d for d in rows["documents"])


def test_a_missing_or_altered_chunk_is_refused(replica, tmp_path):
    rep, client = replica
    rep.publish(_database(tmp_path / "t.sqlite", os.urandom(CHUNK_BYTES * 2)), serial=1)
    pointer = rep.pointer()
    col = client.get_collection("test-manifest")
    first = f"{pointer['snapshot']}-0"
    meta = col.get(ids=[first], include=["metadatas"])["metadatas"][0]
    col.update(ids=[first], metadatas=[{**meta, "data": meta["data"][::-1]}])
    with pytest.raises(ReplicaError, match="digest"):
        rep.download(pointer)
    col.delete(ids=[first])
    with pytest.raises(ReplicaError, match="lacks 1 chunk"):
        rep.download(pointer)
