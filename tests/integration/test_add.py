"""`add_urls` against a real HTTP server on 127.0.0.1: adding, updating, feeds, and refusals."""

from __future__ import annotations

import dataclasses
import gzip
import socket
from pathlib import Path

import pytest
from webserver import HTML, LoopbackServer, Reply, atom_feed, news_page, redirect, rss_feed

from retrieval.adding import AddedItem, AddFailure, AddReport, add_urls
from retrieval.corpus import load_corpus
from retrieval.fetch import FEED, USER_AGENT, Fetcher, FetchError
from retrieval.settings import Settings

PARAGRAPHS = [
    "MOSCOW, June 23 (Example Wire) - Russian President Vladimir Putin told Iran's foreign "
    "minister on Monday that there was no justification for the U.S. strikes on Iranian sites.",
    '"This is absolutely unprovoked aggression against Iran," Putin said at the start of the '
    "talks, according to a transcript published by the Kremlin after the meeting.",
    "Foreign Minister Abbas Araqchi said Tehran was grateful for Moscow's position and that the "
    "two countries would keep consulting closely on the crisis in the coming days.",
]
TITLE = 'Putin tells Iran\'s minister: strikes had "no justification"'


def article(server: LoopbackServer, path: str = "/world/putin-talks", **kw) -> str:
    kw.setdefault("canonical", server.url(path))
    return server.route(path, Reply(body=news_page(kw.pop("title", TITLE), PARAGRAPHS, **kw)))


def files(settings: Settings) -> list[Path]:
    """Everything under the corpus folder, hidden temp files included; [] if there is no folder."""
    root = settings.corpus_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def nothing_written(settings: Settings) -> bool:
    return not settings.corpus_dir.exists()


def only_failure(report: AddReport) -> AddFailure:
    assert report.items == ()
    assert len(report.failures) == 1
    return report.failures[0]


# --- adding and updating ------------------------------------------------------------------------


def test_article_is_added_and_loads_back(server, settings):
    url = article(server)
    report = add_urls(settings, [url])
    assert [i.status for i in report.items] == ["added"]
    articles, errors = load_corpus(settings.corpus_dir)
    assert errors == []
    [loaded] = articles
    assert loaded.id == report.items[0].article_id
    assert loaded.title == TITLE
    assert loaded.outlet == "Example Wire"
    assert loaded.url == url
    assert loaded.published == "2025-06-23T14:05:00+00:00"
    assert loaded.author == "Jane Q. Reporter"
    assert loaded.body == "\n\n".join(PARAGRAPHS)
    assert "ADVERTISEMENT" not in loaded.body and "Most read" not in loaded.body
    assert dict(loaded.metadata)["fetched"].endswith("+00:00")
    assert files(settings) == [Path(report.items[0].path)]


def test_request_carries_our_user_agent(server, settings):
    url = article(server)
    with Fetcher(settings) as fetcher:
        fetcher.fetch(url)
    [headers] = server.request_headers
    assert headers["User-Agent"] == USER_AGENT == "Wirecheck/0.3 (+news-corpus fetcher)"
    assert headers["Host"] == f"127.0.0.1:{server.port}"


def test_readding_is_unchanged_and_leaves_the_file_alone(server, settings):
    url = article(server)
    [first] = add_urls(settings, [url]).items
    before = Path(first.path).stat()
    report = add_urls(settings, [url + "?utm_source=newsletter#comments", url + "?fbclid=9"])
    assert [i.status for i in report.items] == ["unchanged", "unchanged"]
    assert {i.article_id for i in report.items} == {first.article_id}
    after = Path(first.path).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert len(files(settings)) == 1


def test_changed_page_updates_the_same_file(server, settings):
    url = article(server)
    [first] = add_urls(settings, [url]).items
    server.route(
        "/world/putin-talks",
        Reply(body=news_page(TITLE + " (updated)", [*PARAGRAPHS, "A new paragraph was added."])),
    )
    [second] = add_urls(settings, [url]).items
    assert (second.status, second.article_id, second.path) == (
        "updated",
        first.article_id,
        first.path,
    )
    [loaded], _ = load_corpus(settings.corpus_dir)
    assert loaded.title == TITLE + " (updated)"
    assert loaded.body.endswith("A new paragraph was added.")


