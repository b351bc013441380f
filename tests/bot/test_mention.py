"""Answering @mentions and replies, on real discord.py Message objects.

dpytest 0.7 cannot drive this path with the bot's real intents: its guilds only hold members when
the privileged members intent is on (mentions resolve to None otherwise) and its messages cannot
carry a message_reference. So messages are built the way discord.py's own tests build them, on
the bot's real ConnectionState, and the HTTP client records the payloads discord.py serialises.
"""

from __future__ import annotations

import pytest
from bot_helpers import BOT_ID
from discord_wire import Wire, wire

from bot.exts.ask import HELP
from bot.render import answer_embed

NO_PINGS = {"parse": []}


@pytest.fixture
def channel(bot) -> Wire:
    return wire(bot)


async def _receive(bot, message) -> None:
    await bot.get_cog("Ask").on_message(message)


async def test_a_mention_with_a_question_gets_a_reply_with_the_answer(bot, engine, channel):
    message = channel.message(f"<@{BOT_ID}> why is Russia not helping Iran?", mention_bot=True)
    await _receive(bot, message)
    assert engine.calls == [("ask", ("why is Russia not helping Iran?",))]
    (payload,) = channel.sent
    assert payload["message_reference"]["message_id"] == message.id
    assert payload["embeds"] == [answer_embed(engine.answer).to_dict()]
    assert payload["allowed_mentions"] == NO_PINGS


async def test_the_reply_carries_the_excerpts_button(bot, engine, channel):
    await _receive(bot, channel.message(f"<@!{BOT_ID}> why?", mention_bot=True))
    (payload,) = channel.sent
    (row,) = payload["components"]
    assert row["components"][0]["custom_id"].startswith("wirecheck:excerpts:")


async def test_a_reply_to_one_of_its_answers_is_answered(bot, engine, channel):
    answer = channel.bot_message()
    message = channel.message(
        f"<@{BOT_ID}> and what did China say?", mention_bot=True, replying_to=answer
    )
    await _receive(bot, message)
    assert engine.calls == [("ask", ("and what did China say?",))]
    # The answer goes to a thread opened on the answer replied to (tests/bot/test_followups.py).
    (thread,) = channel.threads
    assert thread.id == int(answer["id"]) and channel.sent_to == [thread.id]


async def test_a_reply_without_the_ping_gets_help_not_an_empty_question(bot, engine, channel):
    # Without the message_content intent Discord sends no text for a reply that does not ping us.
    await _receive(bot, channel.message("", replying_to=channel.bot_message()))
    assert engine.calls == []
    (payload,) = channel.sent
    assert payload["content"] == HELP or HELP in payload["content"]


async def test_a_bare_mention_gets_short_help(bot, engine, channel):
    await _receive(bot, channel.message(f"<@{BOT_ID}>", mention_bot=True))
    assert engine.calls == []
    assert HELP in channel.sent[0]["content"]
    assert channel.sent[0]["allowed_mentions"] == NO_PINGS


async def test_messages_from_other_bots_are_ignored(bot, engine, channel):
    await _receive(bot, channel.message(f"<@{BOT_ID}> why?", mention_bot=True, bot_author=True))
    assert engine.calls == [] and channel.sent == []


async def test_messages_that_do_not_mention_the_bot_are_ignored(bot, engine, channel):
    await _receive(bot, channel.message("why is Russia not helping Iran?"))
    assert engine.calls == [] and channel.sent == []


async def test_its_own_messages_are_ignored(bot, engine, channel):
    await _receive(
        bot,
        channel.message(f"<@{BOT_ID}> why?", author_id=BOT_ID, bot_author=True, mention_bot=True),
    )
    assert engine.calls == [] and channel.sent == []


async def test_mentions_share_the_cooldown(bot, engine, channel):
    bot.gate.cooldown_seconds = 30
    for _ in range(2):
        await _receive(bot, channel.message(f"<@{BOT_ID}> why?", author_id=77, mention_bot=True))
    assert engine.called("ask") == 1
    assert "try again in" in channel.sent[1]["content"].lower()
    assert channel.sent[1]["allowed_mentions"] == NO_PINGS


async def test_an_unexpected_failure_replies_with_an_incident_id_and_logs_it(
    bot, engine, channel, caplog
):
    def broken(question):
        raise KeyError("boom")

    engine.ask = broken
    await _receive(bot, channel.message(f"<@{BOT_ID}> why?", mention_bot=True))
    text = channel.sent[0]["content"]
    incident = text.split("incident ")[1][:6]
    assert any(incident in r.getMessage() and r.exc_info for r in caplog.records)
