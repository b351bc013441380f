"""Story clusters: wire copies of one story group together; distinct reports stay apart."""

from __future__ import annotations

from helpers import ASHARQ, CNA, PUTIN, REUTERS, SEED_CORPUS, YAHOO

from retrieval import Article, load_corpus
from retrieval.stories import cluster_stories


def _seed() -> list[Article]:
    return load_corpus(SEED_CORPUS)[0]


def _art(id_: str, body: str, published: str | None = None) -> Article:
    return Article(
        id=id_, title=id_, body=body, path=f"{id_}.md", content_hash=id_, published=published
    )


def test_wire_copies_form_one_cluster():
    story = cluster_stories(_seed())
    assert story[REUTERS] == story[CNA] == story[ASHARQ]
    assert story[REUTERS] in {REUTERS, CNA, ASHARQ}


def test_fact_check_and_putin_piece_stay_separate():
    story = cluster_stories(_seed())
    assert len({story[REUTERS], story[YAHOO], story[PUTIN]}) == 3


def test_clustering_does_not_depend_on_input_order():
    articles = _seed()
    forward = cluster_stories(articles)
    backward = cluster_stories(list(reversed(articles)))
    groups = lambda m: sorted(sorted(k for k in m if m[k] == v) for v in set(m.values()))  # noqa: E731
    assert groups(forward) == groups(backward)


def test_unrelated_short_docs_never_cluster():
    docs = [
        _art("a", "Rain fell in Oslo."),
        _art("b", "Snow closed the airport in Riga overnight."),
        _art("c", "Markets closed higher on Friday."),
        _art("d", "The Kremlin said talks would continue."),
    ]
    story = cluster_stories(docs)
    assert story == {a.id: a.id for a in docs}


def test_unrelated_long_docs_never_cluster():
    a = _art(
        "a", " ".join(f"Farmers in region {i} reported a late harvest of wheat." for i in range(20))
    )
    b = _art(
        "b", " ".join(f"Engineers tested bridge {i} for cracks after the storm." for i in range(20))
    )
    story = cluster_stories([a, b])
    assert story["a"] != story["b"]


def test_every_article_gets_a_cluster_named_by_a_member():
    articles = _seed()
    story = cluster_stories(articles)
    assert set(story) == {a.id for a in articles}
    assert set(story.values()) <= set(story)
