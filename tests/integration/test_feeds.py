"""Feeds on a schedule (retrieval/feeds.py) against a real HTTP server on 127.0.0.1: the registry,
conditional polls, RSS/Atom/JSON Feed, backoff, robots.txt and the per-round cap."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import random
import signal
import sqlite3
import time

import pytest
from helpers import FakeEmbedder
from webserver import LoopbackServer, Reply, atom_feed, json_feed, news_page, rss_feed

import bot.cli_feeds as cli_feeds
import retrieval
import retrieval.feedstore as feedstore
from bot.cli import main
from retrieval import Engine
from retrieval.adding import add_urls
from retrieval.corpus import load_corpus
from retrieval.extract import ExtractError, feed_links
from retrieval.feeds import (
    FeedError,
    FeedExists,
    add_feed,
    feeds_due,
    list_feeds,
    next_poll,
    poll_round,
    remove_feed,
)
from retrieval.settings import Settings

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
INTERVAL = dt.timedelta(minutes=30)
JITTER = INTERVAL * 0.1
RSS = "application/rss+xml"
PARAGRAPHS = [
    "GENEVA, June 23 (Example Wire) - Negotiators met for a third day on Monday to discuss a "
    "ceasefire, officials said, with the talks expected to run through the end of the week.",
    "The delegations exchanged draft texts on prisoner releases and humanitarian access, a "
    "diplomat familiar with the talks said, speaking on condition of anonymity.",
]


def story(server: LoopbackServer, path: str) -> str:
    body = news_page(f"Story {path}", PARAGRAPHS, canonical=server.url(path))
    return server.route(path, Reply(body=body))


def items(
    server: LoopbackServer, *names: str, prefix: str = "/news/"
) -> list[tuple[str, str, str]]:
    """Feed items for articles served at prefix+name; later names are newer."""
    return [
        (f"Story {n}", story(server, prefix + n), f"Mon, 23 Jun 2025 10:{i:02d}:00 GMT")
        for i, n in enumerate(names)
    ]


def rss(entries, **headers: str) -> Reply:
    return Reply(body=rss_feed(entries), content_type=RSS, headers=headers)


def poll(settings: Settings, when: dt.datetime, **kw):
    return poll_round(settings, now=when, rng=random.Random(7), **kw)


def only(report):
    (result,) = report.feeds
    return result


def the_feed(settings: Settings):
    (feed,) = list_feeds(settings)
    return feed


def due_at(settings: Settings) -> dt.datetime:
    return dt.datetime.fromisoformat(the_feed(settings).next_due)


def article_hits(server: LoopbackServer, *paths: str) -> list[int]:
    return [server.hits[p] for p in paths]


# --- the registry ---------------------------------------------------------------------------


def test_registry_adds_lists_and_removes_feeds(server, settings):
    url = server.url("/feed.xml")
    feed = add_feed(settings, url, added_by="4242", now=T0)
    assert (feed.url, feed.added_by, feed.failures, feed.etag) == (url, "4242", 0, None)
    assert feed.added_at == feed.next_due == T0.isoformat()
    assert (settings.store_dir / "feeds.sqlite3").is_file()
    assert [f.url for f in list_feeds(settings)] == [url]
    assert feeds_due(settings, T0) and next_poll(settings) == T0
    assert remove_feed(settings, url).url == url
    assert list_feeds(settings) == []


def test_the_same_feed_cannot_be_added_twice_even_spelled_differently(server, settings):
    add_feed(settings, server.url("/feed.xml"))
    with pytest.raises(FeedExists, match="registered already"):
        add_feed(settings, server.url("/feed.xml#latest").replace("127.0.0.1", "127.0.0.1"))
    assert len(list_feeds(settings)) == 1


def test_removing_an_unknown_feed_says_so(server, settings):
    with pytest.raises(FeedError, match="no feed .* is registered"):
        remove_feed(settings, server.url("/nothing.xml"))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/feed.xml", "only http and https"),
        ("example.com/feed.xml", "only http and https"),
        ("http://user:secret@example.com/feed", "user name or password"),
        ("http://10.0.0.7/feed", "private address"),
        ("http://127.0.0.1:1/feed", "loopback address"),
        ("https:///feed", "has no host"),
        ("http://[::1/feed", "not a valid URL"),
    ],
)
def test_bad_feed_urls_are_refused_with_the_reason(settings, url, reason):
    with pytest.raises(FeedError, match=reason):
        add_feed(settings, url)
    assert list_feeds(settings) == []


def test_reading_the_registry_never_creates_it(settings):
    assert list_feeds(settings) == [] and not feeds_due(settings) and next_poll(settings) is None
    assert poll(settings, T0).feeds == ()
    assert not settings.store_dir.exists()


def test_a_locked_registry_is_a_clear_error_not_a_hang(server, settings, monkeypatch):
    add_feed(settings, server.url("/feed.xml"))
    monkeypatch.setattr(feedstore, "BUSY_TIMEOUT_SECONDS", 0.2)
    other = sqlite3.connect(settings.store_dir / "feeds.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(FeedError, match="locked by another process"):
            add_feed(settings, server.url("/other.xml"))
        with pytest.raises(FeedError, match="locked by another process"):
            poll(settings, T0)
        assert time.monotonic() - started < 3
        assert [f.url for f in list_feeds(settings)] == [server.url("/feed.xml")]  # WAL: reads
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert server.requests == 0


# --- a feed through its life ------------------------------------------------------------------


def test_a_feed_through_new_items_not_modified_failure_and_json_feed(server, settings):
    feed_path = "/feed.xml"
    url = server.route(
        feed_path,
        rss(
            items(server, "a", "b"),
            ETag='"v1"',
            **{"Last-Modified": "Mon, 23 Jun 2025 10:00:00 GMT"},
        ),
    )
    add_feed(settings, url, now=T0)

    first = poll(settings, T0)
    assert only(first).status == "polled" and only(first).new == 2 and first.changed
    assert len(load_corpus(settings.corpus_dir)[0]) == 2
    assert (the_feed(settings).etag, the_feed(settings).last_modified) == (
        '"v1"',
        "Mon, 23 Jun 2025 10:00:00 GMT",
    )
    assert abs(due_at(settings) - (T0 + INTERVAL)) <= JITTER

    # Not due yet: nothing is fetched.
    assert poll(settings, T0 + INTERVAL / 2).feeds == ()
    assert server.hits[feed_path] == 1

    t1 = T0 + INTERVAL * 1.2
    server.route(feed_path, Reply(status=304, content_type=None))
    second = poll(settings, t1)
    assert only(second).status == "not_modified" and not second.changed
    sent = server.request_headers[-1]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 23 Jun 2025 10:00:00 GMT"
    assert abs(due_at(settings) - (t1 + INTERVAL)) <= JITTER

    t2 = t1 + INTERVAL * 1.2
    server.route(feed_path, rss(items(server, "a", "b", "c"), ETag='"v2"'))
    third = poll(settings, t2)
    assert only(third).new == 1 and [i.url for i in only(third).items] == [server.url("/news/c")]
    assert article_hits(server, "/news/a", "/news/b", "/news/c") == [1, 1, 1]
    assert the_feed(settings).etag == '"v2"'

    t3 = t2 + INTERVAL * 1.2
    server.route(feed_path, Reply(status=503, body=b"down", headers={"Retry-After": "0"}))
    failed = poll(settings, t3)
    assert only(failed).status == "failed" and "503" in only(failed).reason
    assert not failed.changed
    feed = the_feed(settings)
    assert feed.failures == 1 and "503" in feed.last_error
    assert abs(due_at(settings) - (t3 + 2 * INTERVAL)) <= JITTER  # backed off: 2 ** 1 intervals
    assert poll(settings, t3 + INTERVAL * 1.2).feeds == ()  # would have been due without it

    t4 = t3 + INTERVAL * 2.2
    entries = items(server, "c", "d")
    server.route(feed_path, Reply(body=json_feed(entries), content_type="application/feed+json"))
    fourth = poll(settings, t4)
    assert only(fourth).new == 1 and [i.url for i in only(fourth).items] == [server.url("/news/d")]
    feed = the_feed(settings)
    assert (feed.failures, feed.last_error, feed.last_new) == (0, None, 1)
    assert abs(due_at(settings) - (t4 + INTERVAL)) <= JITTER
    assert len(load_corpus(settings.corpus_dir)[0]) == 4
    assert article_hits(server, "/news/a", "/news/b", "/news/c", "/news/d") == [1, 1, 1, 1]


def test_backoff_doubles_per_failure_up_to_a_day(server, settings):
    url = server.route("/feed.xml", Reply(status=500, body=b"broken"))
    add_feed(settings, url, now=T0)
    when, delays = T0, []
    for _ in range(8):
        poll(settings, when)
        due = due_at(settings)
        delays.append(due - when)
        when = due
    assert the_feed(settings).failures == 8
    for n, delay in enumerate(delays[:5], 1):
        assert abs(delay - INTERVAL * 2**n) <= JITTER, n
    assert all(dt.timedelta(hours=24) - JITTER <= d <= dt.timedelta(hours=24) for d in delays[5:])


def test_success_after_failures_resets_the_count_and_the_interval(server, settings):
    url = server.route("/feed.xml", Reply(status=500), Reply(status=500), rss(items(server, "a")))
    add_feed(settings, url, now=T0)
    poll(settings, T0)
    poll(settings, due_at(settings))
    assert the_feed(settings).failures == 2
    when = due_at(settings)
    assert only(poll(settings, when)).new == 1
    assert the_feed(settings).failures == 0
    assert abs(due_at(settings) - (when + INTERVAL)) <= JITTER


def not_modified_after_the_first(server: LoopbackServer) -> str:
    return server.route("/feed.xml", rss([], ETag='"same"'), Reply(status=304, content_type=None))


def test_every_next_poll_gets_jitter_within_a_tenth_of_the_interval(server, settings):
    url = not_modified_after_the_first(server)
    add_feed(settings, url, now=T0)
    offsets = set()
    for seed in range(6):
        poll_round(settings, now=T0, due_only=False, rng=random.Random(seed))
        offset = due_at(settings) - (T0 + INTERVAL)
        assert abs(offset) <= JITTER
        offsets.add(offset)
    assert len(offsets) > 1


def test_a_feed_that_is_not_a_feed_is_a_failure_with_backoff(server, settings):
    url = server.route("/feed.xml", Reply(body=b"<html>oops</html>", content_type="text/xml"))
    add_feed(settings, url, now=T0)
    result = only(poll(settings, T0))
    assert result.status == "failed" and "not a readable RSS or Atom feed" in result.reason
    assert the_feed(settings).failures == 1


def test_a_not_modified_answer_to_an_unconditional_get_is_a_failure(server, settings):
    add_feed(settings, server.route("/feed.xml", Reply(status=304, content_type=None)), now=T0)
    assert "HTTP 304" in only(poll(settings, T0)).reason


def test_poll_all_polls_feeds_that_are_not_due(server, settings):
    url = not_modified_after_the_first(server)
    add_feed(settings, url, now=T0)
    poll(settings, T0)
    assert poll(settings, T0).feeds == ()
    assert only(poll(settings, T0, due_only=False)).status == "not_modified"


def test_a_round_in_another_process_skips_the_feeds_this_one_claimed(server, settings):
    url = server.route("/feed.xml", rss(items(server, "a")))
    add_feed(settings, url, now=T0)
    with feedstore.Registry.at(settings.store_dir) as registry:
        registry.claim(T0, T0 + INTERVAL, everything=False)
    assert poll(settings, T0).feeds == ()
    assert server.hits["/feed.xml"] == 0


# --- items --------------------------------------------------------------------------------------


def test_items_already_in_the_corpus_are_not_fetched_again(server, settings):
    entries = items(server, "a", "b")
    add_urls(settings, [server.url("/news/a")])
    url = server.route("/feed.xml", rss(entries))
    add_feed(settings, url, now=T0)
    result = only(poll(settings, T0))
    assert [i.url for i in result.items] == [server.url("/news/b")]
    assert article_hits(server, "/news/a", "/news/b") == [1, 1]


def test_an_item_that_cannot_be_added_is_retried_then_given_up(server, settings):
    entries = items(server, "a")
    entries.append(("Gone", server.url("/news/gone"), "Mon, 23 Jun 2025 11:00:00 GMT"))
    add_feed(settings, server.route("/feed.xml", rss(entries, ETag='"x"')), now=T0)
    first = only(poll(settings, T0))
    assert (first.new, len(first.failures), first.waiting) == (1, 1, 1)
    assert the_feed(settings).etag is None  # a retry is waiting: the next poll is a full GET
    for _ in range(2, 5):
        poll(settings, T0, due_only=False)
    assert server.hits["/news/gone"] == 3 and server.hits["/news/a"] == 1
    assert the_feed(settings).etag == '"x"'


def test_an_atom_feed_is_polled_like_rss(server, settings):
    story(server, "/news/x")
    body = atom_feed([("X", "/news/x", "2025-06-23T10:00:00Z")])
    url = server.route("/atom", Reply(body=body, content_type="application/atom+xml"))
    add_feed(settings, url, now=T0)
    assert [i.url for i in only(poll(settings, T0)).items] == [server.url("/news/x")]


# --- robots.txt ---------------------------------------------------------------------------------


def test_robots_disallow_is_honoured_for_article_pages(server, settings):
    server.route(
        "/robots.txt",
        Reply(body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
    )
    entries = items(server, "a", "b") + items(server, "secret", prefix="/private/")
    add_feed(settings, server.route("/feed.xml", rss(entries)), now=T0)
    result = only(poll(settings, T0))
    assert (result.new, result.robots) == (2, 1)
    assert "1 skipped by robots.txt" in result.describe()
    assert server.hits["/private/secret"] == 0
    assert server.hits["/robots.txt"] == 1  # once per host per round

    again = only(poll(settings, T0, due_only=False))
    assert (again.new, again.robots) == (0, 0)  # not asked again
    assert server.hits["/private/secret"] == 0


def test_robots_rules_for_our_user_agent_apply(server, settings):
    rules = b"User-agent: Wirecheck\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    server.route("/robots.txt", Reply(body=rules, content_type="text/plain; charset=utf-8"))
    add_feed(settings, server.route("/feed.xml", rss(items(server, "a"))), now=T0)
    result = only(poll(settings, T0))
    assert (result.new, result.robots) == (0, 1)
    assert server.hits["/news/a"] == 0


def test_a_missing_robots_txt_allows_everything(server, settings):
    add_feed(settings, server.route("/feed.xml", rss(items(server, "a"))), now=T0)
    assert only(poll(settings, T0)).new == 1
    assert server.hits["/robots.txt"] == 1  # answered 404 by the test server


def test_an_unreadable_robots_txt_makes_the_items_wait(server, settings):
    server.route("/robots.txt", Reply(status=500, body=b"oops"), Reply(status=404))
    add_feed(settings, server.route("/feed.xml", rss(items(server, "a"), ETag='"e"')), now=T0)
    first = only(poll(settings, T0))
    assert (first.new, first.waiting) == (0, 1) and server.hits["/news/a"] == 0
    assert the_feed(settings).etag is None
    assert only(poll(settings, T0, due_only=False)).new == 1


# --- the per-round cap --------------------------------------------------------------------------


def test_the_per_round_cap_leaves_the_rest_for_the_next_round(server, settings):
    entries = items(server, *"abcde")
    add_feed(settings, server.route("/feed.xml", rss(entries, ETag='"e"')), now=T0)
    first = only(poll(settings, T0, max_new=2))
    assert (first.new, first.waiting) == (2, 3)
    assert [i.url for i in first.items] == [server.url("/news/e"), server.url("/news/d")]
    assert the_feed(settings).etag is None
    assert due_at(settings) == T0  # the backlog is due again at once
    assert only(poll(settings, T0, max_new=2)).new == 2
    last = only(poll(settings, T0, max_new=2))
    assert (last.new, last.waiting) == (1, 0)
    assert the_feed(settings).etag == '"e"'
    assert article_hits(server, *(f"/news/{n}" for n in "abcde")) == [1] * 5


def test_the_cap_is_per_round_across_feeds(server, settings):
    add_feed(settings, server.route("/one.xml", rss(items(server, "a", "b"))), now=T0)
    later = T0 + dt.timedelta(seconds=1)
    add_feed(settings, server.route("/two.xml", rss(items(server, "c"))), now=later)
    report = poll(settings, later, max_new=2)
    assert [(r.status, r.new) for r in report.feeds] == [("polled", 2), ("not_polled", 0)]
    assert "1 left for the next round" in report.summary()
    assert server.hits["/two.xml"] == 0
    two = next(f for f in list_feeds(settings) if f.url.endswith("/two.xml"))
    assert two.next_due == later.isoformat()  # still due
    assert [(r.url, r.new) for r in poll(settings, later, max_new=2).feeds] == [
        (server.url("/two.xml"), 1)
    ]


def test_the_cap_comes_from_the_settings(server, settings):
    capped = dataclasses.replace(settings, feed_max_new_per_round=1)
    add_feed(capped, server.route("/feed.xml", rss(items(server, "a", "b"))), now=T0)
    assert only(poll(capped, T0)).new == 1


# --- JSON Feed ----------------------------------------------------------------------------------

JSON_ITEMS = [
    ("Old", "https://x.example/1", "2025-06-22T10:00:00Z"),
    ("New", "/2", "2025-06-23T10:00:00+02:00"),
]


@pytest.mark.parametrize("link_key", ["url", "external_url", "id"])
@pytest.mark.parametrize(
    "version", ["https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1"]
)
def test_json_feed_links_come_newest_first_from_url_external_url_or_id(link_key, version):
    items_ = [
        (t, f"https://x.example{link}" if link.startswith("/") else link, d)
        for t, link, d in JSON_ITEMS
    ]
    body = json_feed(items_, link_key=link_key, version=version)
    assert feed_links(body, "https://x.example/feed.json") == [
        "https://x.example/2",
        "https://x.example/1",
    ]


def test_json_feed_relative_urls_are_made_absolute_and_non_link_ids_skipped():
    body = json_feed([("Rel", "/2", "2025-06-23T10:00:00Z")])
    assert feed_links(body, "https://x.example/feeds/f.json") == ["https://x.example/2"]
    not_links = json_feed([("Tag", "tag:x.example,2025:1", "2025-06-23T10:00:00Z")], link_key="id")
    assert feed_links(not_links, "https://x.example/f.json") == []


@pytest.mark.parametrize(
    "body",
    [b'{"version": "1", "items": []}', b'{"version": "https://jsonfeed.org/version/1"}', b"{oops"],
)
def test_json_that_is_not_a_json_feed_is_an_error(body):
    with pytest.raises(ExtractError, match="not a readable JSON Feed"):
        feed_links(body, "https://x.example/f.json")


def test_a_json_feed_served_as_application_json_is_polled(server, settings):
    body = json_feed(items(server, "j"), link_key="external_url")
    add_feed(
        settings,
        server.route("/feed.json", Reply(body=body, content_type="application/json")),
        now=T0,
    )
    assert [i.url for i in only(poll(settings, T0)).items] == [server.url("/news/j")]


def test_round_report_serialises_per_feed_results(server, settings):
    add_feed(settings, server.route("/feed.xml", rss(items(server, "a"))), now=T0)
    out = poll(settings, T0).to_json()
    assert out["changed"] is True and out["new"] == 1
    (feed,) = out["feeds"]
    assert feed["status"] == "polled" and feed["items"][0]["status"] == "added"
    assert set(feed) == {"url", "status", "new", "robots", "waiting", "reason", "items", "failures"}


def test_an_empty_feed_is_polled_with_nothing_new(server, settings):
    add_feed(settings, server.route("/feed.xml", rss([])), now=T0)
    result = only(poll(settings, T0))
    assert (result.status, result.new) == ("polled", 0)
    assert the_feed(settings).failures == 0


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, tmp_path, server, capsys):
    """``wirecheck …`` in-process with the loopback server allowlisted; returns (rc, out, err)."""
    for key in list(os.environ):
        if key.startswith("WIRECHECK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WIRECHECK_FETCH_ALLOW_HOSTS", f"127.0.0.1:{server.port}")

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        where = ["--corpus", str(tmp_path / "corpus"), "--store", str(tmp_path / "store")]
        rc = main([*argv, *where])
        out, err = capsys.readouterr()
        return rc, out, err

    return run


@pytest.fixture
def engines(monkeypatch):
    """Engines the CLI builds: real ones (Chroma, the index) with the fake embedder; each
    records its reloads."""
    made: list[Engine] = []

    def factory(settings: Settings) -> Engine:
        engine = Engine(settings, embedder=FakeEmbedder())
        engine.reloads = 0
        real = engine.reload

        def reload(*args, **kwargs):
            engine.reloads += 1
            return real(*args, **kwargs)

        engine.reload = reload
        made.append(engine)
        return engine

    monkeypatch.setattr(cli_feeds, "make_engine", factory)
    return made


def test_cli_feeds_add_list_remove_json(cli, server):
    url = server.url("/feed.xml")
    rc, out, _ = cli("feeds", "add", url, "ftp://example.com/x", "--json")
    data = json.loads(out)
    assert rc == 1  # one URL was refused
    assert [f["url"] for f in data["added"]] == [url] and data["added"][0]["added_by"] == "cli"
    assert data["failed"][0]["url"] == "ftp://example.com/x"
    assert "only http and https" in data["failed"][0]["reason"]

    rc, out, _ = cli("feeds", "add", url, "--json")
    assert (rc, json.loads(out)) == (0, {"added": [], "failed": [], "existing": [url]})

    rc, out, _ = cli("feeds", "list", "--json")
    (listed,) = json.loads(out)
    assert rc == 0 and listed["url"] == url and listed["failures"] == 0
    assert set(listed) >= {"added_at", "next_due", "etag", "last_modified", "last_error"}

    rc, out, _ = cli("feeds", "remove", url, "--json")
    assert rc == 0 and [f["url"] for f in json.loads(out)["removed"]] == [url]
    rc, out, _ = cli("feeds", "remove", url, "--json")
    assert rc == 1 and "no feed" in json.loads(out)["failed"][0]["reason"]
    assert json.loads(cli("feeds", "list", "--json")[1]) == []


def test_cli_feeds_list_without_json_is_readable(cli, server):
    cli("feeds", "add", server.url("/feed.xml"))
    rc, out, _ = cli("feeds", "list")
    assert rc == 0 and server.url("/feed.xml") in out and "added by cli" in out


def test_cli_poll_json_adds_items_and_reloads_the_index_once(cli, server, engines):
    server.route("/feed.xml", rss(items(server, "a", "b"), ETag='"v1"'), Reply(status=304))
    cli("feeds", "add", server.url("/feed.xml"))
    rc, out, _ = cli("feeds", "poll", "--json")
    data = json.loads(out)
    assert rc == 0 and data["changed"] is True and data["new"] == 2
    assert data["index"]["added"] == 2
    assert [e.reloads for e in engines] == [1]

    rc, out, _ = cli("feeds", "poll", "--all", "--json")
    data = json.loads(out)
    assert rc == 0 and data["changed"] is False and "index" not in data
    assert data["feeds"][0]["status"] == "not_modified"
    assert len(engines) == 1  # nothing changed: no engine, no reload


def test_cli_poll_with_nothing_due_prints_an_empty_round(cli, engines):
    rc, out, _ = cli("feeds", "poll", "--json")
    assert (rc, json.loads(out)["feeds"], engines) == (0, [], [])


def test_cli_poll_no_index_only_writes_the_files(cli, server, engines):
    server.route("/feed.xml", rss(items(server, "a")))
    cli("feeds", "add", server.url("/feed.xml"))
    rc, out, _ = cli("feeds", "poll", "--no-index", "--json")
    assert rc == 0 and json.loads(out)["new"] == 1 and engines == []


def test_cli_poll_of_a_failing_feed_exits_1(cli, server, engines):
    server.route("/feed.xml", Reply(status=404))
    cli("feeds", "add", server.url("/feed.xml"))
    rc, out, _ = cli("feeds", "poll")
    assert rc == 1 and "failed (HTTP 404 Not Found)" in out


def test_watch_polls_until_sigterm_and_reloads_once_per_changed_round(
    cli, server, engines, monkeypatch, caplog
):
    server.route("/feed.xml", rss(items(server, "a")))
    cli("feeds", "add", server.url("/feed.xml"))
    rounds = []
    real = retrieval.poll_round

    def counted(*args, **kwargs):
        report = real(*args, **kwargs)
        rounds.append(report)
        if len(rounds) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # the handler `watch` installed stops it
        return report

    monkeypatch.setattr(retrieval, "poll_round", counted)
    monkeypatch.setattr(cli_feeds, "pause_seconds", lambda settings: 0.01)
    caplog.set_level(logging.INFO)
    before = signal.getsignal(signal.SIGTERM)
    rc, out, _ = cli("watch", "--json")
    assert rc == 0 and len(rounds) == 2
    assert [r.changed for r in rounds] == [True, False]  # the second: nothing was due
    (line,) = out.splitlines()
    assert json.loads(line)["index"]["added"] == 1
    assert [e.reloads for e in engines] == [1]
    assert "feeds: 1 feed polled, 1 new" in caplog.text
    assert signal.getsignal(signal.SIGTERM) is before


def test_watch_pauses_until_the_next_feed_is_due_within_bounds(server, settings):
    assert cli_feeds.pause_seconds(settings) == 30 * 60  # no feeds: one interval
    add_feed(settings, server.url("/feed.xml"), now=T0)
    assert cli_feeds.pause_seconds(settings, now=T0) == cli_feeds.MIN_PAUSE_SECONDS
    later = T0 - dt.timedelta(minutes=10)
    assert cli_feeds.pause_seconds(settings, now=later) == 600
