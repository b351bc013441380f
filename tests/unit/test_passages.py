"""Passages and sentences keep verbatim offsets; passages are bounded, overlap by one sentence."""

from __future__ import annotations

import pytest
from helpers import SEED_CORPUS
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval import Article, load_corpus
from retrieval.passages import PASSAGE_MAX_CHARS, split_passages, split_sentences

SEED_ARTICLES = load_corpus(SEED_CORPUS)[0]


def _article(body: str) -> Article:
    return Article(id="a", title="T", body=body, path="a.md", content_hash="h")


def _check_passage_invariants(article: Article) -> None:
    sentences = split_sentences(article)
    passages = split_passages(article, sentences)
    body = article.body
    for s in sentences:
        assert 0 <= s.start < s.end <= len(body)
        assert body[s.start : s.end].strip()
    for p in passages:
        assert p.article_id == article.id
        assert body[p.start : p.end] == p.text
        assert p.end - p.start <= PASSAGE_MAX_CHARS
    assert len({p.id for p in passages}) == len(passages)
    for s in sentences:
        assert any(p.start <= s.start and s.end <= p.end for p in passages), s
    for prev, nxt in zip(passages, passages[1:], strict=False):
        shared = [
            s
            for s in sentences
            if prev.start <= s.start
            and s.end <= prev.end
            and nxt.start <= s.start
            and s.end <= nxt.end
        ]
        assert len(shared) <= 1
        assert nxt.start >= prev.start


def _check_every_passage_adds_a_sentence(article: Article) -> None:
    """No passage is a subset of the one before it: each ends on a sentence not yet covered."""
    passages = split_passages(article)
    for prev, nxt in zip(passages, passages[1:], strict=False):
        assert nxt.end > prev.end, (prev.start, prev.end, nxt.start, nxt.end)


@pytest.mark.parametrize("article", SEED_ARTICLES, ids=lambda a: a.id)
def test_seed_passages_are_verbatim_bounded_and_cover_every_sentence(article):
    _check_passage_invariants(article)


def test_long_article_is_split_into_several_overlapping_passages():
    body = " ".join(f"Sentence number {i} talks about topic {i} at some length." for i in range(80))
    article = _article(body)
    passages = split_passages(article)
    assert len(passages) > 3
    _check_passage_invariants(article)


def test_overlong_sentence_is_cut_into_bounded_verbatim_units():
    body = "word, " * 400 + "end."
    article = _article(body)
    for s in split_sentences(article):
        assert body[s.start : s.end].strip()
    _check_passage_invariants(article)


def test_no_passage_is_a_redundant_subset_of_the_previous_one():
    # Sentence lengths ~100, ~550, ~600: the middle one fits with the first, not with the last,
    # so it must not also become a passage of its own.
    body = "A" * 99 + ". " + "B" * 549 + ". " + "C" * 599 + "."
    _check_passage_invariants(_article(body))
    _check_every_passage_adds_a_sentence(_article(body))


_sentence = st.builds(
    lambda n, sep: "X" * n + "." + sep,
    st.integers(min_value=1, max_value=700),
    st.sampled_from([" ", "  ", "\n", "\n\n"]),
)


_bodies = st.lists(_sentence, min_size=1, max_size=12).map("".join).map(str.strip)


@settings(max_examples=150, deadline=None)
@given(_bodies)
def test_passage_invariants_hold_for_any_sentence_lengths(body):
    _check_passage_invariants(_article(body))


@settings(max_examples=150, deadline=None)
@given(_bodies)
def test_every_passage_adds_a_new_sentence_for_any_sentence_lengths(body):
    _check_every_passage_adds_a_sentence(_article(body))
