"""One writer per store, across processes and threads.

Whoever changes the store (a reload, a rollback, a migration, a rebuild after damage) holds an
OS file lock (``flock``) on ``writer.lock`` in the store folder, and with a Chroma server a
lease row on the server as well (``ServerLease``), for writers on other machines. A second
writer waits a bounded time, then is refused with the holder's pid. Readers never take it: a
question is answered from the generation the manifest names as current, whoever is writing
the next one.

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
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

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

    def __init__(self, store_dir: Path, lease: ServerLease | None = None):
        self.path = store_dir / LOCK_FILE
        # With a Chroma server, the lease there too: writers on other machines share no folder.
        self.lease = lease
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
                if self.lease is not None:
                    try:
                        self.lease.acquire(what, max(0.0, deadline - time.monotonic()))
                    except BaseException:
                        self._drop_file_lock()
                        raise
            self._depth += 1
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                if self.lease is not None:
                    try:
                        self.lease.release()
                    except Exception:  # noqa: BLE001 - it expires by itself
                        log.warning("could not release the writer lease; it expires by itself")
                self._drop_file_lock()
        finally:
            self._thread_lock.release()

    def _drop_file_lock(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        # The note is informational; the lock itself goes with the descriptor.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)

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
        return refusal(what, self.holder())


def refusal(what: str, holder: str | None) -> ReloadInProgress:
    """The one wording of "someone else is writing", naming the holder when known."""
    who = f" ({holder})" if holder else ""
    return ReloadInProgress(
        f"cannot start {what}: a reload is already running{who}; try again when it ends", holder
    )


class ServerLease:
    """The writer rule on a Chroma server several machines share: a lease row in a collection
    of its own (``<prefix>-writer``), renewed while held and expiring when its holder dies.

    Chroma has no compare-and-set, so taking the lease is write-then-confirm: a taker writes
    its token, waits ``settle`` seconds and reads it back; of two takers racing, the one whose
    write landed last keeps it and the other sees a foreign token and backs off. The window is
    the settle time, not the length of a reload.
    """

    ROW = "lease"

    def __init__(self, client, prefix: str, ttl: float = 60.0, settle: float = 0.3):
        self._collection = client.get_or_create_collection(
            f"{prefix}-writer", embedding_function=None
        )
        self._ttl = ttl
        self._settle = settle
        self._token = f"{os.getpid()}-{uuid.uuid4().hex}"
        self._renewer: threading.Thread | None = None
        self._stop = threading.Event()

    def holder(self) -> str | None:
        meta = self._read()
        if meta is None or float(meta.get("expires", 0)) < time.time():
            return None
        return str(meta.get("holder", "another process"))

    def acquire(self, what: str, wait: float = 0.0) -> None:
        deadline = time.monotonic() + max(0.0, wait)
        holder = f"pid {os.getpid()} on {socket.gethostname()}, {what}"
        while True:
            meta = self._read()
            free = meta is None or float(meta.get("expires", 0)) < time.time()
            if free or meta.get("token") == self._token:
                self._write(holder)
                time.sleep(self._settle)
                if (self._read() or {}).get("token") == self._token:
                    self._start_renewing(holder)
                    return
            if time.monotonic() >= deadline:
                raise refusal(what, self.holder())
            time.sleep(min(max(self._settle, _POLL_SECONDS), max(0.0, deadline - time.monotonic())))

    def release(self) -> None:
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        if (self._read() or {}).get("token") == self._token:
            self._collection.delete(ids=[self.ROW])

    def _start_renewing(self, holder: str) -> None:
        self._stop.clear()

        def renew() -> None:
            while not self._stop.wait(self._ttl / 3):
                try:
                    if (self._read() or {}).get("token") != self._token:
                        # Another writer took it: we outlived our ttl without renewing.
                        log.error("the writer lease was taken over while this process held it")
                        return
                    self._write(holder)
                except Exception:  # noqa: BLE001 - the server blinked; the next round retries
                    continue

        self._renewer = threading.Thread(target=renew, name="wirecheck-lease", daemon=True)
        self._renewer.start()

    def _read(self) -> dict | None:
        got = self._collection.get(ids=[self.ROW], include=["metadatas"])
        return dict(got["metadatas"][0] or {}) if got["ids"] else None

    def _write(self, holder: str) -> None:
        self._collection.upsert(
            ids=[self.ROW],
            embeddings=[[1.0]],
            metadatas=[
                {"token": self._token, "holder": holder, "expires": time.time() + self._ttl}
            ],
        )
