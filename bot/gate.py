"""The one way the bot calls the engine: off the loop, under a timeout, a global cap and a cooldown.

``admit`` is synchronous so a refusal (cooldown, busy) is known before the interaction is deferred
and can be answered ephemerally at once; the slot it returns is held until the engine call really
ends, even when the caller has given up waiting, so the cap counts threads that are still busy.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import Busy, EngineTimeout, OnCooldown

log = logging.getLogger(__name__)

T = TypeVar("T")

# Until calls have been timed, a busy user is told to wait this long.
_DEFAULT_CALL_SECONDS = 5.0
_RECENT_CALLS = 20
# Forget cooldown stamps once this many users are tracked (the stale ones, at least).
_PRUNE_AT = 1024


class _Default:
    """The gate's own timeout (a sentinel, since None means no timeout)."""


DEFAULT = _Default()


class Slot:
    """A place under the cap (or outside it), used for one engine call."""

    def __init__(self, gate: Gate, capped: bool) -> None:
        self._gate = gate
        self._capped = capped
        self._started: float | None = None
        self._released = False

    def __enter__(self) -> Slot:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._started is None:
            self._release()

    async def call(
        self,
        fn: Callable[..., T],
        /,
        *args: Any,
        timeout: float | None | _Default = DEFAULT,
        **kwargs: Any,
    ) -> T:
        """Run ``fn(*args, **kwargs)`` in a worker thread; raise EngineTimeout after ``timeout``.

        The timeout defaults to the gate's (the question timeout); None waits as long as it takes.
        """
        if self._started is not None:
            raise RuntimeError("a slot runs one call")
        gate = self._gate
        if isinstance(timeout, _Default):
            timeout = gate.timeout_seconds
        self._started = gate.clock()
        future = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
        future.add_done_callback(self._finished)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            log.warning("engine call %s gave up after %.0f s", _name(fn), timeout)
            raise EngineTimeout(timeout or 0.0) from None

    def _finished(self, future: asyncio.Future[Any]) -> None:
        started = self._started if self._started is not None else self._gate.clock()
        if self._capped and not future.cancelled() and future.exception() is None:
            self._gate._record(self._gate.clock() - started)
        self._release()

    def _release(self) -> None:
        if not self._released:
            self._released = True
            if self._capped:
                self._gate._in_flight.remove(self)


class Gate:
    """Per-user cooldown and a global cap on concurrent engine calls."""

    def __init__(
        self,
        max_concurrent: int,
        cooldown_seconds: float,
        timeout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_concurrent = max(1, max_concurrent)
        self.cooldown_seconds = cooldown_seconds
        self.timeout_seconds = timeout_seconds
        self.clock = clock
        self._in_flight: list[Slot] = []
        self._durations: deque[float] = deque(maxlen=_RECENT_CALLS)
        self._last_use: dict[int, float] = {}

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def admit(self, user_id: int | None = None, *, capped: bool = True) -> Slot:
        """Reserve a slot; ``user_id`` subjects the call to the per-user cooldown.

        Raises OnCooldown or Busy without reserving anything.
        """
        now = self.clock()
        if user_id is not None and self.cooldown_seconds > 0:
            last = self._last_use.get(user_id)
            if last is not None and now - last < self.cooldown_seconds:
                raise OnCooldown(self.cooldown_seconds - (now - last))
        if capped and len(self._in_flight) >= self.max_concurrent:
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
        """Seconds until the first running call should end, from recent call durations."""
        now = self.clock() if now is None else now
        typical = (
            sorted(self._durations)[len(self._durations) // 2]
            if self._durations
            else _DEFAULT_CALL_SECONDS
        )
        running = [now - s._started for s in self._in_flight if s._started is not None]
        if not running:
            return max(1.0, math.ceil(typical))
        return max(1.0, math.ceil(typical - max(running)))

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
