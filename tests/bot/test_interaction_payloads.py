"""Through discord.py's own CommandTree and Interaction: the JSON that would go to Discord."""

from __future__ import annotations

import json

import pytest
from bot_helpers import make_answer
from discord.webhook.async_ import async_context
from discord_wire import RecordingAdapter, slash_interaction

DEFERRED_CHANNEL_MESSAGE = 5
CHANNEL_MESSAGE = 4
EPHEMERAL = 1 << 6
SUPPRESS_EMBEDS = 1 << 2


@pytest.fixture
def adapter():
    recording = RecordingAdapter(channel_id=1)
    token = async_context.set(recording)
    yield recording
    async_context.reset(token)


async def test_ask_defers_then_sends_an_answer_that_pings_nobody(bot, engine, adapter):
    engine.answer = make_answer(quote="@everyone <@&123> said **this**")
    await bot.tree._call(slash_interaction(bot, "ask", question="Who said what?"))
    (kind, callback), (kind2, followup) = adapter.sent
    assert (kind, callback["type"]) == ("callback", DEFERRED_CHANNEL_MESSAGE)
    assert kind2 == "followup"
    assert followup["allowed_mentions"] == {"parse": []}
    text = json.dumps(followup["embeds"], ensure_ascii=False)
    assert "@everyone" not in text and "<@&123>" not in text and "**this**" not in text
    button = followup["components"][0]["components"][0]
    assert button["custom_id"].startswith("wirecheck:excerpts:")


async def test_reload_by_a_member_without_rights_is_one_private_message(bot, engine, adapter):
    await bot.tree._call(slash_interaction(bot, "reload"))
    ((kind, callback),) = adapter.sent
    assert callback["type"] == CHANNEL_MESSAGE
    assert callback["data"]["flags"] == EPHEMERAL | SUPPRESS_EMBEDS
    assert callback["data"]["allowed_mentions"] == {"parse": []}
    assert "Manage Server" in callback["data"]["content"]
    assert engine.calls == []


async def test_reload_by_a_manage_server_member_runs(bot, engine, adapter):
    manage_guild = 1 << 5
    await bot.tree._call(slash_interaction(bot, "reload", permissions=manage_guild))
    assert adapter.sent[0][1] == {"type": DEFERRED_CHANNEL_MESSAGE, "data": {"flags": EPHEMERAL}}
    assert adapter.sent[-1][0] == "edit"
    assert engine.called("reload") == 1
