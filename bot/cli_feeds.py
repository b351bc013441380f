"""``wirecheck feeds add|list|remove|poll`` and ``wirecheck watch`` (README "Feeds").

``watch`` is its own process for the scale-out setup: it polls the feeds on their schedule until
SIGINT or SIGTERM, reloading the index once per round that added articles; a running bot follows
the switch (``follow_index``). With --json, stdout holds only JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from retrieval import Engine, ReloadFailed, ReloadInProgress, Settings, StoreUnavailable

from .progress import stderr_progress
from .terminal import json_line, terminal_safe

if TYPE_CHECKING:
    from retrieval import RoundReport

# The feed functions (and with them the fetcher) load when a feeds command runs, not for `ask`.

log = logging.getLogger(__name__)

# Between two rounds of `watch` at least this long, so a backlog left by the per-round cap is
# fetched a round per minute (as the bot's scheduler does), not in a tight loop.
MIN_PAUSE_SECONDS = 60.0
_INDEX_TROUBLE = (ReloadFailed, ReloadInProgress, StoreUnavailable)


def make_engine(settings: Settings) -> Engine:
    """The engine a round's reload goes through (tests put a light one here)."""
    return Engine(settings)


def add_parsers(sub: Any) -> None:
    """Add ``feeds`` and ``watch`` to the ``wirecheck`` subcommands."""
    from .cli import _common  # cli is fully loaded when it calls us

    feeds = sub.add_parser("feeds", help="the feeds polled for new articles")
    actions = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="register RSS, Atom or JSON feeds")
    add.add_argument("urls", nargs="+", metavar="URL", help="feed URLs")
    _common(add)
    listing = actions.add_parser("list", help="the registered feeds and their state")
    _common(listing)
    remove = actions.add_parser("remove", help="stop polling feeds (their articles stay)")
    remove.add_argument("urls", nargs="+", metavar="URL", help="feed URLs")
    _common(remove)
    poll = actions.add_parser("poll", help="run one poll round now, then update the index")
    poll.add_argument("--all", action="store_true", help="poll every feed, due or not")
    _index_flag(poll)
    _common(poll)

    watch = sub.add_parser("watch", help="poll the feeds on their schedule until stopped")
    _index_flag(watch)
    _common(watch)


def _index_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-index", action="store_true", help="only write the files; do not update the index"
    )


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    return _ACTIONS[args.feeds_command](args, settings)


def _add(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import add_feed

    return _each_url(args, lambda url: add_feed(settings, url, added_by="cli"), "added")


def _remove(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import remove_feed

    return _each_url(args, lambda url: remove_feed(settings, url), "removed")


def _each_url(args: argparse.Namespace, act: Callable[[str], Any], done: str) -> int:
    from retrieval import FeedError, FeedExists

    out: dict[str, list[Any]] = {done: [], "failed": []}
    for url in args.urls:
        try:
            feed = act(url)
        except FeedExists as exc:
            out.setdefault("existing", []).append(url)
            line = f"already    {exc}"
        except FeedError as exc:
            out["failed"].append({"url": url, "reason": str(exc)})
            line = f"failed     {exc}"
        else:
            out[done].append(feed.to_json())
            line = f"{done:10} {feed.url}"
        if not args.json:
            print(terminal_safe(line))
    if args.json:
        print(json_line(out))
    return 1 if out["failed"] else 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import FeedError, list_feeds

    try:
        feeds = list_feeds(settings)
    except FeedError as exc:
        print(terminal_safe(f"error: {exc}"), file=sys.stderr)
        return 1
    if args.json:
        print(json_line([feed.to_json() for feed in feeds]))
        return 0
    if not feeds:
        print("no feeds registered (add one with `wirecheck feeds add URL`)")
    for feed in feeds:
        state = f"failing x{feed.failures}: {feed.last_error}" if feed.failures else "ok"
        polled = feed.last_polled or "never"
        print(
            terminal_safe(
                f"{feed.url}\n    next poll {feed.next_due} · last polled {polled} "
                f"({feed.last_new} new) · {state} · added by {feed.added_by}"
            )
        )
    return 0


def _poll(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import FeedError, poll_round

    try:
        report = poll_round(settings, due_only=not args.all)
    except FeedError as exc:
        print(terminal_safe(f"error: {exc}"), file=sys.stderr)
        return 1
    out: dict[str, Any] = report.to_json()
    if not args.json:
        _print_report(report)
    failed = report.count("failed") > 0
    if report.changed and not args.no_index:
        try:
            with make_engine(settings) as engine:
                index = engine.reload(progress=stderr_progress())
        except _INDEX_TROUBLE as exc:
            print(terminal_safe(f"error: {exc}; the articles are saved"), file=sys.stderr)
            out["index_error"] = str(exc)
            failed = True
        else:
            out["index"] = index.to_json()
            print(index.summary(), file=sys.stderr)
    if args.json:
        print(json_line(out))
    return 1 if failed else 0


def _print_report(report: RoundReport) -> None:
    for result in report.feeds:
        print(terminal_safe(f"{result.url}: {result.describe()}"))
        for item in result.items:
            print(terminal_safe(f"    {item.status:9}  {item.article_id}  {item.title}"))
    print(report.summary())


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    if not args.verbose:
        # A service, like `run`: its round summaries are the point of its stderr.
        for name in ("retrieval", "bot"):
            logging.getLogger(name).setLevel(logging.INFO)
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        watch(settings, stop, as_json=args.json, index=not args.no_index)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("watch stopped")
    return 0


def watch(settings: Settings, stop: threading.Event, *, as_json: bool, index: bool) -> None:
    """Rounds until ``stop`` is set; one reload per round that changed the corpus (or after a
    reload that could not run), on one engine loaded when first needed."""
    from retrieval import FeedError, RoundReport, poll_round

    engine: Engine | None = None
    pending = False
    try:
        while not stop.is_set():
            try:
                report = poll_round(settings)
            except FeedError as exc:
                log.warning("the feed round did not run: %s", exc)
                report = RoundReport()
            out: dict[str, Any] = report.to_json()
            if index and (report.changed or pending):
                engine = engine or make_engine(settings)
                try:
                    reloaded = engine.reload()
                except _INDEX_TROUBLE as exc:
                    log.warning("index not updated (%s); trying again next round", exc)
                    out["index_error"] = str(exc)
                    pending = True
                else:
                    log.info("index: %s", reloaded.summary())
                    out["index"] = reloaded.to_json()
                    pending = False
            if as_json and report.feeds:
                print(json_line(out), flush=True)
            stop.wait(pause_seconds(settings))
    finally:
        if engine is not None:
            engine.close()


def pause_seconds(settings: Settings, now: dt.datetime | None = None) -> float:
    """Until the next feed is due, at least MIN_PAUSE_SECONDS and at most one interval."""
    from retrieval import FeedError, next_poll

    interval = settings.feed_interval_minutes * 60
    try:
        due = next_poll(settings)
    except FeedError as exc:
        log.warning("could not read the feed registry: %s", exc)
        return interval
    if due is None:
        return interval
    wait = (due - (now or dt.datetime.now(dt.UTC))).total_seconds()
    return min(max(wait, MIN_PAUSE_SECONDS), max(interval, MIN_PAUSE_SECONDS))


_ACTIONS = {"add": _add, "list": _list, "remove": _remove, "poll": _poll}
HANDLERS = {"feeds": cmd_feeds, "watch": cmd_watch}