def test_hand_written_file_with_the_same_url_is_updated_in_place(server, settings):
    url = article(server)
    settings.corpus_dir.mkdir()
    hand = settings.corpus_dir / "mine.md"
    hand.write_text(
        f"---\nid: my-own-id\ntitle: Old title\nurl: {url}?utm_campaign=x\n"
        "published: 2025-06-20\ntopic: diplomacy\n---\nOld body.\n",
        encoding="utf-8",
    )
    [item] = add_urls(settings, [url]).items
    assert (item.status, item.article_id, item.path) == ("updated", "my-own-id", str(hand))
    [loaded], errors = load_corpus(settings.corpus_dir)
    assert errors == [] and files(settings) == [hand]
    assert loaded.title == TITLE
    assert dict(loaded.metadata)["topic"] == "diplomacy"


def test_awkward_titles_and_rules_in_the_body_load_back(server, settings):
    title = "Q&A: 'Why?' — «Ясно»: 会谈 #1 --- [no] {yaml}: null"
    body = [*PARAGRAPHS[:2], "---", "key: value", "- item", *PARAGRAPHS[2:]]
    url = server.route("/awkward", Reply(body=news_page(title, body, author="O'Brien: Pat")))
    [item] = add_urls(settings, [url]).items
    [loaded], errors = load_corpus(settings.corpus_dir)
    assert errors == []
    assert (loaded.title, loaded.author) == (title, "O'Brien: Pat")
    assert loaded.body == "\n\n".join(body)
    assert item.title == title


def test_gzip_page_is_decoded(server, settings):
    page = gzip.compress(news_page(TITLE, PARAGRAPHS, canonical=server.url("/gz")))
    url = server.route("/gz", Reply(body=page, headers={"Content-Encoding": "gzip"}))
    assert [i.status for i in add_urls(settings, [url]).items] == ["added"]


def test_one_failure_does_not_stop_the_others_and_progress_is_reported(server, settings):
    calls: list[tuple[int, int]] = []
    good = article(server)
    report = add_urls(settings, [server.url("/missing"), good], progress=lambda *a: calls.append(a))
    assert [i.status for i in report.items] == ["added"]
    assert report.failures == (AddFailure(server.url("/missing"), "HTTP 404 Not Found"),)
    assert calls == [(1, 2), (2, 2)]


def test_report_serialises_counts_items_and_failures():
    item = AddedItem("http://a/1", "a-1", "/c/a-1.md", "T", "added")
    report = AddReport((item,), (AddFailure("http://b", "HTTP 404 Not Found"),), 1.23456)
    assert report.to_json() == {
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
        "items": [dataclasses.asdict(item)],
        "failures": [{"url": "http://b", "reason": "HTTP 404 Not Found"}],
        "seconds": 1.235,
    }
    assert report.summary() == "1 added, 0 updated, 0 unchanged, 1 failed in 1.2 s"


def test_page_without_text_is_a_failure_and_writes_nothing(server, settings):
    url = server.route("/empty", Reply(body=b"<html><head><title>x</title></head><body></body>"))
    assert "no article text" in only_failure(add_urls(settings, [url])).reason
    assert nothing_written(settings)


# --- feeds ------------------------------------------------------------------------------------


def _feed_items(server: LoopbackServer) -> list[tuple[str, str, str]]:
    dates = ["Sun, 22 Jun 2025 10:00:00 GMT", "Mon, 23 Jun 2025 10:00:00 GMT"]
    dates.append("Sun, 22 Jun 2025 18:00:00 GMT")
    return [
        (f"Story {n}", article(server, f"/news/{n}"), d) for n, d in zip("abc", dates, strict=True)
    ]


