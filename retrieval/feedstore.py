"""The feed registry in ``<store>/feeds.sqlite3``: the feeds polled, their HTTP validators and
schedule, and the items each feed has already given us.

WAL lets a poll round write while another process lists feeds; writes take the lock up front
(``BEGIN IMMEDIATE``) and wait at most ``BUSY_TIMEOUT_SECONDS``, so a database another process
holds locked is a FeedError saying so, never a hang. No transaction is held across a fetch.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .sqlite_tx import immediate

FILENAME = "feeds.sqlite3"
SCHEMA_VERSION = 1
# Long enough for another process's short write to finish, short enough to answer a moderator.
BUSY_TIMEOUT_SECONDS = 2.0
# Item states that are final: the item is never fetched again for this feed.
DONE = frozenset({"added", "known", "robots", "gave_up"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    next_due TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_polled TEXT,
    last_new INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS feeds_by_due ON feeds (next_due);
CREATE TABLE IF NOT EXISTS items (
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (feed_id, item)
);
"""
_FEED_COLUMNS = (
    "id, url, added_at, added_by, etag, last_modified, next_due, failures, last_error, "
    "last_polled, last_new"
)


class FeedError(Exception):
    """A feed operation that cannot be done (bad URL, unknown feed, registry locked or broken);
    the message says why."""


class FeedExists(FeedError):
    """The feed is registered already."""


class RegistryUnavailable(FeedError):
    """The registry database is locked by another process, or cannot be opened or written."""


@dataclass(frozen=True)
class Feed:
    """One registered feed. Times are ISO 8601 in UTC."""

    url: str
    added_at: str
    added_by: str
    next_due: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0  # consecutive failed polls
    last_error: str | None = None
    last_polled: str | None = None
    last_new: int = 0  # articles the last successful poll added
    id: int = 0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        del out["id"]
        return out


def stamp(when: dt.datetime) -> str:
    """The one text form of a time in the registry; these sort as the times do."""
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")


