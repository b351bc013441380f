"""The client: command payloads, run_bot exit codes, engine lifetime, command sync."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from unittest import mock

import discord
from bot_helpers import FakeEngine, pings_nobody

import bot.app as app
from bot.app import WirecheckBot, command_payloads, run_bot

EXPECTED = {
    ("add", 1),
    ("ask", 1),
    ("check", 1),
    ("corpus", 1),
    ("feedback", 1),
    ("feeds", 1),
    ("reload", 1),
    ("rollback", 1),
    ("source", 1),
    ("sources", 1),
    ("Check this claim", 3),
}
MODERATOR = {"reload", "rollback", "add", "feeds"}
MANAGE_GUILD = 1 << 5
GUILD_CONTEXT = 0


def _by_name(payloads):
    return {p["name"]: p for p in payloads}


def _options(payload):
    return {o["name"]: (o["type"], o.get("required", False)) for o in payload["options"]}


def test_command_payloads_list_every_command_with_its_type(settings):
    payloads = command_payloads(settings)
    assert {(p["name"], p["type"]) for p in payloads} == EXPECTED


def test_command_payloads_need_no_token_and_never_load_the_engine(settings, monkeypatch):
    assert settings.discord_token is None
    boom = mock.Mock(side_effect=AssertionError("the engine was loaded"))
    monkeypatch.setattr(app, "Engine", boom)
    assert command_payloads(settings)
    boom.assert_not_called()


def test_command_payloads_are_stable_and_json(settings):
    first, second = command_payloads(settings), command_payloads(settings)
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert [p["type"] for p in first] == sorted(p["type"] for p in first)


def test_command_options_are_declared(settings):
    by_name = _by_name(command_payloads(settings))
    string, boolean = 3, 5
    assert _options(by_name["ask"]) == {"question": (string, True)}
    assert _options(by_name["check"]) == {"claim": (string, True)}
    assert _options(by_name["sources"]) == {
        "query": (string, True),
        "outlet": (string, False),
        "since": (string, False),
        "until": (string, False),
    }
    assert _options(by_name["add"]) == {"url": (string, True), "feed": (boolean, False)}
    (article,) = by_name["source"]["options"]
    assert article["autocomplete"] is True
    assert all(len(p["description"]) <= 100 for p in by_name.values() if p["type"] == 1)


def test_moderator_commands_default_to_manage_server_and_are_guild_only(settings):
    by_name = _by_name(command_payloads(settings))
    for name in MODERATOR:
        assert int(by_name[name]["default_member_permissions"]) == MANAGE_GUILD, name
        assert by_name[name]["contexts"] == [GUILD_CONTEXT], name
        assert by_name[name]["dm_permission"] is False, name


def test_everyday_commands_are_open_to_everyone(settings):
    by_name = _by_name(command_payloads(settings))
    for name in ("ask", "check", "sources", "source", "corpus", "feedback", "Check this claim"):
        assert by_name[name]["default_member_permissions"] is None, name
        assert by_name[name]["nsfw"] is False


def test_the_client_asks_for_no_privileged_intents_and_pings_nobody(settings):
    client = WirecheckBot(settings)
    assert not client.intents.message_content
    assert not client.intents.members and not client.intents.presences
    assert pings_nobody(client.allowed_mentions)


def test_run_bot_without_a_token_exits_2_with_a_clear_message(settings, capsys):
    assert run_bot(settings) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DISCORD_TOKEN" in err


def test_run_bot_with_a_rejected_token_exits_1_without_traceback_or_token(
    settings, capsys, caplog, monkeypatch
):
    token = "MTIzNDU2Nzg5.secret-token.value"
    settings = settings.with_overrides(discord_token=token)
    factory = mock.Mock()

    async def reject(self, value):
        logging.getLogger("discord.http").warning("login with %s refused", value)
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", reject)
    caplog.set_level(logging.DEBUG)
    assert run_bot(settings, engine_factory=factory) == 1
    captured = capsys.readouterr()
    assert "rejected the bot token" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert token not in caplog.text and token not in captured.err
    assert "[redacted]" in caplog.text
    factory.assert_not_called()


async def test_setup_hook_loads_the_engine_off_the_loop_and_close_releases_it(settings):
    engine = FakeEngine()
    threads = []

    def factory(_settings):
        threads.append(threading.current_thread())
        return engine

    client = WirecheckBot(settings, engine_factory=factory)
    with mock.patch.object(client, "sync_commands", mock.AsyncMock()):
        await client.setup_hook()
    assert client.engine is engine
    assert threads and threads[0] is not threading.main_thread()
    await client.close()
    assert client.engine is None and engine.released.is_set()


async def test_unchanged_commands_are_synced_once(settings):
    client = WirecheckBot(settings)
    await client.load_extensions()
    with mock.patch.object(client.tree, "sync", mock.AsyncMock(return_value=[])) as sync:
        await client.sync_commands()
        await client.sync_commands()
    sync.assert_awaited_once_with()
    await client.close()


async def test_changed_commands_are_synced_again(settings):
    client = WirecheckBot(settings)
    await client.load_extensions()
    with mock.patch.object(client.tree, "sync", mock.AsyncMock(return_value=[])) as sync:
        await client.sync_commands()
        await client.unload_extension("bot.exts.check")
        await client.sync_commands()
    assert sync.await_count == 2
    await client.close()


async def test_configured_guilds_get_an_instant_guild_sync(settings):
    client = WirecheckBot(settings.with_overrides(guild_ids="111,222"))
    await client.load_extensions()
    with mock.patch.object(client.tree, "sync", mock.AsyncMock(return_value=[])) as sync:
        await client.sync_commands()
    assert sorted(c.kwargs["guild"].id for c in sync.await_args_list) == [111, 222]
    assert {p["name"] for p in app.collect_payloads(client)} >= {"ask", "reload"}
    await client.close()


def test_the_redaction_filter_hides_secrets_in_formatted_messages():
    secret = "tok.en.value"
    record = logging.LogRecord("discord", logging.INFO, __file__, 1, "token=%s", (secret,), None)
    assert app.RedactSecrets(secret).filter(record)
    assert record.getMessage() == "token=[redacted]"


def test_the_redaction_filter_hides_secrets_in_tracebacks_and_stacks():
    """-vv logs a failed HTTP call with its traceback; the error text echoes the token."""
    secret = "MTIz.abc.def-token"
    try:
        raise RuntimeError(f"401 Unauthorized: token {secret} rejected")
    except RuntimeError:
        record = logging.LogRecord(
            "discord.http", logging.DEBUG, __file__, 1, "request failed", (), sys.exc_info()
        )
    record.stack_info = f"Stack (most recent call last):\n  login({secret!r})"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(app.RedactSecrets(secret))
    handler.handle(record)  # what logging calls: filters, then emit
    printed = stream.getvalue()
    assert "RuntimeError: 401 Unauthorized: token [redacted] rejected" in printed
    assert "login('[redacted]')" in printed
    assert secret not in printed


def test_an_uncaught_exception_is_printed_redacted(capsys):
    secret = "MTIz.abc.def-token"
    try:
        raise OSError(f"connect failed for {secret}")
    except OSError:
        app.RedactSecrets(secret).excepthook(*sys.exc_info())
    err = capsys.readouterr().err
    assert "connect failed for [redacted]" in err and secret not in err


def test_the_sharded_setting_runs_the_same_bot_as_an_auto_sharded_bot(settings):
    import dataclasses

    from discord.ext import commands

    from bot.app import WirecheckBot, bot_class

    plain = bot_class(settings)
    sharded = bot_class(dataclasses.replace(settings, discord_sharded=True))
    assert plain is WirecheckBot and not issubclass(plain, commands.AutoShardedBot)
    assert issubclass(sharded, WirecheckBot) and issubclass(sharded, commands.AutoShardedBot)
    # The same commands either way.
    sharded_settings = dataclasses.replace(settings, discord_sharded=True)
    assert command_payloads(sharded_settings) == command_payloads(settings)
