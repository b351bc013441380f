"""An immutable snapshot of what is served: articles, their units, the lexical index, stories."""

from __future__ import annotations

import ctypes
import logging
import time
from dataclasses import dataclass
from datetime import date

import numpy as np

from .dates import published_date
from .lexical import BM25Index
from .passages import parse_unit_id, sentence_unit_id, unit_prefix, units_of
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
    return np.fromiter((vocab.setdefault(t, len(vocab)) for t in terms), np.int32, len(terms))


@dataclass(frozen=True)
class ArticleUnits:
    """What the state derives from one article version; reused by the next state while the
    version stays in the corpus, so a reload re-derives only what changed."""

    content_hash: str
    sentences: tuple[Span, ...]
    passages: tuple[Passage, ...]
    # sentence indices (into sentences) covered by each passage
    passage_sentences: tuple[tuple[int, ...], ...]
    passage_terms: tuple[np.ndarray, ...]  # what BM25 indexes for each passage, as term ids
    shingles: np.ndarray  # story-clustering fingerprint

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
        return cls(
            content_hash=a.content_hash,
            sentences=tuple(sents),
            # Offsets only: the text is a slice of the body, kept once.
            passages=tuple(Passage(p.article_id, p.start, p.end, id=p.id) for p in found),
            passage_sentences=tuple(covered),
            passage_terms=tuple(
                _term_ids([t for k in c for t in sent_terms[k]] + title_terms, vocab)
                for c in covered
            ),
            shingles=shingles([w for ws in sent_words for w in ws]),
        )


@dataclass(frozen=True)
class CorpusState:
    articles: dict[str, Article]
    units: dict[str, ArticleUnits]
    sentences: dict[str, tuple[Span, ...]]
    passages: tuple[Passage, ...]
    passage_index: dict[str, int]
    # sentence indices (into sentences[article_id]) covered by each passage
    passage_sentences: tuple[tuple[int, ...], ...]
    bm25: BM25Index
    story_of: dict[str, str]
    story_members: dict[str, tuple[str, ...]]
    titles_bm25: BM25Index
    vocab: dict[str, int]

    @classmethod
    def build(cls, articles: list[Article], previous: CorpusState | None = None) -> CorpusState:
        """The state for ``articles``, reusing ``previous``'s work for unchanged versions."""
        started = time.perf_counter()
        known = previous.units if previous is not None else {}
        vocab = previous.vocab if previous is not None else {}
        units: dict[str, ArticleUnits] = {}
        reused = 0
        for a in articles:
            old = known.get(a.id)
            if old is not None and old.content_hash == a.content_hash:
                units[a.id] = old
                reused += 1
            else:
                units[a.id] = ArticleUnits.of(a, vocab)
        ordered = [units[a.id] for a in articles]
        passages = [p for u in ordered for p in u.passages]
        story_of = cluster_stories(articles, [u.shingles for u in ordered])
        members: dict[str, list[str]] = {}
        for aid, sid in story_of.items():
            members.setdefault(sid, []).append(aid)
        state = cls(
            articles={a.id: a for a in articles},
            units=units,
            sentences={aid: u.sentences for aid, u in units.items()},
            passages=tuple(passages),
            passage_index={p.id: i for i, p in enumerate(passages)},
            passage_sentences=tuple(c for u in ordered for c in u.passage_sentences),
            bm25=BM25Index.from_ids([t for u in ordered for t in u.passage_terms], vocab),
            story_of=story_of,
            story_members={k: tuple(v) for k, v in members.items()},
            titles_bm25=BM25Index([content_terms(f"{a.title} {a.outlet or ''}") for a in articles]),
            vocab=vocab,
        )
        release_free_memory()
        log.info(
            "loaded %d articles (%d reused), %d passages, %d stories in %.2fs",
            len(articles),
            reused,
            len(passages),
            len(members),
            time.perf_counter() - started,
        )
        return state

    def sentence_unit_id(self, article_id: str, idx: int) -> str:
        return sentence_unit_id(self.articles[article_id], idx)

    def sentence_key(self, unit_id: str) -> tuple[str, int] | None:
        """(article id, sentence index) of a sentence unit of the version this state serves."""
        parsed = parse_unit_id(unit_id)
        if parsed is None:
            return None
        aid, version, idx = parsed
        article = self.articles.get(aid)
        if article is None or unit_prefix(article) != f"{aid}::{version}":
            return None
        return aid, idx

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
