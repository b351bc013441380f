"""Vote buttons on answers and checks, clicked through discord.py's own dispatch, and /feedback."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time

import discord
import pytest
from bot_helpers import Recorder, embeds_sent, feature, invoke, make_interaction
from discord.webhook.async_ import async_context
from discord_wire import RecordingAdapter, click

from bot.render.feedback import feedback_embed

KEY = "0123456789ab"
GUILD = 4_000_000_000_000_000_001
CHANNEL = 4_000_000_000_000_000_002
MEMBER = 4_000_000_000_000_000_003
CHANNEL_MESSAGE = 4
EPHEMERAL = 1 << 6
MANAGE_GUILD = discord.Permissions(manage_guild=True)


@pytest.fixture
def adapter():
    recording = RecordingAdapter(channel_id=CHANNEL)
    token = async_context.set(recording)
    yield recording
    async_context.reset(token)


@pytest.fixture
def ext(bot):
    return feature(bot, "feedback")


@pytest.fixture
def store(bot, ext):
    return ext.feedback_store(bot)


@pytest.fixture
async def answered(bot, ext, store):
    """An answer the bot gave in GUILD, recorded as the answer path records it."""
    question, text = "Why is Russia not helping Iran?", "Because [1]"
    await ext.remember(bot, KEY, "ask", question, text, ["reuters-1"], GUILD, CHANNEL)
    return KEY


@pytest.fixture
def locked(store):
    """Another connection holding a write transaction on the bot's feedback store."""
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.rollback()
    other.close()


def _reply(adapter) -> dict:
    """The one interaction response a click got."""
    ((kind, callback),) = adapter.sent
    assert kind == "callback" and callback["type"] == CHANNEL_MESSAGE
    assert callback["data"]["flags"] & EPHEMERAL
    return callback["data"]


async def _vote(bot, vote: str, user_id: int = MEMBER) -> None:
    await click(bot, f"wirecheck:vote:{KEY}:{vote}", user_id=user_id, guild_id=GUILD)


def test_feedback_items_are_up_down_and_wrong_source_for_that_answer(ext):
    items = ext.feedback_items(KEY)
    assert [i.item.custom_id for i in items] == [
        f"wirecheck:vote:{KEY}:up",
        f"wirecheck:vote:{KEY}:down",
        f"wirecheck:vote:{KEY}:wrong",
    ]
    assert [str(i.item.emoji or i.item.label) for i in items] == ["👍", "👎", "Wrong source"]
    # Discord refuses a custom_id over 100 characters.
    assert all(len(i.item.custom_id) <= 100 for i in items)


def test_a_new_key_is_one_the_buttons_accept(ext):
    key = ext.new_key()
    (custom_id,) = {i.item.custom_id for i in ext.feedback_items(key)[:1]}
    assert ext.VoteButton.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert key != ext.new_key()


def test_the_buttons_make_a_persistent_view(ext):
    view = discord.ui.View(timeout=None)
    for item in ext.feedback_items(KEY):
        view.add_item(item)
    assert view.is_persistent()
    ids = [c["custom_id"] for row in view.to_components() for c in row["components"]]
    assert ids == [f"wirecheck:vote:{KEY}:{vote}" for vote in ("up", "down", "wrong")]


async def test_clicking_up_stores_the_vote_and_thanks_only_the_clicker(
    bot, store, answered, adapter
):
    await _vote(bot, "up")
    (row,) = await asyncio.to_thread(store.export)
    assert (row["key"], row["vote"], row["question"]) == (
        KEY,
        "up",
        "Why is Russia not helping Iran?",
    )
    assert str(MEMBER) not in row["user_hash"]
    reply = _reply(adapter)
    assert reply["content"] == "Thanks — recorded 👍."
    assert reply["allowed_mentions"] == {"parse": []}


async def test_a_second_click_replaces_the_vote_and_says_from_what(bot, store, answered, adapter):
    await _vote(bot, "down")
    adapter.sent.clear()
    await _vote(bot, "up")
    (row,) = await asyncio.to_thread(store.export)
    assert row["vote"] == "up"
    assert _reply(adapter)["content"] == "Thanks — changed from 👎 to 👍."


async def test_the_same_click_again_is_counted_once(bot, store, answered, adapter):
    await _vote(bot, "wrong")
    adapter.sent.clear()
    await _vote(bot, "wrong")
    assert len(await asyncio.to_thread(store.export)) == 1
    assert "already voted" in _reply(adapter)["content"]


async def test_votes_of_different_members_are_counted_apart(bot, store, answered, adapter):
    await _vote(bot, "up", user_id=MEMBER)
    await _vote(bot, "down", user_id=MEMBER + 1)
    counts = await asyncio.to_thread(store.counts, GUILD)
    assert (counts["up"], counts["down"], counts["voters"]) == (1, 1, 2)


