"""/feeds add, list, remove (moderators only) and the scheduler's round: reload, summary post."""

from __future__ import annotations

import sqlite3

import discord
import pytest
from bot_helpers import (
    embeds_sent,
    make_channel,
    make_interaction,
    make_member,
    make_role,
    text_sent,
)
from discord import app_commands
from discord.webhook.async_ import async_context
from discord_wire import RecordingAdapter, slash_interaction
from helpers import settings_for
from webserver import LoopbackServer, Reply, news_page, rss_feed

import retrieval.feedstore as feedstore
from bot.app import WirecheckBot, command_payloads
from bot.render.feeds import feed_added_embed, feed_list_embed, feed_removed_embed, round_embed
from retrieval import ReloadFailed, ReloadInProgress, add_feed, list_feeds

CHANNEL_ID = 555_000_000_000_000_555
FEED_PATH = "/feed.xml"
RSS = "application/rss+xml"


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def settings(tmp_path, server):
    return settings_for(
        tmp_path / "corpus",
        tmp_path / "store",
        ask_cooldown_seconds=0,
        question_timeout_seconds=5,
        moderator_roles="Fact checkers,4242",
        fetch_allow_hosts=f"127.0.0.1:{server.port}",
        feed_channel_id=str(CHANNEL_ID),
    )


@pytest.fixture
def channel(bot, recorder, monkeypatch):
    """The configured summary channel; its sends are recorded."""
    summary = make_channel(recorder)
    monkeypatch.setattr(bot, "get_channel", lambda i: summary if i == CHANNEL_ID else None)
    return summary


def cog(bot: WirecheckBot):
    return bot.get_cog("Feeds")


def moderator(bot, recorder):
    member = make_member(user_id=4242_0000, roles=[make_role("fact checkers")])
    return make_interaction(bot, recorder, user=member)


async def invoke_feeds(bot, interaction, name: str, **params) -> None:
    """A /feeds subcommand as discord.py's tree runs it: checks, callback, errors to on_error."""
    group = bot.tree.get_command("feeds")
    assert isinstance(group, app_commands.Group)
    command = group.get_command(name)
    try:
        if not await command._check_can_run(interaction):
            raise app_commands.CheckFailure(name)
        await command._do_call(interaction, params)
    except app_commands.AppCommandError as error:
        await bot.tree.on_error(interaction, error)


def a_feed(server: LoopbackServer, *names: str) -> str:
    items = []
    for i, name in enumerate(names):
        path = f"/news/{name}"
        page = news_page(f"Story {name}", ["First paragraph of the story here.", "And more."])
        server.route(path, Reply(body=page))
        items.append((f"Story {name}", server.url(path), f"Mon, 23 Jun 2025 10:0{i}:00 GMT"))
    return server.route(FEED_PATH, Reply(body=rss_feed(items), content_type=RSS))


# --- the commands ---------------------------------------------------------------------------


async def test_a_moderator_adds_a_feed_and_sees_it_registered(bot, recorder, settings, server):
    url = server.url(FEED_PATH)
    await invoke_feeds(bot, moderator(bot, recorder), "add", url=url)
    assert recorder.names[0] == "response.defer"
    assert recorder.calls[0].kwargs["ephemeral"] is True
    (feed,) = list_feeds(settings)
    assert (feed.url, feed.added_by) == (url, "42420000")
    assert [e.to_dict() for e in embeds_sent(recorder.calls[-1])] == [
        feed_added_embed(feed).to_dict()
    ]


async def test_a_moderator_lists_the_feeds(bot, recorder, settings, server):
    add_feed(settings, server.url("/one.xml"))
    add_feed(settings, server.url("/two.xml"))
    await invoke_feeds(bot, moderator(bot, recorder), "list")
    assert recorder.names[0] == "response.defer"
    (embed,) = embeds_sent(recorder.calls[-1])
    assert embed.to_dict() == feed_list_embed(list_feeds(settings)).to_dict()
    assert server.url("/one.xml") in embed.description and "/two.xml" in embed.description


async def test_a_moderator_removes_a_feed(bot, recorder, settings, server):
    feed = add_feed(settings, server.url(FEED_PATH))
    await invoke_feeds(bot, moderator(bot, recorder), "remove", url=server.url(FEED_PATH))
    assert list_feeds(settings) == []
    assert [e.to_dict() for e in embeds_sent(recorder.calls[-1])] == [
        feed_removed_embed(feed).to_dict()
    ]


