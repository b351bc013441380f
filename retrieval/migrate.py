"""Upgrade a store written by Wirecheck 0.2 (schema 1) without embedding anything again.

Schema 1 kept one unversioned copy of each article's units (``id::p0``, ``id::s0``); schema 2
keys them by article version so generations can sit side by side. The vectors are the same, so
they are copied to their new ids. A crash midway is safe: the old table stays until the end and
articles already moved are recognised on the next run.
"""

from __future__ import annotations

import logging

import numpy as np

from .embedding import Embedder
from .indexer import expected_meta, unit_ids
from .passages import CHUNKING_VERSION, split_passages, split_sentences
from .store import PASSAGES, SENTENCES, IndexTable, VectorIndex
from .types import Article

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
    kept: list[Article] = []
    for i in range(0, len(articles), ARTICLES_PER_BATCH):
        batch = articles[i : i + ARTICLES_PER_BATCH]
        kept.extend(a for a in batch if (a.id, a.content_hash) in ready)
        kept.extend(
            _move_units([a for a in batch if (a.id, a.content_hash) not in ready], vectors, table)
        )
    gen = table.add_generation((a.id, a.content_hash, a.path) for a in kept)
    table.switch(gen)
    table.set_meta(expected_meta(embedder))
    table.drop_legacy()
    if len(kept) < len(articles):
        log.warning(
            "%d articles had no vectors and will be indexed again", len(articles) - len(kept)
        )
    return True


def _move_units(batch: list[Article], vectors: VectorIndex, table: IndexTable) -> list[Article]:
    """Copy a batch's vectors to their versioned ids; one read, write and delete per collection
    (each Chroma delete costs ~0.5 s on a big store)."""
    units = []
    old_p: list[str] = []
    old_s: list[str] = []
    for a in batch:
        sentences = split_sentences(a)
        passages = split_passages(a, sentences)
        p_ids = [f"{a.id}::p{n}" for n in range(len(passages))]
        s_ids = [f"{a.id}::s{j}" for j in range(len(sentences))]
        units.append((a, sentences, passages, p_ids, s_ids))
        old_p += p_ids
        old_s += s_ids
    got_p = vectors.vectors(PASSAGES, old_p)
    got_s = vectors.vectors(SENTENCES, old_s)
    moved: list[Article] = []
    rows = {PASSAGES: ([], [], [], []), SENTENCES: ([], [], [], [])}
    for a, sentences, passages, p_ids, s_ids in units:
        if not s_ids or any(i not in got_p for i in p_ids) or any(i not in got_s for i in s_ids):
            continue
        new_p, new_s = unit_ids(a)
        for kind, spans, new, old, got, texts in (
            (PASSAGES, passages, new_p, p_ids, got_p, [p.text for p in passages]),
            (
                SENTENCES,
                sentences,
                new_s,
                s_ids,
                got_s,
                [a.body[s.start : s.end] for s in sentences],
            ),
        ):
            r = rows[kind]
            r[0].extend(spans)
            r[1].extend(new)
            r[2].extend(texts)
            r[3].extend(got[i] for i in old)
        moved.append(a)
    for kind, (spans, ids, texts, vecs) in rows.items():
        if ids:
            vectors.add(kind, spans, ids, texts, np.stack(vecs))
    table.put_versions([(a, len(p), len(s)) for a, s, p, _, _ in units if a in moved], ready=True)
    vectors.delete_ids(PASSAGES, old_p)
    vectors.delete_ids(SENTENCES, old_s)
    return moved
