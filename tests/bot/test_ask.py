"""/ask: defer first, the answer embed, the excerpts button, slow and hung engines."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re

import discord
from bot_helpers import (
    Recorder,
    embeds_sent,
    feature,
    invoke,
    make_answer,
    make_interaction,
    text_sent,
)

from bot.exts.ask import EXPIRED
from bot.render import answer_embed, excerpt_messages


def _button(bot, call):
    view = call.kwargs["view"]
    (item,) = [i for i in view.children if isinstance(i, feature(bot, "ask").ExcerptsButton)]
    return item


async def test_ask_defers_before_any_other_call(bot, engine, recorder):
    interaction = make_interaction(bot, recorder)
    await invoke(bot, interaction, "ask", question="Why is Russia not helping Iran?")
    assert recorder.names[0] == "response.defer"
    assert recorder.names[1:] == ["followup.send"]
    assert engine.calls == [("ask", ("Why is Russia not helping Iran?",))]


async def test_ask_sends_the_rendered_answer_embed(bot, engine, recorder):
    interaction = make_interaction(bot, recorder)
    await invoke(bot, interaction, "ask", question="Why?")
    (final,) = recorder.named("followup.send")
    assert [e.to_dict() for e in embeds_sent(final)] == [answer_embed(engine.answer).to_dict()]


async def test_slow_engine_is_deferred_before_it_starts_and_answered_later(bot, engine, recorder):
    engine.hang = True  # the engine works until the test releases it
    interaction = make_interaction(bot, recorder)
    task = asyncio.create_task(invoke(bot, interaction, "ask", question="Why?"))
    await asyncio.to_thread(engine.started.wait, 5)
    # Deferred before the engine got the question; nothing else sent while it works.
    assert recorder.names == ["response.defer"]
    engine.released.set()
    await task
    defer, final = recorder.calls
    assert (defer.name, final.name) == ("response.defer", "followup.send")
    assert embeds_sent(final)


async def test_a_model_writing_prose_is_shown_as_writing_then_replaced(
    bot, engine, recorder, monkeypatch
):
    monkeypatch.setattr(feature(bot, "ask"), "WRITING_AFTER_SECONDS", 0.05)
    engine.writes_prose, engine.hang = True, True
    interaction = make_interaction(bot, recorder)
    task = asyncio.create_task(invoke(bot, interaction, "ask", question="Why?"))
    await asyncio.to_thread(engine.started.wait, 5)
    for _ in range(100):
        if len(recorder.calls) > 1:
            break
        await asyncio.sleep(0.02)
    engine.released.set()
    await task
    names = recorder.names
    assert names == ["response.defer", "edit_original_response", "edit_original_response"]
    writing, final = recorder.named("edit_original_response")
    assert writing.kwargs["content"] == feature(bot, "ask").WRITING
    assert final.kwargs["content"] is None and embeds_sent(final)


async def test_a_quick_prose_answer_is_sent_without_a_writing_notice(bot, engine, recorder):
    engine.writes_prose = True
    interaction = make_interaction(bot, recorder)
    await invoke(bot, interaction, "ask", question="Why?")
    assert recorder.names == ["response.defer", "followup.send"]


async def test_hung_engine_past_the_timeout_gets_took_too_long(bot, engine, recorder):
    engine.hang = True
    bot.gate.timeout_seconds = 0.2
    interaction = make_interaction(bot, recorder)
    await invoke(bot, interaction, "ask", question="Why?")
    assert recorder.names[0] == "response.defer"
    (message,) = recorder.named("followup.send")
    assert message.kwargs["ephemeral"] is True
    assert "took too long" in text_sent(message)
    # The public "thinking…" placeholder is removed so the message reaches the asker alone.
    assert "delete_original_response" in recorder.names


async def test_excerpts_button_sends_the_excerpts_only_to_the_clicker(bot, engine, recorder):
    await invoke(bot, make_interaction(bot, recorder), "ask", question="Why?")
    button = _button(bot, recorder.named("followup.send")[0])
    clicks = Recorder()
    click = make_interaction(bot, clicks)
    await button.callback(click)
    (sent,) = clicks.named("response.send_message")
    assert sent.kwargs["ephemeral"] is True
    expected = excerpt_messages(engine.answer)[0]
    assert [e.to_dict() for e in embeds_sent(sent)] == [e.to_dict() for e in expected]


async def test_excerpts_button_survives_a_restart_by_its_custom_id(bot, engine, recorder):
    await invoke(bot, make_interaction(bot, recorder), "ask", question="Why?")
    custom_id = _button(bot, recorder.named("followup.send")[0]).custom_id
    button_class = feature(bot, "ask").ExcerptsButton
    match = button_class.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None
    rebuilt = await button_class.from_custom_id(make_interaction(bot, Recorder()), None, match)
    clicks = Recorder()
    await rebuilt.callback(make_interaction(bot, clicks))
    assert clicks.named("response.send_message")[0].kwargs["ephemeral"] is True
    assert embeds_sent(clicks.named("response.send_message")[0])


async def test_excerpts_button_for_a_forgotten_answer_says_it_expired(bot, recorder):
    clicks = Recorder()
    await feature(bot, "ask").ExcerptsButton("0123456789ab").callback(make_interaction(bot, clicks))
    (sent,) = clicks.named("response.send_message")
    assert sent.kwargs["ephemeral"] is True
    assert EXPIRED.split(" (")[0] in text_sent(sent)


async def test_answer_without_sources_has_no_excerpts_button(bot, engine, recorder):
    engine.answer = dataclasses.replace(
        make_answer(), status="not_in_sources", answer="Nothing in the sources.", citations=()
    )
    await invoke(bot, make_interaction(bot, recorder), "ask", question="Why?")
    (final,) = recorder.named("followup.send")
    ids = [item.custom_id for item in final.kwargs["view"].children]
    assert not any(i.startswith("wirecheck:excerpts:") for i in ids)
    # A follow-up and the votes are still offered: "not in the sources" can be wrong too.
    assert any(i.startswith("wirecheck:followup:") for i in ids)
    assert sum(i.startswith("wirecheck:vote:") for i in ids) == 3


async def test_ask_before_the_engine_is_loaded_says_try_again(bot, engine, recorder):
    bot.engine = None
    await invoke(bot, make_interaction(bot, recorder), "ask", question="Why?")
    (sent,) = recorder.calls
    assert sent.name == "response.send_message" and sent.kwargs["ephemeral"] is True
    assert "still loading" in text_sent(sent)
    assert engine.calls == []


async def test_a_late_answer_goes_to_the_channel_when_the_token_is_near_expiry(
    bot, engine, recorder
):
    interaction = make_interaction(bot, recorder, age=dt.timedelta(minutes=14, seconds=30))
    await invoke(bot, interaction, "ask", question="Why?")
    assert recorder.names == ["response.defer", "channel.send"]
    (sent,) = recorder.named("channel.send")
    assert "reference" not in sent.kwargs
    assert embeds_sent(sent)


async def test_an_expired_token_falls_back_to_the_channel(bot, engine, recorder):
    interaction = make_interaction(bot, recorder)
    gone = discord.NotFound(_Response(404), {"code": 10015, "message": "Unknown Webhook"})

    def expired():
        raise gone

    recorder.hook("followup.send", interaction.followup.send, expired)
    await invoke(bot, interaction, "ask", question="Why?")
    assert recorder.names == ["response.defer", "followup.send", "channel.send"]
    assert embeds_sent(recorder.named("channel.send")[0])


class _Response:
    """The bits of aiohttp.ClientResponse that discord.HTTPException reads."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.reason = "Not Found"


async def test_an_unexpected_failure_gets_an_incident_id_that_is_logged(
    bot, engine, recorder, caplog
):
    def broken(question):
        raise KeyError("index entry missing")

    engine.ask = broken
    await invoke(bot, make_interaction(bot, recorder), "ask", question="Why?")
    message = recorder.named("followup.send")[-1]
    assert message.kwargs["ephemeral"] is True
    incident = re.search(r"incident ([0-9a-f]{6})", text_sent(message))[1]
    (logged,) = [r for r in caplog.records if incident in r.getMessage()]
    assert logged.exc_info and logged.exc_info[0] is KeyError


async def test_excerpts_button_failure_reaches_the_clicker_with_an_incident_id(
    bot, recorder, monkeypatch
):
    def broken(key):
        raise KeyError(key)

    monkeypatch.setattr(bot.answers, "get", broken)
    clicks = Recorder()
    await feature(bot, "ask").ExcerptsButton("0123456789ab").callback(make_interaction(bot, clicks))
    (sent,) = clicks.named("response.send_message")
    assert sent.kwargs["ephemeral"] is True
    assert "incident" in text_sent(sent)
