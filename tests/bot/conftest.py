"""Bot fixtures: settings in tmp_path, a fake engine, a real WirecheckBot that never connects."""

from __future__ import annotations

from pathlib import Path

import bot_helpers
import discord
import pytest
from bot_helpers import (
    BOT_ID,
    FakeEngine,
    Recorder,
    assert_no_pings,
    assert_no_pings_on_the_wire,
)
from discord_wire import RecordingAdapter, Wire
from helpers import settings_for

from bot.app import WirecheckBot
from retrieval import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(
        tmp_path / "corpus",
        tmp_path / "store",
        ask_cooldown_seconds=0,
        max_concurrent_questions=4,
        question_timeout_seconds=5,
        moderator_roles="Fact checkers,4242",
    )


@pytest.fixture
def engine() -> FakeEngine:
    engine = FakeEngine()
    yield engine
    engine.released.set()  # let a hung worker thread finish before the loop closes


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


async def make_bot(settings: Settings, engine: FakeEngine) -> WirecheckBot:
    """Extensions loaded and the engine in place, as after setup_hook, without logging in."""
    bot = WirecheckBot(settings, engine_factory=lambda _: engine)
    await bot._async_setup_hook()  # what login() does first: binds the client to this loop
    await bot.load_extensions()
    bot.engine = engine
    bot._connection.user = discord.ClientUser(
        state=bot._connection,
        data={
            "id": str(BOT_ID),
            "username": "Wirecheck",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
        },
    )
    return bot


@pytest.fixture
async def bot(settings: Settings, engine: FakeEngine) -> WirecheckBot:
    bot = await make_bot(settings, engine)
    yield bot
    engine.released.set()
    await bot.close()


@pytest.fixture(autouse=True)
def every_send_pings_nobody():
    """After every bot test: each send, followup and edit it made carried AllowedMentions.none()."""
    bot_helpers.LIVE.clear()
    yield
    for seen in bot_helpers.LIVE:
        if isinstance(seen, Wire):
            assert_no_pings_on_the_wire(seen.sent)
        elif isinstance(seen, RecordingAdapter):
            for kind, payload in seen.sent:
                body = (payload or {}).get("data", payload) if kind == "callback" else payload
                if body and ("content" in body or "embeds" in body):
                    assert body.get("allowed_mentions") == {"parse": []}, payload
        else:
            assert_no_pings(seen)
    bot_helpers.LIVE.clear()
