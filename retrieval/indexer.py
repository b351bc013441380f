"""Incremental indexing into generations: only new or changed article versions are embedded.

A reload builds a new generation beside the served one, validates it, and the engine switches
to it in one transaction; versions no kept generation uses are then deleted.
"""

from __future__ import annotations

import errno
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .corpus import CorpusFile, corpus_files, display_name, parse_files, read_corpus_file
from .embedding import Embedder
from .passages import CHUNKING_VERSION, Units, unit_ids_of, units_of
from .store import SCHEMA_VERSION, IndexTable
from .types import Article, IndexReport, LoadError
from .vectors import PASSAGES, VectorIndex

log = logging.getLogger(__name__)

# Articles embedded per write: bounds memory and how much work a crash can lose.
ARTICLES_PER_BATCH = 64
# How much the title pulls a passage vector towards the article's topic.
TITLE_WEIGHT = 0.3
# Articles whose units the integrity probe reads back (first, middle, last of the generation).
PROBE_ARTICLES = 3
Progress = Callable[[int, int], None]
# What a unit costs on disk, generously (int8 sentence vector with its row and index; passage
# vector in Chroma's HNSW with its log and metadata rows), and what is always left free.
SENTENCE_BYTES = 1024
PASSAGE_BYTES = 8192
KEEP_FREE_BYTES = 4 << 20


class IndexDamaged(RuntimeError):
    """The vector store does not hold what the manifest says it serves."""


@dataclass
class Plan:
    to_index: list[Article] = field(default_factory=list)
    updated_ids: set[str] = field(default_factory=set)
    removed_ids: set[str] = field(default_factory=set)
    # article id -> (content hash, path) of the generation this plan builds
    members: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: list[LoadError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.to_index or self.removed_ids)

    def report(self, seconds: float) -> IndexReport:
        updated = len(self.updated_ids)
        return IndexReport(
            added=len(self.to_index) - updated,
            updated=updated,
            removed=len(self.removed_ids),
            unchanged=len(self.members) - len(self.to_index),
            seconds=seconds,
            errors=tuple(self.errors),
        )


def expected_meta(embedder: Embedder) -> dict[str, str]:
    return {"schema": SCHEMA_VERSION, "model": embedder.model_id, "chunking": CHUNKING_VERSION}