def test_feed_items_are_added_then_known_items_are_not_fetched_again(server, settings):
    items = _feed_items(server)
    feed = server.route(
        "/feed.xml", Reply(body=rss_feed(items), content_type="application/rss+xml")
    )
    first = add_urls(settings, [feed], feed=True)
    assert [i.status for i in first.items] == ["added"] * 3
    assert [i.url for i in first.items] == [server.url(f"/news/{n}") for n in "bca"]
    assert len(load_corpus(settings.corpus_dir)[0]) == 3

    items.append(("Story d", article(server, "/news/d"), "Tue, 24 Jun 2025 10:00:00 GMT"))
    server.route("/feed.xml", Reply(body=rss_feed(items), content_type="application/rss+xml"))
    second = add_urls(settings, [feed], feed=True)
    assert sorted(i.status for i in second.items) == [
        "added",
        "unchanged",
        "unchanged",
        "unchanged",
    ]
    assert [server.hits[f"/news/{n}"] for n in "abcd"] == [1, 1, 1, 1]


def test_an_item_listed_by_two_feeds_is_added_once(server, settings):
    feed = server.route(
        "/feed.xml", Reply(body=rss_feed(_feed_items(server)), content_type="application/rss+xml")
    )
    other = server.route(
        "/other.xml", Reply(body=rss_feed(_feed_items(server)), content_type="text/xml")
    )
    report = add_urls(settings, [feed, other], feed=True)
    assert [i.status for i in report.items] == ["added"] * 3
    assert [server.hits[f"/news/{n}"] for n in "abc"] == [1, 1, 1]


def test_atom_feed_with_relative_links_is_followed(server, settings):
    article(server, "/news/x")
    body = atom_feed([("X", "/news/x", "2025-06-23T10:00:00Z")])
    feed = server.route("/atom", Reply(body=body, content_type="application/atom+xml"))
    report = add_urls(settings, [feed], feed=True)
    assert [(i.url, i.status) for i in report.items] == [(server.url("/news/x"), "added")]


def test_html_page_given_as_a_feed_is_refused(server, settings):
    url = article(server)
    assert "not an RSS or Atom feed" in only_failure(add_urls(settings, [url], feed=True)).reason
    assert nothing_written(settings)


def test_feed_is_fetched_with_the_same_guards(server, settings):
    no_allow = dataclasses.replace(settings, fetch_allow_hosts=())
    reason = only_failure(add_urls(no_allow, [server.url("/feed.xml")], feed=True)).reason
    assert reason.startswith("refused: 127.0.0.1 is a loopback address")
    assert server.requests == 0


# --- redirects ---------------------------------------------------------------------------------


def test_redirect_chain_is_followed_to_the_article(server, settings):
    target = article(server)
    server.route("/r3", redirect(target, 301))
    server.route("/r2", redirect("/r3", 307))
    start = server.route("/r1", redirect(server.url("/r2")))
    [item] = add_urls(settings, [start]).items
    assert item.status == "added" and item.url == start
    [loaded], _ = load_corpus(settings.corpus_dir)
    assert loaded.url == target


