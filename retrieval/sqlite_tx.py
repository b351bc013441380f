"""The one way the stores here write SQLite: a short transaction whose write lock is taken at
the start (BEGIN IMMEDIATE), so waiting for it is bounded by the busy timeout, and which rolls
back on any error."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def immediate(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
