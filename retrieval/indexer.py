"""Incremental indexing: only new or changed articles are embedded; removed ones are deleted."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .corpus import CorpusFile, corpus_files, parse_files, read_corpus_file
from .embedding import Embedder
from .passages import (
    CHUNKING_VERSION,
    passage_sentence_indices,
    split_passages,
    split_sentences,
)
from .store import PASSAGES, SCHEMA_VERSION, SENTENCES, ArticleTable, VectorIndex
from .types import Article, IndexReport, LoadError

log = logging.getLogger(__name__)

# Articles embedded per write: bounds memory and how much work a crash can lose.
ARTICLES_PER_BATCH = 64
# How much the title pulls a passage vector towards the article's topic.
TITLE_WEIGHT = 0.3
Progress = Callable[[int, int], None]


@dataclass
class Plan:
    to_embed: list[Article] = field(default_factory=list)
    updated_ids: set[str] = field(default_factory=set)
    removed_ids: set[str] = field(default_factory=set)
    unchanged: int = 0
    errors: list[LoadError] = field(default_factory=list)


def expected_meta(embedder: Embedder) -> dict[str, str]:
    return {"schema": SCHEMA_VERSION, "model": embedder.model_id, "chunking": CHUNKING_VERSION}


def plan_changes(corpus_dir: Path, table: ArticleTable) -> Plan:
    """Compare the corpus on disk with the indexed fingerprints; parse only changed files."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    indexed = table.fingerprints()
    by_path = {(path, digest): aid for aid, (path, digest) in indexed.items()}
    plan = Plan()
    changed: list[CorpusFile] = []
    kept: set[str] = set()
    for path in corpus_files(corpus_dir):
        try:
            file = read_corpus_file(path, corpus_dir)
        except OSError as exc:
            plan.errors.append(LoadError(path.relative_to(corpus_dir).as_posix(), str(exc)))
            continue
        aid = by_path.get((file.rel, file.content_hash))
        if aid is not None:
            kept.add(aid)
        else:
            changed.append(file)
    articles, errors = parse_files(changed)
    plan.errors.extend(errors)
    broken_paths = {e.path for e in errors}
    for article in articles:
        if article.id in kept:
            plan.errors.append(LoadError(article.path, f"duplicate id {article.id!r}"))
            continue
        kept.add(article.id)
        plan.to_embed.append(article)
        if article.id in indexed:
            plan.updated_ids.add(article.id)
    for aid, (path, _digest) in indexed.items():
        if aid in kept:
            continue
        if path in broken_paths:
            # Keep serving the last good version of a file that is now broken.
            kept.add(aid)
            continue
        plan.removed_ids.add(aid)
    plan.unchanged = len(kept) - len(plan.to_embed)
    return plan


def sync_index(
    corpus_dir: Path,
    table: ArticleTable,
    vectors: VectorIndex,
    embedder: Embedder,
    progress: Progress | None = None,
) -> IndexReport:
    """Bring the index in line with ``corpus_dir`` and report what changed."""
    started = time.perf_counter()
    if table.meta() != expected_meta(embedder):
        if table.meta():
            log.info("model or chunking changed: rebuilding the whole index")
        table.clear()
        vectors.reset()
        table.set_meta(expected_meta(embedder))
    plan = plan_changes(corpus_dir, table)
    if plan.removed_ids:
        _delete_units(vectors, table.get(plan.removed_ids))
        table.delete(plan.removed_ids)
    total = len(plan.to_embed)
    for i in range(0, total, ARTICLES_PER_BATCH):
        batch = plan.to_embed[i : i + ARTICLES_PER_BATCH]
        # Delete the old version's units and any left by a crashed run of this version; by id,
        # because a metadata delete scans the whole collection.
        _delete_units(vectors, table.get(a.id for a in batch if a.id in plan.updated_ids) + batch)
        _embed_and_add(batch, vectors, embedder)
        table.upsert(batch)
        if progress:
            progress(min(i + len(batch), total), total)
    updated = len(plan.updated_ids)
    return IndexReport(
        added=total - updated,
        updated=updated,
        removed=len(plan.removed_ids),
        unchanged=plan.unchanged,
        seconds=time.perf_counter() - started,
        errors=tuple(plan.errors),
    )


def unit_ids(article: Article) -> tuple[list[str], list[str]]:
    """The Chroma ids of an article's passages and sentences."""
    sentences = split_sentences(article)
    passages = split_passages(article, sentences)
    return [p.id for p in passages], [f"{article.id}::s{j}" for j in range(len(sentences))]


def _delete_units(vectors: VectorIndex, articles: list[Article]) -> None:
    p_ids: set[str] = set()
    s_ids: set[str] = set()
    for article in articles:
        p, s = unit_ids(article)
        p_ids.update(p)
        s_ids.update(s)
    # Each Chroma delete costs ~0.5 s on a big store, whatever its size: one call per collection.
    vectors.delete_ids(PASSAGES, sorted(p_ids))
    vectors.delete_ids(SENTENCES, sorted(s_ids))


def _embed_and_add(batch: list[Article], vectors: VectorIndex, embedder: Embedder) -> None:
    """Embed every sentence once; a passage's vector is built from its sentences' vectors.

    On a 2-core CPU MiniLM encodes ~2-4k tokens/s, so the text goes through the model once:
    passage vectors are the normalised mean of their sentence vectors plus the title's vector,
    which costs no model time.
    """
    p_spans, p_ids, p_texts, p_members = [], [], [], []
    s_spans, s_ids, s_texts, title_row = [], [], [], []
    for article_no, article in enumerate(batch):
        sentences = split_sentences(article)
        offset = len(s_texts)
        for j, span in enumerate(sentences):
            s_spans.append(span)
            s_ids.append(f"{article.id}::s{j}")
            s_texts.append(article.body[span.start : span.end])
        passages = split_passages(article, sentences)
        for passage, covered in zip(
            passages, passage_sentence_indices(passages, sentences), strict=True
        ):
            p_spans.append(passage)
            p_ids.append(passage.id)
            p_texts.append(passage.text)
            p_members.append([offset + k for k in covered])
            title_row.append(article_no)
    titles = [a.title for a in batch]
    vecs = embedder.embed(s_texts + titles)
    s_vecs, t_vecs = vecs[: len(s_texts)], vecs[len(s_texts) :]
    p_vecs = (
        np.stack(
            [
                s_vecs[m].mean(axis=0) + TITLE_WEIGHT * t_vecs[t]
                for m, t in zip(p_members, title_row, strict=True)
            ]
        )
        if p_ids
        else s_vecs[:0]
    )
    p_vecs /= np.maximum(np.linalg.norm(p_vecs, axis=1, keepdims=True), 1e-9)
    vectors.add(PASSAGES, p_spans, p_ids, p_texts, p_vecs)
    vectors.add(SENTENCES, s_spans, s_ids, s_texts, s_vecs)