def test_redirect_chain_longer_than_the_limit_is_refused(server, settings):
    article(server)
    for n in range(1, 4):
        server.route(f"/hop{n}", redirect(f"/hop{n + 1}"))
    server.route("/hop4", redirect("/world/putin-talks"))
    short = dataclasses.replace(settings, fetch_max_redirects=2)
    assert "too many redirects" in only_failure(add_urls(short, [server.url("/hop1")])).reason
    assert server.hits["/world/putin-talks"] == 0
    assert nothing_written(settings)


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://10.0.0.1/admin", "refused: 10.0.0.1 is a private address"),
        ("http://[::1]:{port}/world/putin-talks", "refused: ::1 is a loopback address"),
        ("http://localhost:{port}/world/putin-talks", "loopback name"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata address"),
        ("http://2130706433:{port}/world/putin-talks", "non-standard form"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
def test_redirect_to_a_private_address_is_refused_on_that_hop(server, settings, location, reason):
    article(server)
    start = server.route("/out", redirect(location.format(port=server.port)))
    failure = only_failure(add_urls(settings, [start]))
    assert reason in failure.reason and "redirected to" in failure.reason
    assert server.hits == {"/out": 1}
    assert nothing_written(settings)


def test_allowlisted_service_cannot_redirect_to_another_port_of_its_host(server, settings):
    """The allowlist is per host and port: 127.0.0.1:A allowed does not open 127.0.0.1:B."""
    with LoopbackServer() as other:
        secret = other.route("/admin", Reply(body=news_page("Internal", PARAGRAPHS)))
        start = server.route("/hop", redirect(secret))
        failure = only_failure(add_urls(settings, [start]))
        assert "redirected to" in failure.reason and "loopback" in failure.reason
        assert other.requests == 0
    assert nothing_written(settings)


# --- refusals before any connection ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/world/putin-talks",
        "http://2130706433:{port}/world/putin-talks",
        "http://0x7f000001:{port}/world/putin-talks",
        "http://0177.0.0.1:{port}/world/putin-talks",
        "http://127.1:{port}/world/putin-talks",
        "http://[::1]:{port}/world/putin-talks",
        "http://[::ffff:127.0.0.1]:{port}/world/putin-talks",
        "http://[::ffff:7f00:1]:{port}/world/putin-talks",
        "http://localhost:{port}/world/putin-talks",
        "http://localhost.:{port}/world/putin-talks",
        "http://news.localhost:{port}/world/putin-talks",
        "http://0.0.0.0:{port}/world/putin-talks",
        "http://0:{port}/world/putin-talks",
        "http://user:pw@127.0.0.1:{port}/world/putin-talks",
        "ftp://127.0.0.1:{port}/world/putin-talks",
    ],
)
def test_private_and_encoded_hosts_are_refused_before_connecting(server, settings, url):
    article(server)
    no_allow = dataclasses.replace(settings, fetch_allow_hosts=())
    failure = only_failure(add_urls(no_allow, [url.format(port=server.port)]))
    assert failure.reason.startswith("refused")
    assert server.requests == 0
    assert nothing_written(settings)


def test_every_dns_answer_must_be_public(server, settings):
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["93.184.216.34", "10.0.0.5"]

    no_allow = dataclasses.replace(settings, fetch_allow_hosts=())
    with Fetcher(no_allow, resolver=resolver) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(f"http://news.test:{server.port}/a")
    assert str(caught.value) == "refused: news.test resolves to 10.0.0.5, a private address"
    assert lookups == ["news.test"]


def test_connection_goes_to_the_vetted_address_with_the_original_host(server, settings):
    url = article(server, "/pinned")
    pinned = dataclasses.replace(settings, fetch_allow_hosts=(f"news.test:{server.port}",))
    resolver = {"news.test": ["127.0.0.1"]}
    with Fetcher(pinned, resolver=lambda host, port: resolver[host]) as fetcher:
        fetched = fetcher.fetch(url.replace("127.0.0.1", "news.test"))
    assert fetched.url == f"http://news.test:{server.port}/pinned"
    assert [h["Host"] for h in server.request_headers] == [f"news.test:{server.port}"]