class Registry:
    """One connection to the registry; use as a context manager (``Registry.open``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._translated():
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            with self._translated():
                self._db.row_factory = sqlite3.Row
                self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
                self._db.execute("PRAGMA foreign_keys = ON")
                if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._db.execute("PRAGMA journal_mode = WAL")
                # Only a new registry is written to here, so opening one to read takes no lock.
                if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    with self.writing() as db:
                        for statement in filter(str.strip, _SCHEMA.split(";")):
                            db.execute(statement)
                        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def at(cls, store_dir: Path) -> Registry:
        return cls(store_dir / FILENAME)

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if "locked" in text or "busy" in text:
                raise RegistryUnavailable(
                    f"the feed registry {self.path} is locked by another process; "
                    "try again in a moment"
                ) from None
            raise RegistryUnavailable(
                f"the feed registry {self.path} cannot be used ({exc})"
            ) from None
        except (sqlite3.Error, OSError) as exc:
            raise RegistryUnavailable(
                f"the feed registry {self.path} cannot be used ({exc})"
            ) from None

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction, its lock taken at the start."""
        with self._translated(), immediate(self._db) as db:
            yield db

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._translated():
            return self._db.execute(sql, args).fetchall()

    # -- feeds -------------------------------------------------------------------------------

    def add(self, url: str, added_by: str, now: dt.datetime) -> Feed:
        with self.writing() as db:
            if db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone():
                raise FeedExists(f"{url} is registered already")
            db.execute(
                "INSERT INTO feeds (url, added_at, added_by, next_due) VALUES (?, ?, ?, ?)",
                (url, stamp(now), added_by, stamp(now)),
            )
        feed = self.get(url)
        assert feed is not None
        return feed

    def remove(self, url: str) -> Feed:
        with self.writing() as db:
            row = db.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
            if row is None:
                raise FeedError(f"no feed {url} is registered (see `wirecheck feeds list`)")
            db.execute("DELETE FROM feeds WHERE id = ?", (row["id"],))
        return _feed(row)

    def get(self, url: str) -> Feed | None:
        rows = self._read(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,))
        return _feed(rows[0]) if rows else None

    def feeds(self) -> list[Feed]:
        return [_feed(r) for r in self._read(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY id")]

    def earliest_due(self) -> str | None:
        rows = self._read("SELECT min(next_due) FROM feeds")
        return rows[0][0] if rows else None

    def claim(self, now: dt.datetime, lease_until: dt.datetime, everything: bool) -> list[Feed]:
        """The feeds due (or all), most overdue first, with their next poll moved to
        ``lease_until`` so that a round in another process does not poll them too. The Feed
        objects keep the due time they had."""
        with self.writing() as db:
            where = "" if everything else "WHERE next_due <= ?"
            args = () if everything else (stamp(now),)
            rows = db.execute(
                f"SELECT {_FEED_COLUMNS} FROM feeds {where} ORDER BY next_due, id", args
            ).fetchall()
            db.executemany(
                "UPDATE feeds SET next_due = ? WHERE id = ?",
                [(stamp(lease_until), r["id"]) for r in rows],
            )
        return [_feed(r) for r in rows]

    def release(self, feed: Feed) -> None:
        """Give a claimed feed back unpolled: it is as due as it was."""
        with self.writing() as db:
            db.execute("UPDATE feeds SET next_due = ? WHERE id = ?", (feed.next_due, feed.id))

    def polled(
        self,
        feed: Feed,
        now: dt.datetime,
        next_due: dt.datetime,
        *,
        error: str | None = None,
        new: int = 0,
        validators: tuple[str | None, str | None] | None = None,
    ) -> None:
        """Record a poll: a failure (``error``) counts; a success resets the count and, with
        ``validators`` (ETag, Last-Modified), stores them for the next conditional GET."""
        with self.writing() as db:
            if error is not None:
                db.execute(
                    "UPDATE feeds SET failures = failures + 1, last_error = ?, last_polled = ?, "
                    "next_due = ? WHERE id = ?",
                    (error, stamp(now), stamp(next_due), feed.id),
                )
                return
            db.execute(
                "UPDATE feeds SET failures = 0, last_error = NULL, last_polled = ?, "
                "next_due = ?, last_new = ? WHERE id = ?",
                (stamp(now), stamp(next_due), new, feed.id),
            )
            if validators is not None:
                db.execute(
                    "UPDATE feeds SET etag = ?, last_modified = ? WHERE id = ?",
                    (*validators, feed.id),
                )

    # -- items -------------------------------------------------------------------------------

    def items(self, feed: Feed) -> dict[str, tuple[str, int]]:
        """item -> (status, attempts) for every item the feed has given us."""
        rows = self._read("SELECT item, status, attempts FROM items WHERE feed_id = ?", (feed.id,))
        return {r["item"]: (r["status"], r["attempts"]) for r in rows}

    def mark(self, feed: Feed, item: str, status: str, now: dt.datetime) -> None:
        with self.writing() as db:
            db.execute(
                "INSERT INTO items (feed_id, item, status, attempts, first_seen) "
                "VALUES (?, ?, ?, 0, ?) ON CONFLICT (feed_id, item) DO UPDATE SET status = ?",
                (feed.id, item, status, stamp(now), status),
            )

    def failed_item(self, feed: Feed, item: str, now: dt.datetime, give_up_after: int) -> int:
        """Count a failed fetch of ``item``; past ``give_up_after`` it is given up. Returns the
        attempts so far."""
        with self.writing() as db:
            db.execute(
                "INSERT INTO items (feed_id, item, status, attempts, first_seen) "
                "VALUES (?, ?, 'failed', 1, ?) "
                "ON CONFLICT (feed_id, item) DO UPDATE SET attempts = attempts + 1",
                (feed.id, item, stamp(now)),
            )
            (attempts,) = db.execute(
                "SELECT attempts FROM items WHERE feed_id = ? AND item = ?", (feed.id, item)
            ).fetchone()
            if attempts >= give_up_after:
                db.execute(
                    "UPDATE items SET status = 'gave_up' WHERE feed_id = ? AND item = ?",
                    (feed.id, item),
                )
        return attempts


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        added_at=row["added_at"],
        added_by=row["added_by"],
        next_due=row["next_due"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        failures=row["failures"],
        last_error=row["last_error"],
        last_polled=row["last_polled"],
        last_new=row["last_new"],
    )
