"""/corpus, and the moderator commands /reload, /rollback, /add: gate, progress, summaries."""

from __future__ import annotations

import asyncio

import discord
import pytest
from bot_helpers import (
    AddedItem,
    AddFailure,
    AddReport,
    Recorder,
    embeds_sent,
    feature,
    invoke,
    make_interaction,
    make_member,
    make_role,
    make_stats,
    text_sent,
)

from bot.exts.admin import ProgressReporter
from bot.render import add_embed, corpus_embed, reload_embed
from retrieval import IndexReport, NoPreviousIndex, ReloadFailed, ReloadInProgress

MODERATOR_COMMANDS = [
    ("reload", {}),
    ("rollback", {}),
    ("add", {"url": "https://example.com/news/story"}),
]


def _moderator(bot, recorder, how: str = "role name"):
    if how == "manage server":
        return make_interaction(bot, recorder, permissions=discord.Permissions(manage_guild=True))
    # settings.moderator_roles is "Fact checkers,4242" (tests/bot/conftest.py)
    role = make_role("fact checkers") if how == "role name" else make_role("Editors", 4242)
    return make_interaction(bot, recorder, user=make_member(roles=[role]))


def _last_text(recorder: Recorder) -> str:
    return text_sent(recorder.sends()[-1])


@pytest.mark.parametrize(("name", "params"), MODERATOR_COMMANDS)
async def test_moderator_command_refuses_a_member_without_manage_server_or_role(
    bot, engine, recorder, name, params
):
    member = make_member(roles=[make_role("Readers")])
    await invoke(bot, make_interaction(bot, recorder, user=member), name, **params)
    (sent,) = recorder.calls
    assert sent.name == "response.send_message" and sent.kwargs["ephemeral"] is True
    assert "needs Manage Server or a moderator role" in text_sent(sent)
    assert engine.calls == []


@pytest.mark.parametrize("how", ["role name", "role id", "manage server"])
async def test_a_moderator_may_reload(bot, engine, recorder, how):
    await invoke(bot, _moderator(bot, recorder, how), "reload")
    assert engine.called("reload") == 1
    assert recorder.names[0] == "response.defer"
    assert recorder.calls[0].kwargs["ephemeral"] is True


async def test_reload_shows_progress_then_the_summary(bot, engine, recorder, monkeypatch):
    monkeypatch.setattr(feature(bot, "admin"), "PROGRESS_INTERVAL", 0.05)
    engine.progress_steps, engine.progress_pause = 6, 0.04
    await invoke(bot, _moderator(bot, recorder), "reload")
    edits = recorder.named("edit_original_response")
    progress, summary = edits[:-1], edits[-1]
    assert progress, "no progress was shown"
    assert all(e.kwargs["content"] and "embeds" not in e.kwargs for e in progress)
    assert [e.to_dict() for e in summary.kwargs["embeds"]] == [
        reload_embed(IndexReport(added=1, unchanged=4, seconds=0.5)).to_dict()
    ]
    assert summary.kwargs["content"] is None
    assert recorder.names[-1] == "edit_original_response"


async def test_progress_edits_are_throttled(bot, recorder):
    interaction = make_interaction(bot, recorder)
    now = [100.0]
    progress = ProgressReporter(interaction, "indexing", interval=1.5, clock=lambda: now[0])
    for done in range(1, 51):
        progress.from_thread(done, 50)
    await asyncio.sleep(0.05)  # lets the loop run the updates; the clock stands still
    await progress.close()
    assert len(recorder.named("edit_original_response")) == 1


async def test_reload_failure_says_what_failed_and_that_the_previous_index_serves(
    bot, engine, recorder
):
    engine.reload_error = ReloadFailed(
        "embedding", "3 articles could not be embedded: out of memory"
    )
    await invoke(bot, _moderator(bot, recorder), "reload")
    text = _last_text(recorder)
    assert "out of memory" in text
    assert "previous index keeps serving" in text


