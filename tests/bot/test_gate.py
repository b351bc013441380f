"""Per-user cooldown, the cap on running engine calls and the line waiting for it, through /ask
and on the Gate itself."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable

import pytest
from bot_helpers import Recorder, invoke, make_interaction, make_member, text_sent

from bot.errors import Busy, EngineTimeout, OnCooldown
from bot.gate import Gate


def _refusal(recorder: Recorder) -> str:
    (sent,) = recorder.calls
    assert sent.name == "response.send_message"
    assert sent.kwargs["ephemeral"] is True
    return text_sent(sent)


async def _until(condition: Callable[[], bool]) -> None:
    """Let other tasks run until ``condition`` holds (loop turns, not wall-clock time)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


async def _until_thread(event: threading.Event) -> None:
    assert await asyncio.to_thread(event.wait, 5)


class Work:
    """Engine calls that block until released, counting how many run at once."""

    def __init__(self) -> None:
        self.started: dict[str, threading.Event] = {}
        self.release: dict[str, threading.Event] = {}
        self.order: list[str] = []
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def expect(self, *names: str) -> None:
        for name in names:
            self.started[name] = threading.Event()
            self.release[name] = threading.Event()

    def __call__(self, name: str) -> str:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.order.append(name)
        self.started[name].set()
        self.release[name].wait(5)
        with self._lock:
            self.running -= 1
        return name

    def release_all(self) -> None:
        for event in self.release.values():
            event.set()


@pytest.fixture
def work() -> Work:
    work = Work()
    yield work
    work.release_all()  # no worker thread outlives its test


# -- cooldown ----------------------------------------------------------------------------------


async def test_second_ask_within_the_cooldown_is_refused_and_never_reaches_the_engine(bot, engine):
    now = [1000.0]
    bot.gate.clock = lambda: now[0]
    bot.gate.cooldown_seconds = 30
    user = make_member()
    await invoke(bot, make_interaction(bot, Recorder(), user=user), "ask", question="One?")
    now[0] += 2.5
    again = Recorder()
    await invoke(bot, make_interaction(bot, again, user=user), "ask", question="Two?")
    text = _refusal(again)
    seconds = int(re.search(r"try again in (\d+) s", text, re.I)[1])
    assert seconds == 28  # 27.5 s left, rounded up
    assert engine.calls == [("ask", ("One?",))]


async def test_cooldown_of_one_user_does_not_affect_another(bot, engine):
    bot.gate.cooldown_seconds = 30
    await invoke(bot, make_interaction(bot, Recorder()), "ask", question="One?")
    other = Recorder()
    await invoke(bot, make_interaction(bot, other), "ask", question="Two?")
    assert other.names == ["response.defer", "followup.send"]
    assert engine.called("ask") == 2


async def test_check_shares_the_ask_cooldown(bot, engine):
    bot.gate.cooldown_seconds = 30
    user = make_member()
    await invoke(bot, make_interaction(bot, Recorder(), user=user), "ask", question="One?")
    again = Recorder()
    await invoke(bot, make_interaction(bot, again, user=user), "check", claim="A claim.")
    assert "try again in" in _refusal(again).lower()
    assert engine.called("check") == 0


async def test_a_refused_admission_does_not_start_the_cooldown():
    gate = Gate(max_concurrent=1, cooldown_seconds=30, timeout_seconds=5)
    held = gate.admit()
    with pytest.raises(Busy):
        gate.admit(user_id=7)
    held._release()
    gate.admit(user_id=7)
    with pytest.raises(OnCooldown):
        gate.admit(user_id=7)


async def test_a_call_admitted_to_wait_starts_the_cooldown_like_a_running_one():
    gate = Gate(max_concurrent=1, cooldown_seconds=30, timeout_seconds=5, max_waiting=1)
    gate.admit(user_id=1)
    gate.admit(user_id=7)
    assert gate.waiting == 2  # neither has called yet
    with pytest.raises(OnCooldown):
        gate.admit(user_id=7)


# -- the cap and the line, through /ask --------------------------------------------------------


async def test_ask_past_the_cap_is_deferred_at_once_and_answered_after_the_first(bot, engine):
    bot.gate.max_concurrent, bot.gate.max_waiting = 1, 1
    engine.hang = True
    first = asyncio.create_task(
        invoke(bot, make_interaction(bot, Recorder()), "ask", question="One?")
    )
    await _until_thread(engine.started)
    second = Recorder()
    waiting = asyncio.create_task(
        invoke(bot, make_interaction(bot, second), "ask", question="Two?")
    )
    await _until(lambda: bot.gate.waiting == 1 and second.names == ["response.defer"])
    assert engine.called("ask") == 1
    engine.released.set()
    await asyncio.gather(first, waiting)
    assert second.names == ["response.defer", "followup.send"]
    assert engine.calls == [("ask", ("One?",)), ("ask", ("Two?",))]


