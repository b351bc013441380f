"""An immutable snapshot of what is served: articles, their units, the lexical index, stories."""

from __future__ import annotations

import ctypes
import gc
import logging
import time
from dataclasses import dataclass
from datetime import date

from .dates import published_date
from .lexical import BM25Index
from .passages import passage_sentence_indices, split_passages, split_sentences
from .stories import cluster_stories
from .text import content_terms, terms_of_words, words
from .types import Article, Passage, Span

log = logging.getLogger(__name__)


def release_free_memory() -> None:
    """Hand memory freed by a build back to the OS (glibc keeps it otherwise)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        log.debug("malloc_trim unavailable on this platform")


@dataclass(frozen=True)
class CorpusState:
    articles: dict[str, Article]
    sentences: dict[str, tuple[Span, ...]]
    passages: tuple[Passage, ...]
    passage_index: dict[str, int]
    # sentence indices (into sentences[article_id]) covered by each passage
    passage_sentences: tuple[tuple[int, ...], ...]
    bm25: BM25Index
    story_of: dict[str, str]
    story_members: dict[str, tuple[str, ...]]
    titles_bm25: BM25Index

    @classmethod
    def build(cls, articles: list[Article]) -> CorpusState:
        started = time.perf_counter()
        sentences: dict[str, tuple[Span, ...]] = {}
        passages: list[Passage] = []
        passage_sentences: list[tuple[int, ...]] = []
        docs: list[list[str]] = []
        tokens: list[list[str]] = []
        for a in articles:
            sents = split_sentences(a)
            sentences[a.id] = tuple(sents)
            # Tokenise each sentence once; passages and story shingles reuse the tokens.
            sent_words = [words(a.body[s.start : s.end]) for s in sents]
            sent_terms = [terms_of_words(ws) for ws in sent_words]
            tokens.append([w for ws in sent_words for w in ws])
            title_terms = content_terms(a.title)
            article_passages = split_passages(a, sents)
            for p, covered in zip(
                article_passages, passage_sentence_indices(article_passages, sents), strict=True
            ):
                # Offsets only: the text is a slice of the body, kept once.
                passages.append(Passage(p.article_id, p.start, p.end, id=p.id))
                passage_sentences.append(tuple(covered))
                docs.append([t for k in covered for t in sent_terms[k]] + title_terms)
        story_of = cluster_stories(articles, tokens)
        members: dict[str, list[str]] = {}
        for aid, sid in story_of.items():
            members.setdefault(sid, []).append(aid)
        state = cls(
            articles={a.id: a for a in articles},
            sentences=sentences,
            passages=tuple(passages),
            passage_index={p.id: i for i, p in enumerate(passages)},
            passage_sentences=tuple(passage_sentences),
            bm25=BM25Index(docs),
            story_of=story_of,
            story_members={k: tuple(v) for k, v in members.items()},
            titles_bm25=BM25Index([content_terms(f"{a.title} {a.outlet or ''}") for a in articles]),
        )
        del docs, tokens
        release_free_memory()
        log.info(
            "loaded %d articles, %d passages, %d stories in %.2fs",
            len(articles),
            len(passages),
            len(members),
            time.perf_counter() - started,
        )
        return state

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