def plan_changes(
    corpus_dir: Path, indexed: dict[str, tuple[str, str]], follow_links: bool = False
) -> Plan:
    """Compare the corpus on disk with the served fingerprints; parse only changed files."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    by_path = {(path, digest): aid for aid, (path, digest) in indexed.items()}
    plan = Plan()
    changed: list[CorpusFile] = []
    paths, plan.errors = corpus_files(corpus_dir, follow_links)
    unreadable: list[LoadError] = []
    for path in paths:
        try:
            file = read_corpus_file(path, corpus_dir)
        except OSError as exc:
            unreadable.append(LoadError(display_name(path, corpus_dir), f"unreadable: {exc}"))
            continue
        aid = by_path.get((file.rel, file.content_hash))
        if aid is not None:
            plan.members[aid] = (file.content_hash, file.rel)
        else:
            changed.append(file)
    articles, errors = parse_files(changed)
    plan.errors.extend(unreadable + errors)
    # A file that cannot be read or parsed now keeps its last good version in the index; a
    # name refused (not UTF-8, a link leading out) does not.
    broken_paths = {e.path for e in unreadable + errors}
    for article in articles:
        if article.id in plan.members:
            plan.errors.append(LoadError(article.path, f"duplicate id {article.id!r}"))
            continue
        plan.members[article.id] = (article.content_hash, article.path)
        plan.to_index.append(article)
        if article.id in indexed:
            plan.updated_ids.add(article.id)
    for aid, (path, digest) in indexed.items():
        if aid in plan.members:
            continue
        if path in broken_paths:
            # Keep serving the last good version of a file that is now broken.
            plan.members[aid] = (digest, path)
            continue
        plan.removed_ids.add(aid)
    return plan


def prepare_store(table: IndexTable, vectors: VectorIndex, embedder: Embedder) -> None:
    """Start over when the model, chunking or schema changed: old vectors cannot be reused."""
    meta = table.meta()
    if all(meta.get(k) == v for k, v in expected_meta(embedder).items()):
        vectors.tune()
        return
    if table.meta():
        log.warning("model, chunking or index schema changed: rebuilding the whole index")
    table.clear()
    vectors.reset()
    table.set_meta(expected_meta(embedder))


def build_generation(
    corpus_dir: Path,
    table: IndexTable,
    vectors: VectorIndex,
    embedder: Embedder,
    progress: Progress | None = None,
    follow_links: bool = False,
) -> tuple[int | None, Plan]:
    """Index what changed into a new generation beside the served one; do not switch to it.

    Returns ``(None, plan)`` when nothing changed. Versions already in the store (a rollback
    target, an earlier run killed after embedding) are not embedded again.
    """
    current = table.generation()
    plan = plan_changes(corpus_dir, table.fingerprints(current), follow_links)
    if not plan.changed and current is not None:
        return None, plan
    ready, pending = table.ready(), table.pending()
    to_embed = [a for a in plan.to_index if (a.id, a.content_hash) not in ready]
    total = len(to_embed)
    for i in range(0, total, ARTICLES_PER_BATCH):
        batch = to_embed[i : i + ARTICLES_PER_BATCH]
        units = [units_of(a) for a in batch]
        entries = [
            (a, len(u.passages), len(u.sentences)) for a, u in zip(batch, units, strict=True)
        ]
        ensure_room(table.path.parent, units)
        # Units left by a killed run of the same version are replaced.
        leftovers = [e for e in entries if (e[0].id, e[0].content_hash) in pending]
        if leftovers:
            delete_units(vectors, leftovers)
        # Recorded with their unit counts before the vectors are written, so a crash leaves a
        # trace that garbage collection follows, and deletes never split the text again.
        table.put_versions(entries, ready=False)
        _embed_and_add(batch, units, vectors, table, embedder)
        table.put_versions(entries, ready=True)
        if progress:
            progress(min(i + len(batch), total), total)
    gen = table.add_generation((aid, h, path) for aid, (h, path) in plan.members.items())
    return gen, plan


def ensure_room(folder: Path, units: list[Units]) -> None:
    """Refuse to write a batch the disk has no room for, before anything is written: a write
    that fails halfway leaves files grown that the serving index may need to open."""
    sentences = sum(len(u.sentences) for u in units)
    passages = sum(len(u.passages) for u in units)
    need = sentences * SENTENCE_BYTES + passages * PASSAGE_BYTES + KEEP_FREE_BYTES
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # nothing to measure against: the writes themselves will say
    if free < need:
        raise OSError(
            errno.ENOSPC,
            f"No space left on device: indexing {len(units)} more article"
            f"{'s' if len(units) != 1 else ''} needs about {need >> 20} MB, "
            f"{free >> 20} MB are free",
        )


def check_counts(table: IndexTable, vectors: VectorIndex, gen: int) -> tuple[int, int]:
    """The store holds at least as many units as ``gen`` names; returns what it names."""
    want_p, want_s = table.unit_counts(gen)
    have_p, have_s = vectors.count(PASSAGES), table.vector_rows(gen)
    if have_p < want_p or have_s < want_s:
        raise IndexDamaged(
            f"the vector store holds {have_p} passages and {have_s} sentences; "
            f"the index needs at least {want_p} and {want_s}"
        )
    return want_p, want_s


def validate_generation(table: IndexTable, vectors: VectorIndex, gen: int) -> None:
    """The integrity probe: counts, sample units read back and compared with the manifest,
    then a test query. Raises IndexDamaged when the store cannot serve ``gen``."""
    want_p, _ = check_counts(table, vectors, gen)
    probes = [(a, units_of(a)) for a in table.sample(gen, PROBE_ARTICLES)]
    probes = [(a, u) for a, u in probes if u.passages]
    if not probes or not want_p:
        return
    # The first and last recorded passage of each probe (ids carry the version); where they lie
    # is checked against the article, as far as it does not depend on how it was split.
    expected: dict[str, tuple[Article, int | None]] = {}
    recorded = table.versions_of((a.id, a.content_hash) for a, _ in probes)
    for (article, unit), (_, passages, _) in zip(probes, recorded, strict=True):
        ids, _ = unit_ids_of(article, passages, 0)
        expected[ids[0]] = (article, unit.passages[0].start)
        expected.setdefault(ids[-1], (article, None))
    found = vectors.units(PASSAGES, sorted(expected))
    missing = [i for i in expected if i not in found]
    if missing:
        raise IndexDamaged(f"units missing from the vector store: {', '.join(missing)}")
    for unit_id, ((aid, start, end), vector) in found.items():
        article, first = expected[unit_id]
        misplaced = first is not None and first != start
        if aid != article.id or not 0 <= start < end <= len(article.body) or misplaced:
            raise IndexDamaged(f"unit {unit_id} does not lie where the manifest says")
        _check_vectors(unit_id, vector[None, :] if vector.ndim == 1 else vector)
    keys = [(a.id, a.content_hash) for a, _ in probes]
    held = vectors.sentence_vectors(keys)
    for article, _, sentences in recorded:
        got = held.get((article.id, article.content_hash))
        name = f"the sentence vectors of {article.id}"
        if got is None or len(got) != sentences:
            raise IndexDamaged(f"{name} are missing or do not match its sentences")
        _check_vectors(name, got)
    # The vector index answers queries (it is approximate: its own vector need not come first).
    if not vectors.query(PASSAGES, next(iter(found.values()))[1], 5):
        raise IndexDamaged("a test query on the passages index returned nothing")


def _check_vectors(name: str, vectors: np.ndarray) -> None:
    if vectors.ndim != 2 or not vectors.size or not np.isfinite(vectors).all():
        raise IndexDamaged(f"the vector of {name} reads back wrong")


def collect_garbage(table: IndexTable, vectors: VectorIndex) -> int:
    """Delete units of versions no generation kept serves; returns how many versions went."""
    stale = table.drop_unserved()
    if stale:
        delete_units(vectors, stale)
        table.delete_versions(a for a, _, _ in stale)
        log.info("removed %d unused article versions from the store", len(stale))
    return len(stale)


def delete_units(vectors: VectorIndex, versions: list[tuple[Article, int, int]]) -> None:
    """Delete the units of (article version, passages, sentences) as recorded in the table.
    (Their sentence vectors go with the versions' rows: ``IndexTable.delete_versions``.)"""
    p_ids: set[str] = set()
    for article, passages, sentences in versions:
        if passages == sentences == 0:
            # Recorded by 0.3 before its units were written (a killed run): split to know.
            p, _ = units_of(article).ids(article)
        else:
            p, _ = unit_ids_of(article, passages, sentences)
        p_ids.update(p)
    # Each Chroma delete costs ~0.5 s on a big store, whatever its size: one call.
    vectors.delete_ids(PASSAGES, sorted(p_ids))


def _embed_and_add(
    batch: list[Article],
    units: list[Units],
    vectors: VectorIndex,
    table: IndexTable,
    embedder: Embedder,
) -> None:
    """Embed every sentence once; a passage's vector is built from its sentences' vectors.

    On a 2-core CPU MiniLM encodes ~2-4k tokens/s, so the text goes through the model once:
    passage vectors are the normalised mean of their sentence vectors plus the title's vector,
    which costs no model time. Passages go to the vector index, sentence vectors to the table.
    """
    p_spans, p_ids, p_texts, p_members = [], [], [], []
    s_texts, title_row, s_offsets = [], [], []
    for article_no, (article, unit) in enumerate(zip(batch, units, strict=True)):
        offset = len(s_texts)
        s_offsets.append(offset)
        s_texts += [article.body[span.start : span.end] for span in unit.sentences]
        for passage, covered in zip(unit.passages, unit.covers, strict=True):
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
    # The table first: a write that fails there (a full disk) has not grown Chroma's files, so
    # the store that serves can still open.
    table.put_vectors(
        [
            (a.id, a.content_hash, s_vecs[o : o + len(u.sentences)])
            for a, u, o in zip(batch, units, s_offsets, strict=True)
        ]
    )
    vectors.add(PASSAGES, p_spans, p_ids, p_texts, p_vecs)
