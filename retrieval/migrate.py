"""Upgrade a store written by Wirecheck 0.2 (schema 1) without embedding anything again.

Schema 1 kept one unversioned copy of each article's units (``id::p0``, ``id::s0``); schema 2
keys them by article version so generations can sit side by side. The vectors are the same, so
they are read, the collections recreated and the vectors written under their new ids. A crash
midway is safe: the old table stays until the end, articles already written are recognised on
the next run, and any not yet written are embedded again by the next reload.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .embedding import Embedder
from .indexer import expected_meta
from .passages import CHUNKING_VERSION, unit_ids_of, units_of
from .store import SCHEMA_VERSION, IndexTable
from .types import Article, Passage, Span
from .vectors import PASSAGES, VectorIndex

log = logging.getLogger(__name__)

ARTICLES_PER_BATCH = 64


def migrate_legacy_store(table: IndexTable, vectors: VectorIndex, embedder: Embedder) -> bool:
    """Move a schema-1 store to schema 2 in place; False when there was nothing to migrate."""
    articles = table.legacy_articles()
    if articles is None:
        return False
    meta = table.meta()
    if meta.get("model") != embedder.model_id or meta.get("chunking") != CHUNKING_VERSION:
        # Vectors of another model or chunking cannot be reused: a full rebuild follows.
        table.drop_legacy()
        return False
    log.info("upgrading the index of %d articles to versioned units", len(articles))
    ready = table.ready()
    kept = [a for a in articles if (a.id, a.content_hash) in ready]
    moving: list[_Units] = []
    for i in range(0, len(articles), ARTICLES_PER_BATCH):
        batch = [
            a for a in articles[i : i + ARTICLES_PER_BATCH] if (a.id, a.content_hash) not in ready
        ]
        moving.extend(_read_units(batch, vectors))
    if moving:
        # Recreated rather than re-keyed in place: Chroma only marks deleted vectors, so adding
        # the new ids beside the old would leave both copies in the HNSW index for good.
        # A crash from here on loses the unwritten vectors; the next reload embeds them again.
        vectors.reset()
        for i in range(0, len(moving), ARTICLES_PER_BATCH):
            _write_units(moving[i : i + ARTICLES_PER_BATCH], vectors, table)
    kept += [u.article for u in moving]
    gen = table.add_generation((a.id, a.content_hash, a.path) for a in kept)
    table.switch(gen)
    table.set_meta(expected_meta(embedder))
    table.drop_legacy()
    if len(kept) < len(articles):
        log.warning(
            "%d articles had no vectors and will be indexed again", len(articles) - len(kept)
        )
    return True


@dataclass
class _Units:
    article: Article
    passages: list[Passage]
    sentences: list[Span]
    passage_vectors: np.ndarray
    sentence_vectors: np.ndarray


def _read_units(batch: list[Article], vectors: VectorIndex) -> list[_Units]:
    """The batch's vectors under their schema-1 ids (one read per collection)."""
    split = []
    for a in batch:
        units = units_of(a)
        split.append((a, list(units.passages), list(units.sentences)))
    old_p = [f"{a.id}::p{n}" for a, ps, _ in split for n in range(len(ps))]
    old_s = [f"{a.id}::s{j}" for a, _, ss in split for j in range(len(ss))]
    got_p = vectors.vectors(PASSAGES, old_p)
    got_s = vectors.legacy_sentences(old_s) or {}
    out = []
    for a, passages, sentences in split:
        p_ids = [f"{a.id}::p{n}" for n in range(len(passages))]
        s_ids = [f"{a.id}::s{j}" for j in range(len(sentences))]
        if not s_ids or any(i not in got_p for i in p_ids) or any(i not in got_s for i in s_ids):
            continue
        out.append(
            _Units(
                a,
                passages,
                sentences,
                np.stack([got_p[i] for i in p_ids]),
                np.stack([got_s[i] for i in s_ids]),
            )
        )
    return out


def _write_units(batch: list[_Units], vectors: VectorIndex, table: IndexTable) -> None:
    p_spans, p_ids, p_texts = [], [], []
    for u in batch:
        new_p, _ = unit_ids_of(u.article, len(u.passages), len(u.sentences))
        p_spans += u.passages
        p_ids += new_p
        p_texts += [p.text for p in u.passages]
    vectors.add(
        PASSAGES, p_spans, p_ids, p_texts, np.concatenate([u.passage_vectors for u in batch])
    )
    table.put_vectors([(u.article.id, u.article.content_hash, u.sentence_vectors) for u in batch])
    table.put_versions([(u.article, len(u.passages), len(u.sentences)) for u in batch], ready=True)


def needs_vector_move(table: IndexTable, embedder: Embedder) -> bool:
    """A schema-2 store of this model and chunking: its sentence vectors can move, not be
    embedded again."""
    meta = table.meta()
    return meta.get("schema") == "2" and all(
        meta.get(k) == v for k, v in expected_meta(embedder).items() if k != "schema"
    )


def move_sentence_vectors(table: IndexTable, vectors: VectorIndex, embedder: Embedder) -> int:
    """Schema 2 -> 3: copy every ready version's sentence vectors from the Chroma collection
    into the table, then drop the collection; returns how many versions moved.

    A version whose vectors cannot all be read is left without: the integrity probe then finds
    the store damaged and it is rebuilt. A crash midway is safe: the schema changes last, and
    copying again overwrites.
    """
    if not needs_vector_move(table, embedder):
        return 0
    versions = table.versions_of(table.ready())
    log.info("upgrading the index: moving the sentence vectors of %d versions", len(versions))
    moved, lost = 0, 0
    for i in range(0, len(versions), ARTICLES_PER_BATCH):
        batch = versions[i : i + ARTICLES_PER_BATCH]
        ids = {a.content_hash: unit_ids_of(a, p, s)[1] for a, p, s in batch}
        got = vectors.legacy_sentences([u for v in ids.values() for u in v]) or {}
        rows = []
        for a, _p, s in batch:
            wanted = ids[a.content_hash]
            if s and all(u in got for u in wanted):
                rows.append((a.id, a.content_hash, np.stack([got[u] for u in wanted])))
            elif s:
                lost += 1
        table.put_vectors(rows)
        moved += len(rows)
    if lost:
        log.warning("%d versions had no sentence vectors to move", lost)
    vectors.drop_legacy_sentences()
    table.set_meta({"schema": SCHEMA_VERSION})
    return moved
