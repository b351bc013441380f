"""An immutable snapshot of what is served: articles, their units, the lexical index, stories."""

from __future__ import annotations

import ctypes
import json
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np

from .dates import published_date
from .lexical import BM25Index
from .passages import unit_prefix, units_of
from .stories import cluster_stories, shingles
from .text import content_terms, terms_of_words, words
from .types import Article, Passage, Span

log = logging.getLogger(__name__)


def release_free_memory() -> None:
    """Hand memory freed by a build back to the OS (glibc keeps it otherwise)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        log.debug("malloc_trim unavailable on this platform")


def _term_ids(terms: list[str], vocab: dict[str, int]) -> np.ndarray:
    get = vocab.get
    ids = [get(t) for t in terms]  # a list comprehension is ~2x np.fromiter over a generator
    if None in ids:  # new terms join the vocab
        for i in [i for i, v in enumerate(ids) if v is None]:
            ids[i] = vocab.setdefault(terms[i], len(vocab))
    return np.array(ids, dtype=np.int32)


@dataclass(frozen=True)
class ArticleUnits:
    """What the state derives from one article version; reused by the next state while the
    version stays in the corpus, so a reload re-derives only what changed."""

    content_hash: str
    article_id: str
    spans: np.ndarray  # (sentences, 2) int32: each sentence's start and end in the body
    passages: tuple[Passage, ...]
    # sentence indices (into sentences) covered by each passage
    passage_sentences: tuple[tuple[int, ...], ...]
    passage_terms: tuple[np.ndarray, ...]  # what BM25 indexes for each passage, as term ids
    shingles: np.ndarray  # story-clustering fingerprint

    @cached_property
    def sentences(self) -> tuple[Span, ...]:
        """Made on first use: a new process reads ~100 sentences an article from the table and
        a question looks at a few articles' (145,000 objects for 1,515 articles, ~0.3 s)."""
        aid = self.article_id
        return tuple(Span(aid, a, b) for a, b in self.spans.tolist())

    @classmethod
    def of(cls, a: Article, vocab: dict[str, int]) -> ArticleUnits:
        """``vocab`` maps terms to ids and grows with new terms; it is shared by the states
        of one engine, so units built against it stay valid in the next state."""
        units = units_of(a)
        sents = list(units.sentences)
        # Tokenise each sentence once; passages and story shingles reuse the tokens.
        sent_words = [words(a.body[s.start : s.end]) for s in sents]
        sent_terms = [terms_of_words(ws) for ws in sent_words]
        title_terms = content_terms(a.title)
        found, covered = units.passages, units.covers
        made = cls(
            content_hash=a.content_hash,
            article_id=a.id,
            spans=_spans(tuple(sents)),
            # Offsets only: the text is a slice of the body, kept once.
            passages=tuple(Passage(p.article_id, p.start, p.end, id=p.id) for p in found),
            passage_sentences=tuple(covered),
            passage_terms=tuple(
                _term_ids([t for k in c for t in sent_terms[k]] + title_terms, vocab)
                for c in covered
            ),
            shingles=shingles([w for ws in sent_words for w in ws]),
        )
        made.__dict__["sentences"] = tuple(sents)  # already made: the cached property's value
        return made

    def pack(self, terms_by_id: list[str]) -> bytes:
        """The units as bytes for the index table (``unpack`` reads them back): offsets, and
        term ids against the article's own term list, so they outlive the engine's vocab
        (``terms_by_id``: that vocab, id -> term)."""
        lengths = np.fromiter((len(t) for t in self.passage_terms), np.int64)
        flat = np.concatenate(self.passage_terms) if self.passage_terms else np.zeros(0, np.int32)
        own, local = np.unique(flat, return_inverse=True)
        arrays = {
            "sentences": self.spans,
            "passages": _spans(self.passages),
            "cover_lengths": np.fromiter((len(c) for c in self.passage_sentences), np.int32),
            "covers": np.fromiter((k for c in self.passage_sentences for k in c), np.int32),
            "term_lengths": lengths.astype(np.int32),
            # Ids into the article's own term list: 16 bits hold them for any real article.
            "terms": local.astype(np.int16 if len(own) <= 1 << 15 else np.int32),
            "shingles": self.shingles.astype(np.uint64),
        }
        return pack_arrays(arrays, [terms_by_id[i] for i in own])

    @classmethod
    def unpack(cls, blob: bytes, article: Article, vocab: dict[str, int]) -> ArticleUnits:
        """Units packed by ``pack`` for this article version; new terms join ``vocab``."""
        arrays, own_terms = unpack_arrays(blob)
        to_global = _term_ids(own_terms, vocab)
        prefix = unit_prefix(article)
        aid = article.id
        passages = tuple(
            Passage(aid, a, b, id=f"{prefix}::p{n}")
            for n, (a, b) in enumerate(arrays["passages"].tolist())
        )
        covers = _split(arrays["covers"], arrays["cover_lengths"])
        terms = _split(to_global[arrays["terms"]], arrays["term_lengths"])
        return cls(
            content_hash=article.content_hash,
            article_id=aid,
            # Copies: a view would keep the whole blob alive for the life of the state.
            spans=arrays["sentences"].copy(),
            passages=passages,
            passage_sentences=tuple(tuple(c.tolist()) for c in covers),
            passage_terms=tuple(terms),
            shingles=arrays["shingles"].copy(),
        )