def test_proxy_settings_in_the_environment_are_ignored(server, settings, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://10.255.255.1:3128")
    monkeypatch.setenv("NO_PROXY", "")
    url = article(server)
    assert [i.status for i in add_urls(settings, [url]).items] == ["added"]
    assert server.requests == 1


# --- limits and failures -----------------------------------------------------------------------


def test_not_found_is_a_clear_failure(server, settings):
    assert only_failure(add_urls(settings, [server.url("/nope")])).reason == "HTTP 404 Not Found"
    assert nothing_written(settings)


def test_service_unavailable_with_retry_after_is_retried(server, settings):
    page = news_page(TITLE, PARAGRAPHS, canonical=server.url("/flaky"))
    busy = Reply(status=503, body=b"busy", headers={"Retry-After": "1"})
    url = server.route("/flaky", busy, Reply(body=page))
    report = add_urls(settings, [url])
    assert [i.status for i in report.items] == ["added"]
    assert server.hits["/flaky"] == 2


def test_retry_after_is_the_wait_before_the_next_attempt(server, settings):
    page = news_page(TITLE, PARAGRAPHS)
    busy = Reply(status=503, body=b"busy", headers={"Retry-After": "2"})
    url = server.route("/flaky", busy, Reply(body=page))
    waits: list[float] = []
    with Fetcher(settings, sleep=waits.append) as fetcher:
        fetcher.fetch(url)
    assert waits == [2.0]
    assert server.hits["/flaky"] == 2


def test_retry_after_beyond_the_cap_gives_up_at_once(server, settings):
    busy = Reply(status=503, body=b"busy", headers={"Retry-After": "3600"})
    url = server.route("/busy", busy)
    with Fetcher(settings, sleep=pytest.fail) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    reason = str(caught.value)
    assert reason.startswith("HTTP 503 Service Unavailable") and "3600 s" in reason
    assert server.hits["/busy"] == 1


def test_transient_statuses_are_retried_a_bounded_number_of_times(server, settings):
    url = server.route("/limited", Reply(status=429, body=b"slow down"))
    waits: list[float] = []
    with Fetcher(settings, sleep=waits.append) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert str(caught.value) == "HTTP 429 Too Many Requests (after 3 attempts)"
    assert server.hits["/limited"] == 3
    assert waits == [0.5, 1.0]


def test_client_errors_are_not_retried(server, settings):
    url = server.route("/gone", Reply(status=410, body=b"gone"))
    with Fetcher(settings, sleep=pytest.fail) as fetcher, pytest.raises(FetchError):
        fetcher.fetch(url)
    assert server.hits["/gone"] == 1


def test_refused_connection_is_retried_then_reported(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket closes
    waits: list[float] = []
    settings = dataclasses.replace(settings, fetch_allow_hosts=(f"127.0.0.1:{port}",))
    with Fetcher(settings, sleep=waits.append) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(f"http://127.0.0.1:{port}/a")
    assert str(caught.value).startswith("could not connect")
    assert len(waits) == 2


@pytest.mark.parametrize("drip", ["body", "headers"])
def test_slow_drip_times_out_on_the_overall_deadline(server, settings, drip):
    page = news_page(TITLE, PARAGRAPHS)
    slow = {"drip_seconds": 0.05} if drip == "body" else {"header_drip_seconds": 0.05}
    url = server.route("/drip", Reply(body=page, **slow))
    quick = dataclasses.replace(settings, fetch_timeout_seconds=1.0)
    # Without the overall deadline the drip would end in a page, not in this failure.
    assert only_failure(add_urls(quick, [url])).reason == "timed out after 1 s"
    assert nothing_written(settings)


@pytest.mark.parametrize("send_length", [True, False])
def test_oversized_body_is_refused(server, settings, send_length):
    page = news_page(TITLE, PARAGRAPHS * 200)
    url = server.route("/big", Reply(body=page, send_length=send_length))
    small = dataclasses.replace(settings, fetch_max_bytes=20_000)
    reason = only_failure(add_urls(small, [url])).reason
    assert reason.startswith("refused: the response is") and "20,000-byte limit" in reason
    assert (f"{len(page):,} bytes" in reason) == send_length
    assert nothing_written(settings)


def test_compressed_body_is_limited_by_its_decoded_size(server, settings):
    bomb = gzip.compress(b"<html><body>" + b" " * 3_000_000)
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    small = dataclasses.replace(settings, fetch_max_bytes=100_000)
    assert len(bomb) < 100_000
    assert "100,000-byte limit" in only_failure(add_urls(small, [url])).reason


@pytest.mark.parametrize("content_type", ["application/pdf", "application/json", "image/png", None])
def test_non_html_content_is_refused(server, settings, content_type):
    url = server.route("/file", Reply(body=b"%PDF-1.4 ...", content_type=content_type))
    reason = only_failure(add_urls(settings, [url])).reason
    assert reason.startswith(f"refused: {content_type or 'no content type'} is not an article page")
    assert nothing_written(settings)


def test_feed_types_are_accepted_only_when_asking_for_a_feed(server, settings):
    url = server.route("/f", Reply(body=rss_feed([]), content_type="application/rss+xml"))
    with Fetcher(settings) as fetcher:
        assert fetcher.fetch(url, FEED).content_type == "application/rss+xml"
        with pytest.raises(FetchError, match="not an article page"):
            fetcher.fetch(url)


def test_html_charset_is_reported(server, settings):
    url = server.route("/cs", Reply(body=b"<p>x</p>", content_type=HTML))
    with Fetcher(settings) as fetcher:
        assert fetcher.fetch(url).charset == "utf-8"
