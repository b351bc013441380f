"""The one way the bot calls the engine: off the loop, under a timeout, a cap and a cooldown.

At most ``max_concurrent`` capped engine calls run at once; up to ``max_waiting`` more wait their
turn, first come first served, and past that a call is refused as busy. ``admit`` is synchronous
so a refusal (cooldown, busy) is known before the interaction is deferred and can be answered
ephemerally at once; an admitted call waits (behind the "thinking…" indicator) in ``Slot.call``.
The timeout covers waiting and running. A running call holds its turn until its worker thread
really ends, even when the caller has given up waiting, so the cap counts threads still busy.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import Busy, EngineTimeout, OnCooldown

log = logging.getLogger(__name__)

T = TypeVar("T")

# Until calls have been timed, each is assumed to take this long when telling a user to wait.
_DEFAULT_CALL_SECONDS = 5.0
_RECENT_CALLS = 20
# Forget cooldown stamps once this many users are tracked (the stale ones, at least).
_PRUNE_AT = 1024


class _Default:
    """The gate's own timeout (a sentinel, since None means no timeout)."""


DEFAULT = _Default()


class Slot:
    """A place in the gate (or outside it, uncapped), used for one engine call."""

    def __init__(self, gate: Gate, capped: bool) -> None:
        self._gate = gate
        self._capped = capped
        self._called = False
        self._has_turn = False
        self._future: asyncio.Future[Any] | None = None
        self._started: float | None = None
        self._released = False

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._future is None:
            self._release()

    async def call(
        self,
        fn: Callable[..., T],
        /,
        *args: Any,
        timeout: float | None | _Default = DEFAULT,
        **kwargs: Any,
    ) -> T:
        """Wait for a turn, then run ``fn(*args, **kwargs)`` in a worker thread.

        Raises EngineTimeout once ``timeout`` has passed, waiting and running together; a call
        still waiting then never starts. The timeout defaults to the gate's (the question
        timeout); None waits as long as it takes.
        """
        if self._called:
            raise RuntimeError("a slot runs one call")
        self._called = True
        if isinstance(timeout, _Default):
            timeout = self._gate.timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                if self._capped:
                    await self._gate._take_turn()
                    self._has_turn = True
                return await asyncio.shield(self._start(fn, *args, **kwargs))
        except TimeoutError:
            state = "waiting" if self._future is None else "running"
            log.warning("engine call %s gave up %s after %.0f s", _name(fn), state, timeout)
            raise EngineTimeout(timeout or 0.0) from None
        finally:
            if self._future is None:
                self._release()

    def _start(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> asyncio.Future[T]:
        self._started = self._gate.clock()
        self._future = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
        self._future.add_done_callback(self._finished)
        return self._future

    def _finished(self, future: asyncio.Future[Any]) -> None:
        started = self._started if self._started is not None else self._gate.clock()
        if self._capped and not future.cancelled() and future.exception() is None:
            self._gate._record(self._gate.clock() - started)
        self._release()

    def _release(self) -> None:
        if self._released:
            return
        self._released = True
        if self._capped:
            self._gate._in_flight.remove(self)
        if self._has_turn:
            self._gate._end_turn()


class Gate:
    """Per-user cooldown, a cap on concurrent engine calls and a short line waiting for it."""

    def __init__(
        self,
        max_concurrent: int,
        cooldown_seconds: float,
        timeout_seconds: float,
        *,
        max_waiting: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_concurrent = max(1, max_concurrent)
        self.max_waiting = max(0, max_waiting)
        self.cooldown_seconds = cooldown_seconds
        self.timeout_seconds = timeout_seconds
        self.clock = clock
        self._in_flight: list[Slot] = []
        self._turns_taken = 0
        # A turn is handed over by resolving the first waiter's future, as asyncio.Semaphore
        # does; the cap is read on every turn, so it can be changed on a live gate.
        self._line: deque[asyncio.Future[None]] = deque()
        self._durations: deque[float] = deque(maxlen=_RECENT_CALLS)
        self._last_use: dict[int, float] = {}

    @property
    def in_flight(self) -> int:
        """Capped calls admitted and not yet finished: running or waiting."""
        return len(self._in_flight)

    @property
    def running(self) -> int:
        """Capped calls holding a turn: their worker thread has started (or is about to) and not
        yet ended."""
        return self._turns_taken

    @property
    def waiting(self) -> int:
        """Capped calls admitted whose worker thread has not started yet."""
        return len(self._in_flight) - len(self._start_times())

    def admit(self, user_id: int | None = None, *, capped: bool = True) -> Slot:
        """Reserve a place, running or waiting; ``user_id`` subjects the call to the cooldown.

        Raises OnCooldown or Busy without reserving anything.
        """
        now = self.clock()
        if user_id is not None and self.cooldown_seconds > 0:
            last = self._last_use.get(user_id)
            if last is not None and now - last < self.cooldown_seconds:
                raise OnCooldown(self.cooldown_seconds - (now - last))
        if capped and len(self._in_flight) >= self.max_concurrent + self.max_waiting:
            raise Busy(self.busy_for(now))
        slot = Slot(self, capped)
        if capped:
            self._in_flight.append(slot)
        if user_id is not None and self.cooldown_seconds > 0:
            self._stamp(user_id, now)
        return slot

    async def call(
        self,
        fn: Callable[..., T],
        /,
        *args: Any,
        user_id: int | None = None,
        capped: bool = True,
        timeout: float | None | _Default = DEFAULT,
        **kwargs: Any,
    ) -> T:
        """``admit`` and ``call`` in one step, for callers with nothing to do in between."""
        with self.admit(user_id, capped=capped) as slot:
            return await slot.call(fn, *args, timeout=timeout, **kwargs)

    def busy_for(self, now: float | None = None) -> float:
        """Seconds until a call admitted now would start running.

        The running calls end when the median of recent durations says they should, then the
        calls admitted before it take their turns in order, each lasting that median.
        """
        now = self.clock() if now is None else now
        typical = (
            sorted(self._durations)[len(self._durations) // 2]
            if self._durations
            else _DEFAULT_CALL_SECONDS
        )
        started = self._start_times()
        free_at = [max(0.0, typical - (now - t)) for t in started]
        free_at += [0.0] * (self.max_concurrent - len(free_at))
        heapq.heapify(free_at)
        for _ in range(len(self._in_flight) - len(started)):
            heapq.heapreplace(free_at, free_at[0] + typical)
        return max(1.0, math.ceil(free_at[0]))

    def _start_times(self) -> list[float]:
        return [s._started for s in self._in_flight if s._started is not None]

    async def _take_turn(self) -> None:
        """Wait, first come first served, until fewer than ``max_concurrent`` calls run."""
        if self._turns_taken < self.max_concurrent and not self._line:
            self._turns_taken += 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._line.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if not turn.cancelled():
                self._end_turn()  # handed a turn just as it gave up: pass it on
            elif turn in self._line:
                self._line.remove(turn)
            raise

    def _end_turn(self) -> None:
        self._turns_taken -= 1
        while self._line and self._turns_taken < self.max_concurrent:
            turn = self._line.popleft()
            if not turn.done():
                self._turns_taken += 1
                turn.set_result(None)

    def _record(self, seconds: float) -> None:
        self._durations.append(seconds)

    def _stamp(self, user_id: int, now: float) -> None:
        if len(self._last_use) >= _PRUNE_AT:
            stale = [u for u, t in self._last_use.items() if now - t >= self.cooldown_seconds]
            for u in stale:
                del self._last_use[u]
        self._last_use[user_id] = now


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