# Bump when what ArticleUnits derives changes (tokenising, shingles): packed units of another
# version are derived again rather than read.
UNITS_FORMAT = 3
_MAGIC = b"WCU"


def _spans(spans: tuple[Span, ...]) -> np.ndarray:
    return np.array([(x.start, x.end) for x in spans], np.int32).reshape(-1, 2)


def _split(flat: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []


def pack_arrays(arrays: dict[str, np.ndarray], terms: list[str]) -> bytes:
    """A small self-describing container: a JSON header (names, dtypes, shapes, the term
    list) and the arrays' bytes one after another."""
    header = {
        "format": UNITS_FORMAT,
        "arrays": [[k, a.dtype.str, list(a.shape)] for k, a in arrays.items()],
        "terms": terms,
    }
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = b"".join(np.ascontiguousarray(a).tobytes() for a in arrays.values())
    return _MAGIC + len(head).to_bytes(4, "little") + head + body


class StaleUnits(ValueError):
    """Packed units of another format (or damaged): derive them again."""


def unpack_arrays(blob: bytes) -> tuple[dict[str, np.ndarray], list[str]]:
    if blob[:3] != _MAGIC:
        raise StaleUnits("not packed units")
    size = int.from_bytes(blob[3:7], "little")
    try:
        header = json.loads(blob[7 : 7 + size])
    except ValueError as exc:
        raise StaleUnits(f"unreadable header: {exc}") from None
    if header.get("format") != UNITS_FORMAT:
        raise StaleUnits(f"format {header.get('format')}, not {UNITS_FORMAT}")
    view = memoryview(blob)[7 + size :]
    arrays: dict[str, np.ndarray] = {}
    at = 0
    for name, dtype, shape in header["arrays"]:
        kind = np.dtype(dtype)
        count = int(np.prod(shape)) if shape else 1
        end = at + count * kind.itemsize
        if end > len(view):
            raise StaleUnits("truncated")
        arrays[name] = np.frombuffer(view[at:end], dtype=kind).reshape(shape)
        at = end
    return arrays, header["terms"]


class _Sentences(Mapping[str, tuple[Span, ...]]):
    """article id -> its sentence spans, each article's made when first asked for."""

    def __init__(self, units: dict[str, ArticleUnits]):
        self._units = units

    def __getitem__(self, article_id: str) -> tuple[Span, ...]:
        return self._units[article_id].sentences

    def __iter__(self) -> Iterator[str]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)


def _read_lexicon(blob: bytes) -> tuple[dict[str, int], tuple[dict[str, np.ndarray], list[str]]]:
    """The vocabulary and BM25 arrays ``CorpusState.pack_lexicon`` wrote."""
    arrays, strings = unpack_arrays(blob)
    n_vocab = int(arrays["n_vocab"][0])
    vocab = {t: i for i, t in enumerate(strings[:n_vocab])}
    if len(vocab) != n_vocab:
        raise ValueError("a repeated term in the kept vocabulary")
    return vocab, (arrays, strings[n_vocab:])