async def test_full_line_tells_the_next_user_busy_try_again_in_n_seconds(bot, engine):
    bot.gate.max_concurrent, bot.gate.max_waiting = 1, 1
    engine.hang = True
    first = asyncio.create_task(
        invoke(bot, make_interaction(bot, Recorder()), "ask", question="One?")
    )
    await _until_thread(engine.started)
    second = asyncio.create_task(
        invoke(bot, make_interaction(bot, Recorder()), "ask", question="Two?")
    )
    await _until(lambda: bot.gate.waiting == 1)
    third = Recorder()
    await invoke(bot, make_interaction(bot, third), "ask", question="Three?")
    assert re.search(r"busy.*try again in \d+ s", _refusal(third), re.I | re.S)
    engine.released.set()
    await asyncio.gather(first, second)
    assert [args for _, args in engine.calls] == [("One?",), ("Two?",)]


# -- the cap and the line, on the Gate ---------------------------------------------------------


async def test_a_waiting_call_runs_after_the_running_one_and_never_beside_it(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=1)
    work.expect("first", "second")
    first = asyncio.create_task(gate.call(work, "first"))
    await _until_thread(work.started["first"])
    second = asyncio.create_task(gate.call(work, "second"))
    await _until(lambda: gate.waiting == 1)
    assert (gate.running, work.order) == (1, ["first"])
    work.release["first"].set()
    await _until_thread(work.started["second"])
    work.release["second"].set()
    assert await asyncio.gather(first, second) == ["first", "second"]
    assert work.peak == 1
    assert (gate.in_flight, gate.running) == (0, 0)


async def test_waiting_calls_take_their_turns_in_the_order_they_came(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=3)
    names = ["first", "second", "third", "fourth"]
    work.expect(*names)
    work.release_all()
    work.release["first"].clear()
    calls = [asyncio.create_task(gate.call(work, name)) for name in names]
    await _until_thread(work.started["first"])
    await _until(lambda: gate.waiting == 3)
    work.release["first"].set()
    assert await asyncio.gather(*calls) == names
    assert work.order == names
    assert work.peak == 1


async def test_a_call_past_the_line_is_refused_busy_with_a_positive_retry_estimate(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=1)
    work.expect("first")
    first = asyncio.create_task(gate.call(work, "first"))
    await _until_thread(work.started["first"])
    gate.admit()
    with pytest.raises(Busy) as refused:
        gate.admit()
    assert refused.value.retry_after >= 1
    work.release["first"].set()
    await first


async def test_a_waiting_call_that_times_out_never_runs_and_frees_its_place(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=1)
    work.expect("first", "late")
    first = asyncio.create_task(gate.call(work, "first"))
    await _until_thread(work.started["first"])
    late = gate.admit()
    with pytest.raises(EngineTimeout):
        await late.call(work, "late", timeout=0.05)
    assert (gate.in_flight, gate.waiting) == (1, 0)  # freed by the call, not by a with block
    gate.admit()  # the place it held is free again
    work.release["first"].set()
    await first
    assert work.order == ["first"]


async def test_the_timeout_counts_the_wait_and_the_run_together(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=1)
    work.expect("first", "second")
    first = asyncio.create_task(gate.call(work, "first"))
    await _until_thread(work.started["first"])
    loop = asyncio.get_running_loop()
    began = loop.time()
    second = asyncio.create_task(gate.call(work, "second", timeout=0.5))
    await asyncio.sleep(0.4)  # most of the second call's timeout spent waiting
    work.release["first"].set()
    await _until_thread(work.started["second"])
    with pytest.raises(EngineTimeout):
        await second
    assert loop.time() - began < 0.8  # 0.5 s in all, not 0.4 s waiting plus 0.5 s running
    work.release["second"].set()
    await first


async def test_a_timed_out_call_keeps_its_slot_until_the_thread_ends():
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5)
    release = threading.Event()
    with pytest.raises(EngineTimeout):
        await gate.call(release.wait, 5, timeout=0.05)
    assert gate.in_flight == 1
    with pytest.raises(Busy):
        gate.admit()
    release.set()
    for _ in range(100):
        if gate.in_flight == 0:
            break
        await asyncio.sleep(0.01)
    assert gate.in_flight == 0
    gate.admit()


