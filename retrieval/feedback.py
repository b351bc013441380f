"""Members' votes on answers and claim checks, in one small SQLite file beside the index.

``FeedbackStore(path)`` keeps each answer the bot gave (``record``) and one vote per member per
answer (``vote``); ``counts`` summarises them for moderators and ``export`` lists every vote.
A member is stored only as an HMAC of their id under a random secret kept in the database, so a
Discord id (enumerable) cannot be matched by hashing candidates without that secret.

Every call opens its own short connection (the bot calls from worker threads) and waits at most
``busy_timeout`` seconds for a lock; a locked, unreadable or full database raises
``FeedbackUnavailable`` and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .sqlite_tx import immediate

log = logging.getLogger(__name__)

FEEDBACK_FILE = "feedback.sqlite3"
SCHEMA_VERSION = 1
KINDS = ("ask", "check")
VOTES = ("up", "down", "wrong_source")
# A vote is a click: a member waits for its reply, so a lock held by someone else is not waited
# out for long. The store is tiny and writes take microseconds; 0.25 s covers normal contention.
DEFAULT_BUSY_TIMEOUT = 0.25
# How many of the answers voted down most ``counts`` lists.
DEFAULT_FLAGGED = 5

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE answers (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('ask', 'check')),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    article_ids TEXT NOT NULL,
    guild_id TEXT,
    channel_id TEXT,
    created TEXT NOT NULL
);
CREATE INDEX answers_by_guild ON answers (guild_id);
CREATE TABLE votes (
    key TEXT NOT NULL REFERENCES answers (key),
    user_hash TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down', 'wrong_source')),
    voted TEXT NOT NULL,
    PRIMARY KEY (key, user_hash)
);
"""
_SECRET = "user_hash_secret"


class FeedbackUnavailable(Exception):
    """The feedback database is locked by another writer, unreadable or not writable."""