@dataclass(frozen=True)
class CorpusState:
    articles: dict[str, Article]
    units: dict[str, ArticleUnits]
    sentences: Mapping[str, tuple[Span, ...]]
    passages: tuple[Passage, ...]
    passage_index: dict[str, int]
    # sentence indices (into sentences[article_id]) covered by each passage
    passage_sentences: tuple[tuple[int, ...], ...]
    bm25: BM25Index
    story_of: dict[str, str]
    story_members: dict[str, tuple[str, ...]]
    titles_bm25: BM25Index
    vocab: dict[str, int]
    # Articles whose units this build derived (not reused, not read packed): worth keeping.
    derived: tuple[str, ...] = ()
    clustered: bool = True  # the stories were found by this build (not read back)
    indexed: bool = True  # the passages' BM25 was built by this build (not read back)

    @classmethod
    def build(
        cls,
        articles: list[Article],
        previous: CorpusState | None = None,
        packed: dict[tuple[str, str], bytes] | None = None,
        stories: dict[str, str] | None = None,
        lexicon: bytes | None = None,
    ) -> CorpusState:
        """The state for ``articles``, reusing ``previous``'s work for unchanged versions and
        reading ``packed`` units (the index table's) where it has them, the generation's
        ``stories`` when they were kept for exactly these articles, and its ``lexicon`` (the
        passages' BM25, ``pack_lexicon``) when it was kept for them."""
        started = time.perf_counter()
        known = previous.units if previous is not None else {}
        vocab = previous.vocab if previous is not None else {}
        kept_bm25 = None
        if lexicon is not None and previous is None:
            try:
                vocab, kept_bm25 = _read_lexicon(lexicon)
            except (StaleUnits, KeyError, ValueError) as exc:
                log.debug("BM25 built again: %s", exc)
        packed = packed or {}
        units: dict[str, ArticleUnits] = {}
        derived: list[str] = []
        reused = read = 0
        for a in articles:
            old = known.get(a.id)
            if old is not None and old.content_hash == a.content_hash:
                units[a.id] = old
                reused += 1
                continue
            blob = packed.get((a.id, a.content_hash))
            if blob is not None:
                try:
                    units[a.id] = ArticleUnits.unpack(blob, a, vocab)
                    read += 1
                    continue
                except (StaleUnits, KeyError, ValueError) as exc:
                    log.debug("units of %s derived again: %s", a.id, exc)
            units[a.id] = ArticleUnits.of(a, vocab)
            derived.append(a.id)
        ordered = [units[a.id] for a in articles]
        passages = [p for u in ordered for p in u.passages]
        clustered = not stories or set(stories) != set(units)
        story_of = (
            cluster_stories(articles, [u.shingles for u in ordered]) if clustered else dict(stories)
        )
        indexed = kept_bm25 is None or len(passages) != kept_bm25[0]["shape"][0]
        bm25 = (
            BM25Index.from_ids([t for u in ordered for t in u.passage_terms], vocab)
            if indexed
            else BM25Index.from_arrays(*kept_bm25, vocab)
        )
        members: dict[str, list[str]] = {}
        for aid, sid in story_of.items():
            members.setdefault(sid, []).append(aid)
        state = cls(
            articles={a.id: a for a in articles},
            units=units,
            sentences=_Sentences(units),
            passages=tuple(passages),
            passage_index={p.id: i for i, p in enumerate(passages)},
            passage_sentences=tuple(c for u in ordered for c in u.passage_sentences),
            bm25=bm25,
            story_of=story_of,
            story_members={k: tuple(v) for k, v in members.items()},
            titles_bm25=BM25Index([content_terms(f"{a.title} {a.outlet or ''}") for a in articles]),
            vocab=vocab,
            derived=tuple(derived),
            clustered=clustered,
            indexed=indexed,
        )
        release_free_memory()
        log.info(
            "loaded %d articles (%d reused, %d read packed), %d passages, %d stories in %.2fs",
            len(articles),
            reused,
            read,
            len(passages),
            len(members),
            time.perf_counter() - started,
        )
        return state

    def packed_derived(self) -> list[tuple[str, str, bytes]]:
        """(article id, version hash, packed units) of what this build derived."""
        if not self.derived:
            return []
        terms_by_id = self._terms_by_id()
        return [
            (aid, self.articles[aid].content_hash, self.units[aid].pack(terms_by_id))
            for aid in self.derived
        ]

    def _terms_by_id(self) -> list[str]:
        """The vocabulary as a list: id -> term."""
        terms = [""] * len(self.vocab)
        for term, i in self.vocab.items():
            terms[i] = term
        return terms

    def pack_lexicon(self) -> bytes:
        """The passages' BM25 with the vocabulary its columns use (``build(lexicon=…)``)."""
        terms_by_id = self._terms_by_id()
        arrays, sounds = self.bm25.to_arrays()
        arrays["n_vocab"] = np.array([len(terms_by_id)], np.int64)
        return pack_arrays(arrays, terms_by_id + sounds)

    def quote_fields(self, article_id: str, start: int, end: int) -> dict[str, object]:
        """What a citation or evidence quote says about its source, and the verbatim quote."""
        a = self.articles[article_id]
        return {
            "article_id": a.id,
            "title": a.title,
            "outlet": a.outlet,
            "published": a.published,
            "url": a.url,
            "quote": a.body[start:end],
            "start": start,
            "end": end,
        }

    def passage_text(self, i: int) -> str:
        p = self.passages[i]
        return self.articles[p.article_id].body[p.start : p.end]

    def sentence_text(self, article_id: str, idx: int) -> str:
        span = self.sentences[article_id][idx]
        return self.articles[article_id].body[span.start : span.end]

    def published_on(self, article_id: str) -> date | None:
        return published_date(self.articles[article_id].published)

    def source_text(self, article_id: str) -> str:
        """Who published an article and when, as words: what a question names when it asks
        about "the TechCrunch article published on October 2, 2023"."""
        article = self.articles[article_id]
        published = article.published or ""
        parts = [article.outlet or "", published]
        on = self.published_on(article_id)
        if on is not None and len(published) >= 7:  # a month is known: name it ("October")
            parts.append(f"{on:%B} {on.day} {on.year}" if len(published) >= 10 else f"{on:%B}")
        return " ".join(parts)

    def context_text(self, article_id: str, idx: int, radius: int = 1) -> str:
        """The sentence with its neighbours: where pronouns and topic words of a quote live."""
        sents = self.sentences[article_id]
        lo, hi = max(0, idx - radius), min(len(sents) - 1, idx + radius)
        return self.articles[article_id].body[sents[lo].start : sents[hi].end]

    def also_reported_by(self, article_id: str) -> tuple[str, ...]:
        own = self.articles[article_id].outlet
        out: list[str] = []
        for other in self.story_members.get(self.story_of.get(article_id, article_id), ()):
            outlet = self.articles[other].outlet
            if other != article_id and outlet and outlet != own and outlet not in out:
                out.append(outlet)
        return tuple(out)