async def test_a_timed_out_running_call_keeps_its_turn_until_its_thread_ends(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=1)
    work.expect("abandoned", "next")
    with pytest.raises(EngineTimeout):
        await gate.call(work, "abandoned", timeout=0.05)
    assert (gate.running, gate.in_flight) == (1, 1)
    following = asyncio.create_task(gate.call(work, "next"))
    await _until(lambda: gate.waiting == 1)
    assert work.order == ["abandoned"]
    work.release["abandoned"].set()
    await _until_thread(work.started["next"])
    work.release["next"].set()
    assert await following == "next"
    assert work.peak == 1


async def test_uncapped_calls_neither_wait_in_line_nor_take_a_place(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=0)
    work.expect("capped", "moderator")
    capped = asyncio.create_task(gate.call(work, "capped"))
    await _until_thread(work.started["capped"])
    moderator = asyncio.create_task(gate.call(work, "moderator", capped=False))
    await _until_thread(work.started["moderator"])
    assert (gate.in_flight, gate.running, work.peak) == (1, 1, 2)
    work.release_all()
    await asyncio.gather(capped, moderator)


async def test_a_cancelled_waiting_call_frees_its_place_and_passes_no_turn_on(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=2)
    work.expect("first", "cancelled", "third")
    first = asyncio.create_task(gate.call(work, "first"))
    await _until_thread(work.started["first"])
    cancelled = asyncio.create_task(gate.call(work, "cancelled"))
    third = asyncio.create_task(gate.call(work, "third"))
    await _until(lambda: gate.waiting == 2)
    cancelled.cancel()
    await _until(lambda: gate.waiting == 1)
    work.release_all()
    assert await asyncio.gather(first, third) == ["first", "third"]
    assert work.order == ["first", "third"]
    assert work.peak == 1


async def test_a_call_cancelled_just_as_its_turn_comes_passes_the_turn_on(work):
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, max_waiting=2)
    work.expect("first", "cancelled", "third")
    first_slot = gate.admit()
    first = asyncio.create_task(first_slot.call(work, "first"))
    await _until_thread(work.started["first"])
    cancelled = asyncio.create_task(gate.call(work, "cancelled"))
    third = asyncio.create_task(gate.call(work, "third", timeout=2))
    await _until(lambda: gate.waiting == 2)
    # Runs right after the gate hands the turn to "cancelled", before that task wakes up.
    first_slot._future.add_done_callback(lambda _: cancelled.cancel())
    work.release_all()
    assert await asyncio.gather(first, third) == ["first", "third"]
    assert cancelled.cancelled()
    assert work.order == ["first", "third"]


async def test_an_unused_slot_is_released_when_the_block_exits():
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5)
    with pytest.raises(RuntimeError), gate.admit():
        raise RuntimeError("the defer failed")
    assert gate.in_flight == 0


# -- the busy estimate -------------------------------------------------------------------------


async def test_busy_estimate_comes_from_recent_call_durations():
    now = [100.0]
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5, clock=lambda: now[0])
    for seconds in (8.0, 9.0, 10.0):
        gate._record(seconds)
    slot = gate.admit()
    slot._started = 100.0
    now[0] = 103.0
    with pytest.raises(Busy) as refused:
        gate.admit()
    assert refused.value.retry_after == 6  # typical 9 s, 3 s already spent
    slot._release()


@pytest.mark.parametrize(
    ("max_concurrent", "waiting", "expected"),
    [
        (1, 1, 3),  # 1 s left on the running call, then the waiter's 2 s
        (1, 3, 7),  # 1 s, then three waiters of 2 s one after another
        (2, 1, 1),  # two running with 1 s left: the waiter takes one, the other is free
        (2, 2, 3),  # both waiters start at 1 s; the first place frees at 3 s
    ],
)
async def test_busy_estimate_counts_the_calls_waiting_ahead(max_concurrent, waiting, expected):
    now = [100.0]
    gate = Gate(
        max_concurrent=max_concurrent,
        cooldown_seconds=0,
        timeout_seconds=5,
        max_waiting=waiting,
        clock=lambda: now[0],
    )
    for seconds in (2.0, 2.0, 2.0):
        gate._record(seconds)
    for _ in range(max_concurrent):
        gate.admit()._started = 100.0
    for _ in range(waiting):
        gate.admit()
    now[0] = 101.0
    with pytest.raises(Busy) as refused:
        gate.admit()
    assert refused.value.retry_after == expected