@pytest.mark.parametrize(
    ("name", "params"), [("add", {"url": "https://example.com/feed"}), ("list", {}), ("remove", {})]
)
async def test_feeds_commands_refuse_a_member_without_manage_server_or_role(
    bot, recorder, settings, name, params
):
    if name == "remove":
        params = {"url": "https://example.com/feed"}
    member = make_member(roles=[make_role("Readers")])
    await invoke_feeds(bot, make_interaction(bot, recorder, user=member), name, **params)
    (sent,) = recorder.calls
    assert sent.name == "response.send_message" and sent.kwargs["ephemeral"] is True
    assert "needs Manage Server or a moderator role" in text_sent(sent)
    assert not (settings.store_dir / "feeds.sqlite3").exists()


async def test_manage_server_is_enough_to_add_a_feed(bot, recorder, settings, server):
    interaction = make_interaction(
        bot, recorder, permissions=discord.Permissions(manage_guild=True)
    )
    await invoke_feeds(bot, interaction, "add", url=server.url(FEED_PATH))
    assert len(list_feeds(settings)) == 1


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/feed", "only http and https"),
        ("http://192.168.1.9/feed", "private address"),
    ],
)
async def test_a_bad_feed_url_is_one_private_message_with_the_reason(
    bot, recorder, settings, url, says
):
    await invoke_feeds(bot, moderator(bot, recorder), "add", url=url)
    assert says in text_sent(recorder.sends()[-1])
    assert list_feeds(settings) == []


async def test_adding_a_registered_feed_again_says_so(bot, recorder, settings, server):
    add_feed(settings, server.url(FEED_PATH))
    await invoke_feeds(bot, moderator(bot, recorder), "add", url=server.url(FEED_PATH))
    assert "registered already" in text_sent(recorder.sends()[-1])


async def test_removing_an_unknown_feed_says_so(bot, recorder, server):
    await invoke_feeds(bot, moderator(bot, recorder), "remove", url=server.url("/none.xml"))
    assert "No feed" in text_sent(recorder.sends()[-1])


