"""Per-user cooldown and the global cap on engine calls, through /ask and on the Gate itself."""

from __future__ import annotations

import asyncio
import re
import threading

import pytest
from bot_helpers import Recorder, invoke, make_interaction, make_member, text_sent

from bot.errors import Busy, EngineTimeout, OnCooldown
from bot.gate import Gate


def _refusal(recorder: Recorder) -> str:
    (sent,) = recorder.calls
    assert sent.name == "response.send_message"
    assert sent.kwargs["ephemeral"] is True
    return text_sent(sent)


async def test_second_ask_within_the_cooldown_is_refused_and_never_reaches_the_engine(bot, engine):
    bot.gate.cooldown_seconds = 30
    user = make_member()
    await invoke(bot, make_interaction(bot, Recorder(), user=user), "ask", question="One?")
    again = Recorder()
    await invoke(bot, make_interaction(bot, again, user=user), "ask", question="Two?")
    text = _refusal(again)
    seconds = int(re.search(r"try again in (\d+) s", text, re.I)[1])
    assert 28 <= seconds <= 30
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


async def test_full_cap_tells_a_second_user_busy_try_again_in_n_seconds(bot, engine):
    bot.gate.max_concurrent = 1
    engine.hang = True
    first = asyncio.create_task(
        invoke(bot, make_interaction(bot, Recorder()), "ask", question="One?")
    )
    await asyncio.to_thread(engine.started.wait, 2)
    second = Recorder()
    await invoke(bot, make_interaction(bot, second), "ask", question="Two?")
    assert re.search(r"busy.*try again in \d+ s", _refusal(second), re.I | re.S)
    assert engine.called("ask") == 1
    engine.released.set()
    await first


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


async def test_a_refused_admission_does_not_start_the_cooldown():
    gate = Gate(max_concurrent=1, cooldown_seconds=30, timeout_seconds=5)
    held = gate.admit()
    with pytest.raises(Busy):
        gate.admit(user_id=7)
    held._release()
    gate.admit(user_id=7)
    with pytest.raises(OnCooldown):
        gate.admit(user_id=7)


async def test_an_unused_slot_is_released_when_the_block_exits():
    gate = Gate(max_concurrent=1, cooldown_seconds=0, timeout_seconds=5)
    with pytest.raises(RuntimeError), gate.admit():
        raise RuntimeError("the defer failed")
    assert gate.in_flight == 0
