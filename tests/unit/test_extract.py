"""Canonical URLs, article ids, HTML and feed extraction, and corpus files that load back."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webserver import LoopbackServer, atom_feed, news_page, rss_feed

from retrieval.adding import article_id_for, render_article
from retrieval.corpus import CorpusFile, parse_article, visible
from retrieval.extract import (
    ExtractedArticle,
    ExtractError,
    canonical_url,
    extract_article,
    feed_links,
    same_site,
)

PARAGRAPHS = [
    "MOSCOW, June 23 (Example Wire) - Russian President Vladimir Putin told Iran's foreign "
    "minister on Monday that there was no justification for the U.S. strikes on Iranian sites.",
    '"This is absolutely unprovoked aggression against Iran," Putin said at the start of the '
    "talks, according to a transcript published by the Kremlin after the meeting.",
    "Foreign Minister Abbas Araqchi said Tehran was grateful for Moscow's position and that the "
    "two countries would keep consulting closely on the crisis in the coming days.",
]
URL = "https://www.example-wire.com/world/putin-iran-talks-2025-06-23/"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.Example.COM/World/Story/", "https://www.example.com/World/Story"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a?utm_source=tw&utm_Medium=x&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=1&gclid=2&msclkid=3", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1&c=%20", "https://example.com/a?a=1&b=2&c=%20"),
        ("https://user:pw@example.com/a", "https://example.com/a"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("http://[::1]:8000/a/", "http://[::1]:8000/a"),
        ("https://example.com./a", "https://example.com/a"),
    ],
)
def test_canonical_url_normalises_the_parts_that_do_not_name_the_article(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("url", ["ftp://example.com/a", "/relative/path", "mailto:a@b.c", ""])
def test_canonical_url_rejects_non_http_urls(url):
    with pytest.raises(ValueError):
        canonical_url(url)


def test_article_id_is_the_same_for_every_spelling_of_one_url():
    spellings = [
        "https://www.example-wire.com/world/putin-iran-talks-2025-06-23",
        "HTTPS://www.example-wire.com/world/putin-iran-talks-2025-06-23/",
        "https://www.example-wire.com/world/putin-iran-talks-2025-06-23?utm_source=x#top",
    ]
    ids = {article_id_for(canonical_url(u)) for u in spellings}
    assert ids == {"example-wire-com-putin-iran-talks-2025-06-23-" + _hash8(spellings[0])}


def _hash8(url: str) -> str:
    return hashlib.sha256(canonical_url(url).encode()).hexdigest()[:8]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "https://example.com/a/story.html",
        "https://example.com/news/" + "very-long-slug-" * 20,
        "https://example.com/%E2%9C%93/caf%C3%A9-d%C3%A9j%C3%A0-vu",
        "https://例え.jp/記事/ニュース",
        "http://127.0.0.1:8000/a?id=5",
    ],
)
def test_article_id_uses_only_safe_characters_and_stays_short(url):
    article_id = article_id_for(canonical_url(url))
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", article_id)
    assert len(article_id) <= 40 + 60 + 8 + 2


def test_different_articles_get_different_ids():
    a = article_id_for(canonical_url("https://example.com/story?id=1"))
    b = article_id_for(canonical_url("https://example.com/story?id=2"))
    assert a != b


def test_article_page_yields_its_fields_without_boilerplate():
    page = extract_article(news_page("Putin: no justification", PARAGRAPHS), URL)
    assert page.title == "Putin: no justification"
    assert page.outlet == "Example Wire"
    assert page.published == "2025-06-23T14:05:00+00:00"
    assert page.author == "Jane Q. Reporter"
    assert page.canonical_url == "https://www.example-wire.com/world/putin-iran-talks-2025-06-23"
    assert page.body == "\n\n".join(PARAGRAPHS)
    for chrome in ("Subscribe", "ADVERTISEMENT", "Most read", "Celebrity chef", "Copyright"):
        assert chrome not in page.body


def test_canonical_link_on_the_same_site_is_preferred():
    html = news_page("T", PARAGRAPHS, canonical="https://example-wire.com/world/story-1?utm_x=1")
    assert extract_article(html, URL).canonical_url == "https://example-wire.com/world/story-1"


def test_canonical_link_to_another_site_is_ignored():
    html = news_page("T", PARAGRAPHS, canonical="https://victim.example.org/their-story")
    assert extract_article(html, URL).canonical_url == canonical_url(URL)


def test_same_site_follows_the_public_suffix_list():
    assert same_site("https://www.bbc.co.uk/a", "https://bbc.co.uk/b")
    assert not same_site("https://alice.github.io/a", "https://bob.github.io/a")
    assert not same_site("https://news.example.co.uk/a", "https://other.co.uk/a")
    assert same_site("http://127.0.0.1:8000/a", "http://127.0.0.1:9000/b")
    assert not same_site("http://127.0.0.1/a", "http://127.0.0.2/a")


def test_outlet_is_left_to_the_caller_when_the_page_names_none():
    page = extract_article(news_page("T", PARAGRAPHS, site=None), URL)
    assert page.outlet is None
    assert page.outlet_guess


def test_published_date_falls_back_to_json_ld():
    ld = json.dumps({"@type": "NewsArticle", "datePublished": "2025-06-20T08:00:00+02:00"})
    html = news_page("T", PARAGRAPHS, published=None).replace(
        b"</head>", f'<script type="application/ld+json">{ld}</script></head>'.encode()
    )
    assert extract_article(html, URL).published == "2025-06-20T08:00:00+02:00"


def test_a_page_that_states_no_date_gets_none_not_a_guess():
    """trafilatura guesses 2025-01-01 from the copyright line; an unknown date stays unknown."""
    html = news_page("T", PARAGRAPHS, published=None)
    assert b"2025" in html  # the year is on the page, the day is not
    assert extract_article(html, URL).published is None


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        (
            '<meta name="parsely-pub-date" content="2025-06-21T09:00:00Z">',
            "2025-06-21T09:00:00+00:00",
        ),
        ('<meta name="date" content="2025-06-19">', "2025-06-19"),
        ('<time itemprop="datePublished" datetime="2025-06-18">June 18</time>', "2025-06-18"),
    ],
)
def test_a_date_the_page_states_is_kept(markup, expected):
    html = news_page("T", PARAGRAPHS, published=None).replace(
        b"</head>", f"{markup}</head>".encode()
    )
    assert extract_article(html, URL).published == expected


def test_a_day_in_the_url_path_counts_as_stated():
    html = news_page("T", PARAGRAPHS, published=None)
    dated = "https://www.example-wire.com/2025/06/21/world/putin-iran-talks"
    assert extract_article(html, dated).published == "2025-06-21"


def test_page_without_article_text_is_an_error():
    with pytest.raises(ExtractError, match="no article text"):
        extract_article(b"<html><head><title>Empty</title></head><body></body></html>", URL)


FEED_URL = "https://www.example-wire.com/feeds/world.xml"
ITEMS = [
    ("Older", "https://www.example-wire.com/a", "Sun, 22 Jun 2025 10:00:00 GMT"),
    ("Newest", "/b", "Mon, 23 Jun 2025 10:00:00 GMT"),
    ("Middle", "https://www.example-wire.com/c?utm_source=rss", "Sun, 22 Jun 2025 18:00:00 GMT"),
]


def test_rss_links_come_newest_first_and_absolute():
    assert feed_links(rss_feed(ITEMS), FEED_URL) == [
        "https://www.example-wire.com/b",
        "https://www.example-wire.com/c?utm_source=rss",
        "https://www.example-wire.com/a",
    ]


def test_atom_links_are_read_from_alternate_links():
    items = [("One", "https://x.example/1", "2025-06-22T10:00:00Z")]
    items.append(("Two", "https://x.example/2", "2025-06-23T10:00:00Z"))
    assert feed_links(atom_feed(items), FEED_URL) == ["https://x.example/2", "https://x.example/1"]


def test_feed_links_are_bounded():
    items = [(f"T{i}", f"https://x.example/{i}", f"2025-06-23T10:{i:02d}:00Z") for i in range(60)]
    links = feed_links(atom_feed(items), FEED_URL)
    assert len(links) == 50
    assert links[0] == "https://x.example/59"


def test_html_is_not_a_feed():
    with pytest.raises(ExtractError, match="RSS or Atom"):
        feed_links(news_page("T", PARAGRAPHS), FEED_URL)


def test_feed_bytes_that_look_like_a_url_are_never_fetched():
    with LoopbackServer() as server:
        target = server.url("/feed.xml").encode()
        with pytest.raises(ExtractError):
            feed_links(target, FEED_URL)
        assert server.requests == 0


def _round_trip(title: str, body: str, **fields: str | None) -> object:
    page = ExtractedArticle(title=title, body=body, canonical_url=URL, **fields)
    raw = render_article("example-1", page).encode()
    return parse_article(CorpusFile(Path("example-1.md"), "example-1.md", raw, "h"))


@pytest.mark.parametrize(
    "title",
    [
        'Putin: "no justification" for strikes',
        "Iran's minister: 'grateful' — талки, 会谈, محادثات",
        "---",
        "key: value # not a comment",
        "- a list? [no] {nor: map}",
        "null",
        "2025-06-23",
        "Yes",
        "&anchor *alias !tag %directive @at `tick`",
    ],
)
def test_rendered_file_loads_back_whatever_the_title(title):
    body = "First paragraph.\n\n---\n\nAfter a rule: still body.\n\n---\nid: not-front-matter"
    article = _round_trip(title, body, outlet="Example: Wire", author="O'Brien, Pat")
    assert article.title == title
    assert article.body == body
    assert article.outlet == "Example: Wire"
    assert article.author == "O'Brien, Pat"
    assert article.url == URL
    assert article.id == "example-1"


@settings(max_examples=150, deadline=None)
@given(
    # Controls and format marks are dropped from titles (tests/unit/test_corpus.py).
    title=st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Cf")), min_size=1, max_size=200
    ).filter(lambda t: t.split()),
    paragraphs=st.lists(
        st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1),
        min_size=1,
        max_size=4,
    ).filter(lambda ps: all(p.strip() for p in ps) and visible("".join(ps))),
)
def test_any_title_and_body_survive_the_round_trip(title, paragraphs):
    body = "\n\n".join(p.strip() for p in paragraphs)
    article = _round_trip(title, body)
    assert article.title == " ".join(title.split())
    assert article.body == body.strip()