async def test_a_locked_registry_is_a_short_busy_message_without_paths(
    bot, recorder, settings, server, monkeypatch
):
    add_feed(settings, server.url(FEED_PATH))
    monkeypatch.setattr(feedstore, "BUSY_TIMEOUT_SECONDS", 0.1)
    other = sqlite3.connect(settings.store_dir / "feeds.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        await invoke_feeds(bot, moderator(bot, recorder), "add", url=server.url("/b.xml"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    text = text_sent(recorder.sends()[-1])
    assert "busy or unavailable" in text and str(settings.store_dir) not in text


async def test_feeds_by_a_member_without_rights_through_discord_py_is_one_private_message(
    bot, engine
):
    adapter = RecordingAdapter(channel_id=1)
    token = async_context.set(adapter)
    try:
        interaction = slash_interaction(bot, "feeds")
        subcommand = {"name": "list", "type": 1, "options": []}
        interaction.data = {**interaction.data, "options": [subcommand]}
        await bot.tree._call(interaction)
    finally:
        async_context.reset(token)
    ((kind, callback),) = adapter.sent
    assert callback["type"] == 4 and callback["data"]["flags"] & (1 << 6)
    assert "Manage Server" in callback["data"]["content"]


# --- the scheduler --------------------------------------------------------------------------


async def test_a_round_adds_the_items_reloads_once_and_posts_the_summary(
    bot, engine, recorder, settings, server, channel
):
    add_feed(settings, a_feed(server, "a", "b"))
    report = await cog(bot).tick()
    assert report is not None and report.new == 2
    assert engine.called("reload") == 1
    (post,) = recorder.named("channel.send")
    (embed,) = embeds_sent(post)
    assert embed.to_dict()["title"] == round_embed(report).to_dict()["title"]
    assert embed.footer.text.startswith(report.summary())
    assert "indexed: 1 added" in embed.footer.text  # the fake engine's reload report
    assert "Story a" in embed.description and "Story b" in embed.description


async def test_nothing_due_means_no_round_no_reload_no_post(
    bot, engine, recorder, settings, server, channel
):
    add_feed(settings, a_feed(server, "a"))
    await cog(bot).tick()
    recorder.calls.clear()
    engine.calls.clear()
    assert await cog(bot).tick() is None
    assert engine.calls == [] and recorder.calls == []
    assert server.hits[FEED_PATH] == 1


async def test_a_round_without_news_reloads_nothing_and_posts_nothing(
    bot, engine, recorder, settings, server, channel
):
    server.route(FEED_PATH, Reply(body=rss_feed([]), content_type=RSS))
    add_feed(settings, server.url(FEED_PATH))
    report = await cog(bot).tick()
    assert report is not None and report.feeds and not report.changed
    assert engine.called("reload") == 0 and recorder.named("channel.send") == []


async def test_a_failing_feed_is_reported_to_the_channel(
    bot, engine, recorder, settings, server, channel
):
    server.route(FEED_PATH, Reply(status=404))
    add_feed(settings, server.url(FEED_PATH))
    await cog(bot).tick()
    (post,) = recorder.named("channel.send")
    (embed,) = embeds_sent(post)
    assert "failing" in embed.title and "HTTP 404" in embed.description
    assert engine.called("reload") == 0


async def test_a_reload_already_running_is_tried_again_on_the_next_tick(
    bot, engine, recorder, settings, server, channel
):
    engine.reload_error = ReloadInProgress("a reload is already running")
    add_feed(settings, a_feed(server, "a"))
    await cog(bot).tick()
    assert cog(bot).reload_pending and engine.called("reload") == 1
    (post,) = recorder.named("channel.send")
    assert "waits for the one running" in embeds_sent(post)[0].footer.text
    engine.reload_error = None
    assert await cog(bot).tick() is None  # no feed due: only the reload
    assert engine.called("reload") == 2 and not cog(bot).reload_pending


async def test_a_failed_reload_is_logged_and_said_in_the_summary(
    bot, engine, recorder, settings, server, channel, caplog
):
    engine.reload_error = ReloadFailed("embedding", "out of memory")
    add_feed(settings, a_feed(server, "a"))
    await cog(bot).tick()
    assert "reload after a feed round failed" in caplog.text
    (post,) = recorder.named("channel.send")
    assert "failed while embedding" in embeds_sent(post)[0].footer.text
    assert not cog(bot).reload_pending


async def test_without_a_channel_the_summary_only_goes_to_the_log(
    bot, engine, recorder, settings, server, caplog
):
    bot.settings = settings.with_overrides(feed_channel_id="")
    add_feed(settings, a_feed(server, "a"))
    caplog.set_level("INFO")
    await cog(bot).tick()
    assert recorder.named("channel.send") == []
    assert "feeds: 1 feed polled, 1 new" in caplog.text


async def test_the_scheduler_starts_only_with_an_engine(settings, engine):
    client = WirecheckBot(settings, engine_factory=lambda _: engine)
    await client.load_extensions()
    feeds = cog(client)
    await feeds.on_ready()
    assert not feeds.scheduler.is_running()  # no engine: `wirecheck commands --json`
    client.engine = engine
    assert feeds.start_scheduler() and feeds.scheduler.is_running()
    assert not feeds.start_scheduler()  # once
    await client.close()
    assert not feeds.scheduler.is_running()


def test_printing_command_payloads_never_starts_the_scheduler(settings, monkeypatch):
    started = []
    monkeypatch.setattr("discord.ext.tasks.Loop.start", lambda self, *a, **k: started.append(self))
    assert any(p["name"] == "feeds" for p in command_payloads(settings))
    assert started == []


def test_round_embed_fits_discord_limits_with_many_feeds_and_hostile_titles():
    from retrieval.adding import AddedItem
    from retrieval.feeds import FeedResult, RoundReport

    items = tuple(
        AddedItem(f"https://e.com/{i}", f"a-{i}", "p", "@everyone **bold** " * 20, "added")
        for i in range(30)
    )
    results = tuple(
        FeedResult(f"https://feeds.example/{n}/" + "x" * 150, "polled", items=items)
        for n in range(40)
    )
    embed = round_embed(RoundReport(results, 1.0), "index: " + "y" * 3000)
    assert len(embed) <= 6000 and len(embed.description) <= 4096
    assert "@everyone" not in embed.description and "**bold**" not in embed.description