async def test_reload_while_one_runs_says_a_reload_is_already_running(bot, engine, recorder):
    engine.reload_error = ReloadInProgress("cannot reload: a reload is already running")
    await invoke(bot, _moderator(bot, recorder), "reload")
    assert "A reload is already running" in _last_text(recorder)


async def test_rollback_shows_the_summary(bot, engine, recorder):
    await invoke(bot, _moderator(bot, recorder), "rollback")
    assert recorder.names == ["response.defer", "edit_original_response"]
    summary = recorder.calls[-1].kwargs["embeds"][0]
    assert (
        summary.to_dict()
        == reload_embed(IndexReport(removed=1, unchanged=4, seconds=0.1)).to_dict()
    )


async def test_rollback_without_a_previous_index_says_so(bot, engine, recorder):
    engine.rollback_error = NoPreviousIndex("no previous index state is kept")
    await invoke(bot, _moderator(bot, recorder), "rollback")
    assert "no previous index" in _last_text(recorder)


async def test_add_fetches_then_reloads_and_shows_both_summaries(bot, engine, recorder):
    url = "https://example.com/news/story"
    await invoke(bot, _moderator(bot, recorder), "add", url=url)
    assert [name for name, _ in engine.calls] == ["add", "reload"]
    assert engine.calls[0][1] == ((url,), False)
    final = recorder.calls[-1]
    assert [e.to_dict() for e in final.kwargs["embeds"]] == [
        add_embed(AddReport()).to_dict(),
        reload_embed(IndexReport(added=1, unchanged=4, seconds=0.5)).to_dict(),
    ]


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (
            ReloadFailed("embedding", "the model could not be loaded"),
            "previous index keeps serving",
        ),
        (ReloadInProgress("a reload is already running"), "A reload is already running"),
    ],
)
async def test_add_whose_reload_cannot_run_keeps_the_add_summary(
    bot, engine, recorder, error, says
):
    engine.reload_error = error
    await invoke(bot, _moderator(bot, recorder), "add", url="https://example.com/news/story")
    final = recorder.calls[-1]
    assert says in final.kwargs["content"] and "article is saved" in final.kwargs["content"]
    assert [e.to_dict() for e in final.kwargs["embeds"]] == [add_embed(AddReport()).to_dict()]


async def test_add_that_fetched_nothing_does_not_reload(bot, engine, recorder):
    failed = AddReport(items=(), failures=(AddFailure("https://example.com/gone", "HTTP 404"),))
    engine.add = lambda urls, feed=False: failed
    await invoke(bot, _moderator(bot, recorder), "add", url="https://example.com/gone")
    assert engine.called("reload") == 0
    assert [e.to_dict() for e in embeds_sent(recorder.calls[-1])] == [add_embed(failed).to_dict()]


async def test_add_of_an_unchanged_article_does_not_reload(bot, engine, recorder):
    same = AddReport(items=(AddedItem("https://e.com/a", "a", "corpus/a.md", "A", "unchanged"),))
    engine.add = lambda urls, feed=False: same
    await invoke(bot, _moderator(bot, recorder), "add", url="https://e.com/a")
    assert engine.called("reload") == 0


@pytest.mark.parametrize("url", ["example.com/story", "ftp://example.com/x", "javascript:1"])
async def test_add_refuses_a_link_that_is_not_http_without_fetching(bot, engine, recorder, url):
    await invoke(bot, _moderator(bot, recorder), "add", url=url)
    (sent,) = recorder.calls
    assert sent.kwargs["ephemeral"] is True and "http" in text_sent(sent)
    assert engine.calls == []


async def test_corpus_defers_then_shows_the_stats(bot, engine, recorder):
    await invoke(bot, make_interaction(bot, recorder), "corpus")
    assert recorder.names == ["response.defer", "followup.send"]
    final = recorder.named("followup.send")[0]
    assert embeds_sent(final)[0].to_dict() == corpus_embed(make_stats()).to_dict()
