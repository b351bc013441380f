"""Follow-ups: a reply, a mention in the bot's thread, or the button's form, answered in a thread
with the conversation in mind, on real discord.py objects (HTTP recorded at the client)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from bot_helpers import BOT_ID, feature, make_answer
from discord.webhook.async_ import async_context
from discord_wire import RecordingAdapter, Wire, click, modal_submit_payload, wire

from bot.render import answer_embed

RUSSIA = "Why isn't Russia helping Iran?"
CHINA = "Why isn't China helping Iran?"
MODAL = 9


@pytest.fixture
def channel(bot) -> Wire:
    recorded = wire(bot)
    # Known to the client as after GUILD_CREATE, so interactions resolve their channel.
    bot._connection._add_guild(recorded.channel.guild)
    recorded.channel.guild._add_channel(recorded.channel)
    return recorded


@pytest.fixture
def adapter(channel):
    recording = RecordingAdapter(channel_id=channel.channel.id)
    token = async_context.set(recording)
    yield recording
    async_context.reset(token)


def answered(bot, channel: Wire, question: str = RUSSIA) -> dict:
    """A bot answer message in the channel, as the bot sent it."""
    answer = dataclasses.replace(make_answer(), question=question)
    return channel.bot_message(embeds=[answer_embed(answer)])


async def receive(bot, message) -> None:
    await bot.get_cog("Ask").on_message(message)


def asked(engine) -> list[str]:
    return [args[0] for name, args in engine.calls if name == "ask"]


async def test_a_reply_to_an_answer_opens_a_thread_and_reads_the_question_against_it(
    bot, engine, channel
):
    answer = answered(bot, channel)
    reply = channel.message(
        f"<@{BOT_ID}> and what about China?", mention_bot=True, replying_to=answer
    )
    await receive(bot, reply)
    assert asked(engine) == [CHINA]
    (thread,) = channel.threads
    assert thread.id == int(answer["id"]) and thread.name == RUSSIA
    (payload,) = channel.sent
    assert channel.sent_to == [thread.id]
    lines = payload["content"].splitlines()
    assert lines[0].startswith("-# ") and lines[0].endswith("asked: and what about China?")
    assert lines[1] == f"-# Answering: {CHINA}".replace("'", "'")
    assert payload["embeds"] == [answer_embed(engine.answer).to_dict()]
    assert payload["allowed_mentions"] == {"parse": []}


async def test_mentions_in_the_bots_thread_continue_the_conversation(bot, engine, channel):
    thread = channel.thread(RUSSIA)
    await receive(bot, channel.message_in(thread, f"<@{BOT_ID}> and China?", mention_bot=True))
    await receive(
        bot, channel.message_in(thread, f"<@{BOT_ID}> how did they respond?", mention_bot=True)
    )
    assert asked(engine) == [CHINA, "how did China respond?"]
    assert channel.sent_to == [thread.id, thread.id]
    assert channel.sent[1]["content"] == "-# Answering: how did China respond?"


async def test_a_question_that_stands_alone_is_asked_as_typed_with_no_note(bot, engine, channel):
    thread = channel.thread(RUSSIA)
    typed = "Did Israel strike Fordow?"
    await receive(bot, channel.message_in(thread, f"<@{BOT_ID}> {typed}", mention_bot=True))
    assert asked(engine) == [typed]
    assert "content" not in channel.sent[0] or not channel.sent[0]["content"]


async def test_a_thread_past_its_turns_drops_the_context_and_says_so(bot, engine, channel):
    bot.conversations.max_turns = 2
    thread = channel.thread(RUSSIA)
    for typed in ("and China?", "and Turkey?"):
        message = channel.message_in(thread, f"<@{BOT_ID}> {typed}", mention_bot=True)
        await receive(bot, message)
    assert asked(engine) == [CHINA, "and Turkey?"]
    assert "reached its limit (2 questions" in channel.sent[1]["content"]


async def test_an_archived_thread_forgets_its_conversation(bot, engine, channel):
    thread = channel.thread(RUSSIA)
    await receive(bot, channel.message_in(thread, f"<@{BOT_ID}> and China?", mention_bot=True))
    assert thread.id in bot.conversations
    archived = channel.thread(RUSSIA, thread_id=thread.id)
    archived.archived = True
    await bot.get_cog("Ask").on_thread_update(thread, archived)
    assert thread.id not in bot.conversations


async def test_threads_of_other_members_are_not_read_as_conversations(bot, engine, channel):
    thread = channel.thread("chat", owner_id=12345)
    await receive(bot, channel.message_in(thread, f"<@{BOT_ID}> and China?", mention_bot=True))
    assert asked(engine) == ["and China?"]


async def test_without_thread_permission_the_follow_up_is_answered_inline(bot, engine, channel):
    channel.threads_forbidden = True
    answer = answered(bot, channel)
    reply = channel.message(f"<@{BOT_ID}> what about China?", mention_bot=True, replying_to=answer)
    await receive(bot, reply)
    assert asked(engine) == [CHINA]
    (payload,) = channel.sent
    assert channel.sent_to == [channel.channel.id]
    assert payload["message_reference"]["message_id"] == reply.id
    assert payload["content"] == f"-# Answering: {CHINA}"


async def test_the_follow_up_button_asks_in_a_form_and_answers_in_a_thread(
    bot, engine, channel, adapter
):
    answer = dataclasses.replace(make_answer(), question=RUSSIA)
    key = bot.answers.put(answer)
    message = channel.bot_message(embeds=[answer_embed(answer)])
    member = 4_100_000_000_000_000_001
    await click(
        bot,
        f"wirecheck:followup:{key}",
        user_id=member,
        guild_id=channel.channel.guild.id,
        channel_id=channel.channel.id,
    )
    (kind, callback) = adapter.sent[-1]
    assert kind == "callback" and callback["type"] == MODAL
    modal = callback["data"]
    assert modal["custom_id"] == f"wirecheck:followup-form:{key}"
    before = len(adapter.sent)
    tasks = asyncio.all_tasks()
    where = channel.channel
    submit = modal_submit_payload(
        modal,
        ["and what about China?"],
        message,
        user_id=member,
        guild_id=where.guild.id,
        channel_id=where.id,
        channel={"id": str(where.id), "type": 0, "name": where.name},
    )
    bot._connection.parse_interaction_create(submit)
    await asyncio.gather(*(asyncio.all_tasks() - tasks))
    assert asked(engine) == [CHINA]
    (thread,) = channel.threads
    assert thread.id == int(message["id"])
    assert channel.sent_to == [thread.id]
    assert channel.sent[0]["content"].endswith(f"-# Answering: {CHINA}")
    # The member's private confirmation points at the thread.
    said = [p for k, p in adapter.sent[before:] if k in ("edit", "followup")]
    assert any(f"<#{thread.id}>" in (p or {}).get("content", "") for p in said)
    assert bot.conversations.turn(thread.id).history == (RUSSIA, CHINA)


def test_every_answer_offers_a_follow_up(bot):
    ext = feature(bot, "ask")
    view = ext.answer_view(bot, make_answer())
    ids = [item.custom_id for item in view.children]
    assert sum(i.startswith("wirecheck:followup:") for i in ids) == 1
