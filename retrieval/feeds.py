"""Feeds that keep the corpus current: a registry of feeds and poll rounds over the ones due.

A round fetches each due feed with a conditional GET (its stored ETag / Last-Modified), reads
RSS, Atom or JSON Feed, and adds the items it has not given us before through the same adding
as ``wirecheck add`` (``adding.add_articles``), honouring robots.txt for the article pages and at
most ``feed_max_new_per_round`` article fetches per round; the rest wait, unmarked, for the next
round. A failed poll backs off (``interval * 2**failures``, at most a day); every next poll time
gets ±10 % of the interval as jitter, so feeds added together drift apart. The caller reloads
the index once per round when ``RoundReport.changed``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from .feedstore import DONE, FILENAME, Feed, FeedError, FeedExists, Registry, RegistryUnavailable
from .fetch import FEED, ROBOTS, USER_AGENT, Fetcher, FetchError, check_url
from .netguard import allow_list
from .settings import Settings

if TYPE_CHECKING:
    from .adding import AddedItem, AddFailure, CorpusIndex

log = logging.getLogger(__name__)

__all__ = [
    "Feed",
    "FeedError",
    "FeedExists",
    "FeedResult",
    "RegistryUnavailable",
    "RoundReport",
    "add_feed",
    "feeds_due",
    "list_feeds",
    "next_poll",
    "poll_round",
    "remove_feed",
]

MAX_BACKOFF = dt.timedelta(hours=24)
JITTER_SHARE = 0.1
# A page that fails this often (fetch or extraction) is given up for that feed.
ITEM_ATTEMPTS = 3

PollStatus = Literal["polled", "not_modified", "failed", "not_polled"]


@dataclass(frozen=True)
class FeedResult:
    """What one round did with one feed."""

    url: str
    status: PollStatus
    reason: str | None = None  # why it failed, or why it was not polled
    robots: int = 0  # items robots.txt forbids us to fetch (not fetched, not asked again)
    waiting: int = 0  # items left for a later round (the cap, an unreadable robots.txt, retries)
    items: tuple[AddedItem, ...] = ()
    failures: tuple[AddFailure, ...] = ()

    @property
    def new(self) -> int:
        return sum(item.status != "unchanged" for item in self.items)

    def describe(self) -> str:
        if self.status == "failed":
            return f"failed ({self.reason})"
        if self.status == "not_polled":
            return f"not polled ({self.reason})"
        if self.status == "not_modified":
            return "not modified"
        parts = [f"{self.new} new"]
        if self.robots:
            parts.append(f"{self.robots} skipped by robots.txt")
        if self.failures:
            parts.append(f"{len(self.failures)} could not be added")
        if self.waiting:
            parts.append(f"{self.waiting} waiting for the next round")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "new": self.new,
            "robots": self.robots,
            "waiting": self.waiting,
            "reason": self.reason,
            "items": [asdict(item) for item in self.items],
            "failures": [asdict(failure) for failure in self.failures],
        }


@dataclass(frozen=True)
class RoundReport:
    feeds: tuple[FeedResult, ...] = ()
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether anything was written to the corpus (the index needs a reload)."""
        return any(result.new for result in self.feeds)

    @property
    def new(self) -> int:
        return sum(result.new for result in self.feeds)

    def count(self, status: PollStatus) -> int:
        return sum(result.status == status for result in self.feeds)

    def to_json(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "new": self.new,
            "feeds": [result.to_json() for result in self.feeds],
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        if not self.feeds:
            return "no feed was due"
        polled = len(self.feeds) - self.count("not_polled")
        parts = [f"{polled} feed{'s' if polled != 1 else ''} polled", f"{self.new} new"]
        for status, label in (("not_modified", "not modified"), ("failed", "failed")):
            if self.count(status):
                parts.append(f"{self.count(status)} {label}")
        if self.count("not_polled"):
            parts.append(f"{self.count('not_polled')} left for the next round")
        return f"{', '.join(parts)} in {self.seconds:.1f} s"


# --- the registry -------------------------------------------------------------------------------


def feed_url(settings: Settings, url: str) -> str:
    """The URL a feed is registered under, after the fetcher's own checks (scheme, user info,
    private and loopback hosts unless allowlisted); FeedError says why a URL is refused."""
    try:
        parsed = check_url(url.strip(), allow_list(settings.fetch_allow_hosts))
    except FetchError as exc:
        raise FeedError(f"{url.strip() or 'an empty URL'}: {exc.reason}") from None
    # Host case, default ports and fragments never name another feed; the path and query might.
    return str(parsed.copy_with(fragment=None))


def add_feed(
    settings: Settings, url: str, *, added_by: str = "cli", now: dt.datetime | None = None
) -> Feed:
    """Register a feed, due at once. FeedExists when it is registered already."""
    canonical = feed_url(settings, url)
    with Registry.at(settings.store_dir) as registry:
        feed = registry.add(canonical, added_by.strip() or "unknown", now or _now())
    log.info("feed %s added by %s", feed.url, feed.added_by)
    return feed


def remove_feed(settings: Settings, url: str) -> Feed:
    """Forget a feed and the items it gave us (the articles stay in the corpus)."""
    try:
        canonical = feed_url(settings, url)
    except FeedError:
        canonical = url.strip()  # a feed registered before the allowlist changed
    if not _exists(settings):
        raise FeedError(f"no feed {canonical} is registered (see `wirecheck feeds list`)")
    with Registry.at(settings.store_dir) as registry:
        feed = registry.remove(canonical)
    log.info("feed %s removed", feed.url)
    return feed


def list_feeds(settings: Settings) -> list[Feed]:
    if not _exists(settings):
        return []
    with Registry.at(settings.store_dir) as registry:
        return registry.feeds()


def next_poll(settings: Settings) -> dt.datetime | None:
    """When the next feed is due (None without feeds)."""
    if not _exists(settings):
        return None
    with Registry.at(settings.store_dir) as registry:
        earliest = registry.earliest_due()
    return dt.datetime.fromisoformat(earliest) if earliest else None


def feeds_due(settings: Settings, now: dt.datetime | None = None) -> bool:
    due = next_poll(settings)
    return due is not None and due <= (now or _now())


def _exists(settings: Settings) -> bool:
    """Reading commands never create the registry."""
    return (settings.store_dir / FILENAME).exists()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- a round ------------------------------------------------------------------------------------


def poll_round(
    settings: Settings,
    *,
    now: dt.datetime | None = None,
    max_new: int | None = None,
    due_only: bool = True,
    rng: random.Random | None = None,
    fetcher_factory: Callable[[Settings], Fetcher] = Fetcher,
) -> RoundReport:
    """Poll every due feed (every feed without ``due_only``) once; see the module docstring."""
    started = time.monotonic()
    now = now or _now()
    interval = dt.timedelta(minutes=settings.feed_interval_minutes)
    if interval <= dt.timedelta(0):
        raise FeedError("feed_interval_minutes must be positive")
    if not _exists(settings):
        return RoundReport()
    budget = settings.feed_max_new_per_round if max_new is None else max_new
    from .adding import CorpusIndex  # trafilatura: only when a round runs

    with Registry.at(settings.store_dir) as registry:
        # Claimed for one interval: a round in another process leaves these alone meanwhile.
        claimed = registry.claim(now, now + interval, everything=not due_only)
        if not claimed:
            return RoundReport(seconds=time.monotonic() - started)
        corpus = CorpusIndex.load(settings.corpus_dir)
        with fetcher_factory(settings) as fetcher:
            poller = _Round(registry, fetcher, corpus, now, interval, rng or random.Random())
            results = [poller.poll(feed, budget) for feed in claimed]
    report = RoundReport(tuple(results), time.monotonic() - started)
    log.info("feeds: %s", report.summary())
    return report


@dataclass
class _Round:
    registry: Registry
    fetcher: Fetcher
    corpus: CorpusIndex
    now: dt.datetime
    interval: dt.timedelta
    rng: random.Random
    fetched: int = 0  # article fetches so far this round, against the cap
    robots: _Robots | None = None

    def poll(self, feed: Feed, budget: int) -> FeedResult:
        if self.fetched >= budget:
            self.registry.release(feed)
            return FeedResult(feed.url, "not_polled", "the per-round cap was reached")
        try:
            return self._poll(feed, budget)
        except FeedError:
            raise  # the registry itself failed: the round cannot go on
        except Exception as exc:  # one broken feed must not stop the round
            if not isinstance(exc, FetchError | ValueError):
                log.exception("polling %s failed unexpectedly", feed.url)
            reason = str(exc) if isinstance(exc, FetchError | ValueError) else _unexpected(exc)
            return self._failed(feed, reason)

    def _poll(self, feed: Feed, budget: int) -> FeedResult:
        from .extract import feed_links

        conditional = {"If-None-Match": feed.etag, "If-Modified-Since": feed.last_modified}
        headers = {name: value for name, value in conditional.items() if value}
        fetched = self.fetcher.fetch(feed.url, FEED, headers)
        if fetched.not_modified:
            self.registry.polled(feed, self.now, self._due(self.interval), new=feed.last_new)
            return FeedResult(feed.url, "not_modified")
        links = feed_links(fetched.body, fetched.url)  # ExtractError is a ValueError
        result = self._add_new(feed, links, budget)
        # Stored only when nothing is left over: a 304 next time would hide what waits.
        validators = None if result.waiting else _validators(fetched.headers)
        due = self.now if result.waiting and self.fetched >= budget else self._due(self.interval)
        self.registry.polled(feed, self.now, due, new=result.new, validators=validators)
        return result

    def _add_new(self, feed: Feed, links: list[str], budget: int) -> FeedResult:
        from .adding import add_articles

        seen = self.registry.items(feed)
        robots = self.robots = self.robots or _Robots(self.fetcher)
        todo: list[str] = []
        skipped = waiting = 0
        for link in links:
            key = _item_key(link)
            if seen.get(key, ("", 0))[0] in DONE:
                continue
            if self.corpus.by_url(link) is not None:
                self.registry.mark(feed, key, "known", self.now)
            elif self.fetched + len(todo) >= budget:
                waiting += 1
            elif (allowed := robots.allows(link)) is None:
                waiting += 1  # robots.txt could not be read: ask again next round
            elif not allowed:
                skipped += 1
                self.registry.mark(feed, key, "robots", self.now)
                log.info("robots.txt forbids %s; not fetched", link)
            else:
                todo.append(link)
        self.fetched += len(todo)
        items, failures = add_articles(self.fetcher, self.corpus, todo)
        for item in items:
            self.registry.mark(feed, _item_key(item.url), "added", self.now)
        for failure in failures:
            key = _item_key(failure.url)
            if self.registry.failed_item(feed, key, self.now, ITEM_ATTEMPTS) < ITEM_ATTEMPTS:
                waiting += 1
            log.warning("feed %s: could not add %s: %s", feed.url, failure.url, failure.reason)
        return FeedResult(
            feed.url,
            "polled",
            robots=skipped,
            waiting=waiting,
            items=tuple(items),
            failures=tuple(failures),
        )

    def _failed(self, feed: Feed, reason: str) -> FeedResult:
        backoff = min(self.interval * 2 ** (feed.failures + 1), MAX_BACKOFF)
        self.registry.polled(feed, self.now, self._due(backoff), error=reason)
        log.warning("feed %s failed (%d in a row): %s", feed.url, feed.failures + 1, reason)
        return FeedResult(feed.url, "failed", reason)

    def _due(self, delay: dt.timedelta) -> dt.datetime:
        jitter = self.interval * self.rng.uniform(-JITTER_SHARE, JITTER_SHARE)
        return self.now + min(max(delay + jitter, dt.timedelta(0)), MAX_BACKOFF)


class _Robots:
    """robots.txt per origin, fetched once per round through the same guarded fetcher."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._rules: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def allows(self, url: str) -> bool | None:
        """True or False as robots.txt says for our user agent; None when it cannot be read
        now (a server error or no answer: RFC 9309 says assume nothing is allowed)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._rules:
            self._rules[origin] = self._load(origin)
        rules = self._rules[origin]
        return None if rules is None else rules.can_fetch(USER_AGENT, url)

    def _load(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        rules = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        try:
            fetched = self._fetcher.fetch(f"{origin}/robots.txt", ROBOTS)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                rules.parse([])  # no robots.txt (RFC 9309: "unavailable"): everything allowed
                return rules
            log.warning("robots.txt of %s could not be read: %s", origin, exc)
            return None
        try:
            text = fetched.body.decode(fetched.charset or "utf-8", "replace")
        except LookupError:  # a charset Python does not know
            text = fetched.body.decode("utf-8", "replace")
        rules.parse(text.splitlines())
        return rules


def _validators(headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    return headers.get("etag"), headers.get("last-modified")


def _item_key(link: str) -> str:
    from .extract import canonical_url

    try:
        return canonical_url(link)
    except ValueError:
        return link.strip()


def _unexpected(exc: Exception) -> str:
    return f"unexpected error: {type(exc).__name__}: {exc}"