class UnknownAnswer(LookupError):
    """A vote for an answer the store has no record of."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"no answer recorded under key {key!r}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _id_text(value: int | str | None) -> str | None:
    return None if value is None else str(value)


class FeedbackStore:
    """Answers and votes in ``path`` (created with its folder on first use)."""

    def __init__(
        self,
        path: Path | str,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Callable[[], str] = _now,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._clock = clock
        self._ready = False
        self._secret: bytes | None = None
        self._init_lock = threading.Lock()

    @classmethod
    def in_store(cls, store_dir: Path | str, **kwargs: Any) -> FeedbackStore:
        """The store the bot and the CLI share: ``<store_dir>/feedback.sqlite3``."""
        return cls(Path(store_dir) / FEEDBACK_FILE, **kwargs)

    # -- writing -------------------------------------------------------------------------------

    def record(
        self,
        key: str,
        kind: str,
        question: str,
        answer_text: str,
        article_ids: Sequence[str],
        guild_id: int | str | None = None,
        channel_id: int | str | None = None,
    ) -> None:
        """Keep an answer so votes on it can be counted with its question; recording the same
        key again replaces the answer and keeps its votes."""
        if not key:
            raise ValueError("an answer needs a key")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        row = (
            key,
            kind,
            question,
            answer_text,
            json.dumps([str(a) for a in article_ids]),
            _id_text(guild_id),
            _id_text(channel_id),
            self._clock(),
        )
        with self._write() as db:
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE"
                " SET kind = excluded.kind, question = excluded.question,"
                " answer = excluded.answer, article_ids = excluded.article_ids,"
                " guild_id = excluded.guild_id, channel_id = excluded.channel_id",
                row,
            )

    def vote(self, key: str, user_id: int | str, vote: str) -> str | None:
        """Record ``user_id``'s vote on the answer ``key``; returns the vote it replaced, or None.

        One vote per member per answer: voting again replaces it. The same vote again changes
        nothing and returns that vote, so the caller can say it was already counted. Raises
        ``UnknownAnswer`` for a key never recorded."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {', '.join(VOTES)}, not {vote!r}")
        with self._write() as db:
            user_hash = self._user_hash(db, user_id)
            if db.execute("SELECT 1 FROM answers WHERE key = ?", (key,)).fetchone() is None:
                raise UnknownAnswer(key)
            found = db.execute(
                "SELECT vote FROM votes WHERE key = ? AND user_hash = ?", (key, user_hash)
            ).fetchone()
            previous = found[0] if found else None
            if previous != vote:
                db.execute(
                    "INSERT INTO votes VALUES (?, ?, ?, ?) ON CONFLICT (key, user_hash)"
                    " DO UPDATE SET vote = excluded.vote, voted = excluded.voted",
                    (key, user_hash, vote, self._clock()),
                )
        return previous

    # -- reading -------------------------------------------------------------------------------

    def counts(
        self, guild_id: int | str | None = None, *, flagged: int = DEFAULT_FLAGGED
    ) -> dict[str, Any]:
        """Totals for one server (all servers with None): answers recorded, answers voted on,
        votes of each kind, distinct voters, and ``flagged``: the answers with most 👎 and
        wrong-source votes (key, kind, question, channel, created and their vote counts)."""
        where, args = (
            ("WHERE a.guild_id = ?", (str(guild_id),)) if guild_id is not None else ("", ())
        )
        with self._read() as db:
            answers = db.execute(f"SELECT count(*) FROM answers a {where}", args).fetchone()[0]
            totals = dict.fromkeys(VOTES, 0)
            for vote, n in db.execute(
                f"SELECT v.vote, count(*) FROM votes v JOIN answers a USING (key) {where}"
                " GROUP BY v.vote",
                args,
            ):
                totals[vote] = n
            voted, voters = db.execute(
                "SELECT count(DISTINCT v.key), count(DISTINCT v.user_hash)"
                f" FROM votes v JOIN answers a USING (key) {where}",
                args,
            ).fetchone()
            worst = db.execute(
                "SELECT a.key, a.kind, a.question, a.channel_id, a.created,"
                " sum(v.vote = 'up'), sum(v.vote = 'down'), sum(v.vote = 'wrong_source')"
                f" FROM votes v JOIN answers a USING (key) {where}"
                " GROUP BY a.key HAVING sum(v.vote != 'up') > 0"
                " ORDER BY sum(v.vote != 'up') DESC, sum(v.vote = 'up') ASC, a.created DESC"
                " LIMIT ?",
                (*args, flagged),
            ).fetchall()
        return {
            "answers": answers,
            "voted_answers": voted,
            "votes": sum(totals.values()),
            **totals,
            "voters": voters,
            "flagged": [
                {
                    "key": key,
                    "kind": kind,
                    "question": question,
                    "channel_id": channel_id,
                    "created": created,
                    "up": up,
                    "down": down,
                    "wrong_source": wrong,
                }
                for key, kind, question, channel_id, created, up, down, wrong in worst
            ],
        }

    def export(self) -> list[dict[str, Any]]:
        """Every vote, newest first, with the answer it is about (member ids only hashed)."""
        with self._read() as db:
            rows = db.execute(
                "SELECT v.key, a.kind, a.question, a.answer, a.article_ids, a.guild_id,"
                " a.channel_id, a.created, v.user_hash, v.vote, v.voted"
                " FROM votes v JOIN answers a USING (key)"
                " ORDER BY v.voted DESC, v.rowid DESC"
            ).fetchall()
        return [
            {
                "key": key,
                "kind": kind,
                "question": question,
                "answer": answer,
                "article_ids": json.loads(article_ids),
                "guild_id": guild_id,
                "channel_id": channel_id,
                "answered": created,
                "user_hash": user_hash,
                "vote": vote,
                "voted": voted,
            }
            for (
                key,
                kind,
                question,
                answer,
                article_ids,
                guild_id,
                channel_id,
                created,
                user_hash,
                vote,
                voted,
            ) in rows
        ]

    # -- connections ---------------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection (callers run in different threads), with every database or disk
        failure, locks included, turned into FeedbackUnavailable."""
        try:
            self._ensure_schema()
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            with closing(db):
                yield db
        except sqlite3.OperationalError as exc:
            raise FeedbackUnavailable(self._why(exc)) from exc
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            raise FeedbackUnavailable(self._why(exc)) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so waiting for it is bounded by the busy
        # timeout; a read upgraded to a write later would fail at once under contention.
        with self._connection() as db, immediate(db):
            yield db

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as db:
            db.execute("BEGIN")  # one snapshot for all the queries of a read
            try:
                yield db
            finally:
                db.rollback()

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        with self._init_lock:
            if self._ready:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            with closing(db):
                # Read first: an existing store is used without taking the write lock, so a
                # reader is not turned away while someone else writes.
                if self._version(db) != SCHEMA_VERSION:
                    # WAL: /feedback and exports read while a vote is being written.
                    db.execute("PRAGMA journal_mode=WAL")
                    with immediate(db):
                        self._migrate(db)
            self._ready = True

    def _version(self, db: sqlite3.Connection) -> int:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise FeedbackUnavailable(
                f"{self.path} was written by a newer Wirecheck (schema {version}, "
                f"this one knows {SCHEMA_VERSION})"
            )
        return version

    def _migrate(self, db: sqlite3.Connection) -> None:
        if self._version(db) == 0:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES (?, ?)", (_SECRET, secrets.token_hex(32)))
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            log.info("created the feedback store %s", self.path)

    def _user_hash(self, db: sqlite3.Connection, user_id: int | str) -> str:
        if self._secret is None:
            found = db.execute("SELECT value FROM meta WHERE name = ?", (_SECRET,)).fetchone()
            if found is None:
                raise FeedbackUnavailable(f"{self.path} has no member-hash secret")
            self._secret = bytes.fromhex(found[0])
        return hmac.new(self._secret, str(user_id).encode(), hashlib.sha256).hexdigest()

    def _why(self, exc: BaseException) -> str:
        return f"the feedback store {self.path} is unavailable: {exc}"
