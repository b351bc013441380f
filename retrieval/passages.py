"""Splitting articles into passages and sentences that keep their offsets into the body."""

from __future__ import annotations

from dataclasses import dataclass

from .text import sentence_spans
from .types import Article, Passage, Span

# Changing these changes answers: bump CHUNKING_VERSION so every store re-embeds (and log it in
# the README changelog). ~120 words keeps a passage well inside MiniLM's 256-wordpiece window.
CHUNKING_VERSION = "6"
# Unit ids carry the article's version (the head of its content hash), so two versions of an
# article can sit in the vector store side by side: one served, one being built or rolled back to.
VERSION_CHARS = 16
PASSAGE_TARGET_CHARS = 700
PASSAGE_MAX_CHARS = 1100
# Very long "sentences" (lists, tables, run-on copy) are cut so no unit outgrows the model window.
SENTENCE_MAX_CHARS = 600


def unit_prefix(article: Article) -> str:
    return f"{article.id}::{article.content_hash[:VERSION_CHARS]}"


def unit_ids_of(article: Article, passages: int, sentences: int) -> tuple[list[str], list[str]]:
    """The vector-store ids of a version's units, from the counts recorded with it: deleting
    never depends on splitting the text again the same way."""
    prefix = unit_prefix(article)
    return [f"{prefix}::p{n}" for n in range(passages)], [
        f"{prefix}::s{j}" for j in range(sentences)
    ]


@dataclass(frozen=True)
class Units:
    """An article cut into what is embedded and searched: sentences, and passages of whole
    sentences (``covers[n]``: the sentence numbers passage n holds)."""

    sentences: tuple[Span, ...]
    passages: tuple[Passage, ...]
    covers: tuple[tuple[int, ...], ...]

    def ids(self, article: Article) -> tuple[list[str], list[str]]:
        return unit_ids_of(article, len(self.passages), len(self.sentences))


def units_of(article: Article) -> Units:
    """The one place an article is split into units (CHUNKING_VERSION names how)."""
    sentences = split_sentences(article)
    passages = split_passages(article, sentences)
    covers = passage_sentence_indices(passages, sentences)
    return Units(tuple(sentences), tuple(passages), tuple(tuple(c) for c in covers))


def split_sentences(article: Article) -> list[Span]:
    spans: list[Span] = []
    for start, end in sentence_spans(article.body):
        while end - start > SENTENCE_MAX_CHARS:
            cut = _soft_cut(article.body, start, start + SENTENCE_MAX_CHARS)
            spans.append(Span(article.id, start, cut))
            start = cut
            while start < end and article.body[start].isspace():
                start += 1
        if end > start:
            spans.append(Span(article.id, start, end))
    return spans


def _soft_cut(text: str, start: int, limit: int) -> int:
    """The last clause or word boundary before ``limit``."""
    for marks in ("; ", ", ", " "):
        cut = text.rfind(marks, start + 1, limit)
        if cut > start + (limit - start) // 3:
            return cut + 1
    return limit


def split_passages(article: Article, sentences: list[Span] | None = None) -> list[Passage]:
    """Group consecutive sentences into passages of about PASSAGE_TARGET_CHARS.

    Consecutive passages share one sentence so an answer split across a boundary is still
    found whole in one of them.
    """
    sentences = split_sentences(article) if sentences is None else sentences
    passages: list[Passage] = []
    i, overlapping = 0, False
    while i < len(sentences):
        j = i
        while j + 1 < len(sentences) and (
            sentences[j + 1].end - sentences[i].start <= PASSAGE_TARGET_CHARS
            or (j == i and sentences[j + 1].end - sentences[i].start <= PASSAGE_MAX_CHARS)
        ):
            j += 1
        if overlapping and j == i:
            # The shared sentence alone would repeat the previous passage's tail.
            i, overlapping = i + 1, False
            continue
        start, end = sentences[i].start, sentences[j].end
        pid = f"{unit_prefix(article)}::p{len(passages)}"
        passages.append(Passage(article.id, start, end, id=pid, text=article.body[start:end]))
        if j + 1 >= len(sentences):
            break
        i, overlapping = (j, True) if j > i else (j + 1, False)
    return passages


def passage_sentence_indices(passages: list[Passage], sentences: list[Span]) -> list[list[int]]:
    """For each passage, the indices of the sentences it covers."""
    out: list[list[int]] = []
    j = 0
    for p in passages:
        while j < len(sentences) and sentences[j].end <= p.start:
            j += 1
        k = j
        covered = []
        while k < len(sentences) and sentences[k].start < p.end:
            covered.append(k)
            k += 1
        out.append(covered)
    return out
