"""No message the bot sends can ping anyone, and quoted corpus text renders inert.

(Besides these tests, tests/bot/conftest.py checks every send recorded by every bot test.)
"""

from __future__ import annotations

import json

import pytest
from bot_helpers import (
    BOT_ID,
    Recorder,
    assert_no_pings,
    invoke,
    make_answer,
    make_interaction,
    make_member,
    make_role,
    pings_nobody,
)
from discord.http import handle_message_parameters
from discord_wire import wire

HOSTILE = "@everyone look: <@&123> and <@456> said **this** [click](https://evil.example) `x`"
RAW_FORMS = ("@everyone", "<@&123>", "<@456>", "**this**", "[click](")

COMMANDS = [
    ("ask", {"question": "Why?"}),
    ("check", {"claim": "A claim."}),
    ("sources", {"query": "putin"}),
    ("source", {"article": "reuters-2025-06-23-putin"}),
    ("source", {"article": "missing"}),
    ("corpus", {}),
    ("sources", {"query": "x", "since": "bad"}),
]


@pytest.mark.parametrize(("name", "params"), COMMANDS)
async def test_every_command_sends_with_no_mentions(bot, engine, name, params):
    recorder = Recorder()
    await invoke(bot, make_interaction(bot, recorder), name, **params)
    assert recorder.sends()
    assert_no_pings(recorder)


@pytest.mark.parametrize("name", ["reload", "rollback"])
async def test_moderator_commands_send_with_no_mentions(bot, engine, name):
    recorder = Recorder()
    member = make_member(roles=[make_role("Fact checkers")])
    await invoke(bot, make_interaction(bot, recorder, user=member), name)
    assert recorder.sends()
    assert_no_pings(recorder)


async def test_hostile_article_text_in_an_answer_never_pings_and_renders_inert(bot, engine):
    engine.answer = make_answer(quote=HOSTILE)
    recorder = Recorder()
    await invoke(bot, make_interaction(bot, recorder), "ask", question="Who said what?")
    (final,) = recorder.named("followup.send")
    # The JSON discord.py would send for this followup (the client default applies first).
    payload = handle_message_parameters(
        embeds=final.kwargs["embeds"],
        allowed_mentions=final.kwargs["allowed_mentions"],
        previous_allowed_mentions=bot.allowed_mentions,
    ).payload
    assert payload["allowed_mentions"] == {"parse": []}
    text = json.dumps(payload["embeds"], ensure_ascii=False)
    assert "everyone" in text and "this" in text  # the words are shown...
    for raw in RAW_FORMS:
        assert raw not in text  # ...but none of them works as a mention or markdown


async def test_hostile_excerpts_never_ping_either(bot, engine):
    engine.answer = make_answer(quote=HOSTILE)
    recorder = Recorder()
    await invoke(bot, make_interaction(bot, recorder), "ask", question="Who said what?")
    button = recorder.named("followup.send")[0].kwargs["view"].children[0]
    clicks = Recorder()
    await button.callback(make_interaction(bot, clicks))
    assert_no_pings(clicks)
    (sent,) = clicks.named("response.send_message")
    text = json.dumps([e.to_dict() for e in sent.kwargs["embeds"]], ensure_ascii=False)
    for raw in RAW_FORMS[:3]:
        assert raw not in text


async def test_hostile_text_in_a_mention_reply_never_pings(bot, engine):
    engine.answer = make_answer(quote=HOSTILE)
    channel = wire(bot)
    message = channel.message(f"<@{BOT_ID}> who said what?", mention_bot=True)
    await bot.get_cog("Ask").on_message(message)
    (payload,) = channel.sent
    assert payload["allowed_mentions"] == {"parse": []}
    text = json.dumps(payload["embeds"], ensure_ascii=False)
    for raw in RAW_FORMS:
        assert raw not in text


async def test_the_client_default_is_no_mentions(bot):
    assert pings_nobody(bot.allowed_mentions)