async def test_a_locked_store_gets_the_private_apology_and_stores_nothing(
    bot, store, answered, locked, adapter
):
    started = time.perf_counter()
    await _vote(bot, "up")
    assert time.perf_counter() - started < 2.0
    reply = _reply(adapter)
    assert "could not record your vote right now" in reply["content"]
    locked.rollback()
    assert await asyncio.to_thread(store.export) == []


async def test_a_vote_after_the_lock_is_released_is_recorded(bot, store, answered, locked, adapter):
    await _vote(bot, "up")
    locked.rollback()
    adapter.sent.clear()
    await _vote(bot, "up")
    assert _reply(adapter)["content"] == "Thanks — recorded 👍."
    assert len(await asyncio.to_thread(store.export)) == 1


async def test_a_vote_on_an_answer_never_recorded_says_so(bot, store, adapter):
    await _vote(bot, "down")
    assert "no record of that answer" in _reply(adapter)["content"]
    assert (await asyncio.to_thread(store.counts))["votes"] == 0


async def test_remember_on_a_locked_store_only_logs_and_never_blocks_the_loop(
    bot, ext, store, answered, locked, caplog
):
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    running = asyncio.create_task(ticker())
    with caplog.at_level(logging.WARNING, logger=ext.__name__):
        await ext.remember(bot, "ba9876543210", "check", "claim", "verdict", [], GUILD, CHANNEL)
    running.cancel()
    assert ticks >= 5  # the loop went on while the record waited for the lock
    assert "not recorded" in caplog.text


async def test_remember_in_background_records_the_answer(bot, ext, store):
    task = ext.remember_in_background(bot, KEY, "check", "claim", "verdict", ["a"], GUILD, None)
    await task
    assert (await asyncio.to_thread(store.counts, GUILD))["answers"] == 1


async def test_the_buttons_are_registered_on_load_and_removed_on_unload(bot, ext):
    dynamic = bot._connection._view_store._dynamic_items
    assert ext.VoteButton in dynamic.values()
    await bot.unload_extension("bot.exts.feedback")
    assert ext.VoteButton not in dynamic.values()


async def test_feedback_defers_privately_then_shows_this_servers_counts(bot, store, answered):
    await asyncio.to_thread(store.vote, KEY, MEMBER, "down")
    await asyncio.to_thread(store.record, "ba9876543210", "ask", "Elsewhere", "a", [], GUILD + 1)
    await asyncio.to_thread(store.vote, "ba9876543210", MEMBER, "up")
    recorder = Recorder()
    interaction = make_interaction(bot, recorder)
    interaction.guild_id = GUILD
    await invoke(bot, interaction, "feedback")
    assert recorder.names == ["response.defer", "edit_original_response"]
    assert recorder.calls[0].kwargs["ephemeral"] is True
    (embed,) = embeds_sent(recorder.calls[1])
    fields = {f.name: f.value for f in embed.fields}
    assert (fields["👍"], fields["👎"], fields["Wrong source"]) == ("0", "1", "0")
    assert "**1** answer recorded" in embed.description


async def test_feedback_shows_the_questions_voted_down_only_to_moderators(bot, store, answered):
    await asyncio.to_thread(store.vote, KEY, MEMBER, "wrong_source")
    shown = {}
    for who, permissions in [("member", discord.Permissions()), ("moderator", MANAGE_GUILD)]:
        recorder = Recorder()
        interaction = make_interaction(bot, recorder, permissions=permissions)
        interaction.guild_id = GUILD
        await invoke(bot, interaction, "feedback")
        (embed,) = embeds_sent(recorder.named("edit_original_response")[0])
        shown[who] = str(embed.to_dict())
    assert "Why is Russia not helping Iran?" in shown["moderator"]
    assert "Why is Russia not helping Iran?" not in shown["member"]
    assert "Moderators also see" in shown["member"]


async def test_feedback_still_reads_while_a_vote_is_being_written(bot, store, answered, locked):
    recorder = Recorder()
    interaction = make_interaction(bot, recorder)
    interaction.guild_id = GUILD
    await invoke(bot, interaction, "feedback")
    (embed,) = embeds_sent(recorder.named("edit_original_response")[0])
    assert "1 answer recorded" in embed.description


def test_flagged_questions_are_escaped_and_fit_the_field():
    hostile = "@everyone <@123> **bold** " + "word " * 100
    flagged = [
        dict(
            key=f"{i:012x}",
            kind="ask",
            question=hostile,
            channel_id="70",
            up=0,
            down=3,
            wrong_source=1,
            created="2025-06-23T10:00:00+00:00",
        )
        for i in range(10)
    ]
    counts = dict(
        answers=10,
        voted_answers=10,
        votes=40,
        up=0,
        down=30,
        wrong_source=10,
        voters=4,
        flagged=flagged,
    )
    embed = feedback_embed(counts, show_flagged=True)
    (value,) = [f.value for f in embed.fields if f.name == "Voted down most"]
    assert len(value) <= 1024 and len(embed) <= 6000
    assert "@everyone" not in value and "<@123>" not in value and "**bold**" not in value
    assert "<#70>" in value
