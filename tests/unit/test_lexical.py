"""BM25 over passages: rare terms rank first; spelling variants of names still match."""

from __future__ import annotations

import numpy as np

from retrieval.lexical import BM25Index
from retrieval.text import content_terms

DOCS = [
    "Moscow said the talks would continue next week.",
    "Moscow and Tehran signed a strategic cooperation treaty.",
    "Iranian Foreign Minister Abbas Araqchi arrived in Moscow.",
    "The Kremlin spokesman Dmitry Peskov condemned the strikes on Fordow.",
    "Moscow weather was mild and the markets were calm in Moscow.",
]


def _index(docs=DOCS) -> BM25Index:
    return BM25Index([content_terms(d) for d in docs])


def test_doc_with_the_rare_term_ranks_first():
    top = _index().top("Fordow Moscow", k=5)
    assert top[0][0] == 3
    assert top[0][1] > top[1][1]


def test_query_with_no_known_terms_returns_nothing():
    assert _index().top("bitcoin price", k=5) == []


def test_araghchi_query_retrieves_doc_spelled_araqchi():
    top = _index().top("Araghchi", k=5)
    assert top and top[0][0] == 2
    assert top[0][1] > 0


def test_exact_spelling_outranks_a_variant():
    index = _index(
        ["Abbas Araghchi spoke in Moscow.", "Abbas Araqchi spoke in Moscow.", "Someone else spoke."]
    )
    ranked = [i for i, _ in index.top("Araghchi", k=3)]
    assert ranked[:2] == [0, 1]


def test_empty_index_returns_nothing():
    assert BM25Index([]).top("anything", k=3) == []


def test_the_index_read_back_from_its_arrays_scores_and_expands_as_built():
    docs = [
        ["araghchi", "met", "putin", "moscow"],
        ["araqchi", "said", "tehran", "would", "respond"],
        ["putin", "putin", "kremlin", "statement"],
        [],
    ]
    built = BM25Index(docs)
    arrays, sounds = built.to_arrays()
    read = BM25Index.from_arrays(arrays, sounds, built.vocab)
    for query in ("Araghchi in Moscow", "Putin statement", "nothing matches"):
        assert np.array_equal(built.scores(query), read.scores(query))
    assert read.variants("araghchi") == built.variants("araghchi") == ["araqchi"]
    assert read.idf_of("unseen") == built.idf_of("unseen") and read.knows("kremlin")


def test_a_capital_and_its_country_stand_for_each_other_where_the_corpus_uses_them():
    index = _index()  # says "Moscow" and "Tehran", never "Russia"
    assert index.variants("russia") == ["moscow"]
    assert "tehran" in index.variants("iran")  # a short name still finds its capital
    assert index.variants("moscow") == []  # "russia" is not in this corpus
    other = _index(["Russia and Iran signed a treaty.", "Markets in Russia were calm."])
    assert other.variants("moscow") == ["russia"]
    top = other.top("Moscow treaty", k=2)
    assert top[0][0] == 0
