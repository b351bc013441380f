"""One writer per store, across processes and threads.

Whoever changes the store (a reload, a rollback, a migration, a rebuild after damage) holds an
OS file lock (``flock``) on ``writer.lock`` in the store folder. A second writer waits a bounded
time, then is refused with the holder's pid. Readers never take it: a question is answered from
the generation the manifest names as current, whoever is writing the next one.

Chroma's embedded client keeps its vector indexes in memory per process and does not see what
another process wrote. So a long-lived process (the bot) notes what the store looked like after
its own last write (generations made and served, vector counts); when it takes the lock or
follows a switch and finds the store moved, it reopens its Chroma client first rather than
writing over, or answering from, a stale view.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = "writer.lock"
_POLL_SECONDS = 0.05


class ReloadInProgress(RuntimeError):
    """Another reload (or rollback, or rebuild) holds the store; only one writer at a time.

    ``holder`` names it ("pid 1234, reloading, since 05:40:12 UTC") when it could be read.
    """

    def __init__(self, message: str, holder: str | None = None):
        super().__init__(message)
        self.holder = holder


class WriterLock:
    """The store's writer lock; re-entrant within the thread that holds it."""

    def __init__(self, store_dir: Path):
        self.path = store_dir / LOCK_FILE
        self._thread_lock = threading.RLock()
        self._fd: int | None = None
        self._depth = 0

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> str | None:
        """What the lock file says about the process holding it, or None."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return None
        parts = text.split(" ", 2)
        if len(parts) < 3 or not parts[0].isdigit():
            return None
        pid, since, what = parts
        return f"pid {pid}, {what}, since {since[11:19]} UTC"

    @contextmanager
    def hold(self, what: str, wait: float = 0.0) -> Iterator[None]:
        """Hold the lock for ``what`` (e.g. "reloading"), waiting up to ``wait`` seconds."""
        self.acquire(what, wait)
        try:
            yield
        finally:
            self.release()

    def acquire(self, what: str, wait: float = 0.0) -> None:
        deadline = time.monotonic() + max(0.0, wait)
        taken = (
            self._thread_lock.acquire(timeout=wait)
            if wait > 0
            else self._thread_lock.acquire(blocking=False)
        )
        if not taken:
            raise self._busy(what)
        try:
            if self._depth == 0:
                self._fd = self._take(what, deadline)
            self._depth += 1
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fd, self._fd = self._fd, None
            # The note is informational; the lock itself goes with the descriptor.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)
        self._thread_lock.release()

    def _take(self, what: str, deadline: float) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._busy(what)
                time.sleep(min(_POLL_SECONDS, remaining))
            note = f"{os.getpid()} {datetime.now(UTC):%Y-%m-%dT%H:%M:%S} {what}\n".encode()
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, note, 0)
            except OSError:
                pass  # a full disk must not stop the writer that could report it
            return fd
        except BaseException:
            os.close(fd)
            raise

    def _busy(self, what: str) -> ReloadInProgress:
        holder = self.holder()
        who = f" ({holder})" if holder else ""
        return ReloadInProgress(
            f"cannot start {what}: a reload is already running{who}; try again when it ends",
            holder,
        )
