"""Real discord.py objects on the bot's own ConnectionState, with HTTP recorded, not sent.

Messages for the mention path (payloads recorded at the HTTP client) and Interactions for slash
commands (payloads recorded at the webhook adapter, as discord.py's own tests fake it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import discord
from bot_helpers import BOT_ID, LIVE, _ids

from bot.app import WirecheckBot

# -- real discord.py messages on the bot's own ConnectionState (the mention path) ---------------


def user_payload(user_id: int, name: str = "asker", bot: bool = False) -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "avatar": None, "bot": bot}


def message_payload(
    channel: discord.TextChannel,
    author: dict[str, Any],
    content: str,
    *,
    mentions: Sequence[dict[str, Any]] = (),
    replying_to: dict[str, Any] | None = None,
    message_id: int | None = None,
) -> dict[str, Any]:
    """A MESSAGE_CREATE payload as the gateway sends it (without the message_content intent,
    ``content`` is only filled when the message mentions the bot)."""
    data: dict[str, Any] = {
        "id": str(message_id or next(_ids)),
        "channel_id": str(channel.id),
        "guild_id": str(channel.guild.id),
        "author": author,
        "content": content,
        "timestamp": "2025-06-23T10:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": list(mentions),
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
    }
    if replying_to is not None:
        data["type"] = 19
        data["message_reference"] = {
            "message_id": replying_to["id"],
            "channel_id": str(channel.id),
            "guild_id": str(channel.guild.id),
        }
        data["referenced_message"] = replying_to
    return data


def thread_payload(
    thread_id: int, parent_id: int, guild_id: int, name: str, owner_id: int
) -> dict[str, Any]:
    """A public thread as the gateway and the REST API describe it."""
    return {
        "id": str(thread_id),
        "parent_id": str(parent_id),
        "guild_id": str(guild_id),
        "owner_id": str(owner_id),
        "type": 11,
        "name": name,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2025-06-23T10:00:00+00:00",
            "locked": False,
        },
    }


def member_payload(user_id: int, permissions: int = 0) -> dict[str, Any]:
    return {
        "user": user_payload(user_id),
        "roles": [],
        "permissions": str(permissions),
        "joined_at": "2025-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
    }


@dataclass
class Wire:
    """The bot's HTTP client replaced by a recorder of the payloads discord.py would send."""

    bot: WirecheckBot
    channel: discord.TextChannel
    sent: list[dict[str, Any]] = field(default_factory=list)
    # The channel (or thread) id each payload in ``sent`` went to, and the threads opened.
    sent_to: list[int] = field(default_factory=list)
    threads: list[discord.Thread] = field(default_factory=list)
    # Set to refuse thread creation (as Discord does without Create Public Threads).
    threads_forbidden: bool = False

    def thread(self, name: str, owner_id: int = BOT_ID, thread_id: int | None = None):
        """A public thread in the channel, known to the guild as after THREAD_CREATE."""
        data = thread_payload(
            thread_id or next(_ids), self.channel.id, self.channel.guild.id, name, owner_id
        )
        made = discord.Thread(guild=self.channel.guild, state=self.bot._connection, data=data)
        self.channel.guild._add_thread(made)
        self.threads.append(made)
        return made

    def message_in(
        self, thread: discord.Thread, content: str, *, mention_bot: bool = False
    ) -> discord.Message:
        author = user_payload(next(_ids))
        mentions = [user_payload(BOT_ID, "Wirecheck", bot=True)] if mention_bot else []
        data = message_payload(self.channel, author, content, mentions=mentions)
        data["channel_id"] = str(thread.id)
        return discord.Message(state=self.bot._connection, channel=thread, data=data)

    def message(
        self,
        content: str,
        *,
        author_id: int | None = None,
        bot_author: bool = False,
        mention_bot: bool = False,
        replying_to: dict[str, Any] | None = None,
    ):
        author = user_payload(author_id or next(_ids), bot=bot_author)
        mentions = [user_payload(BOT_ID, "Wirecheck", bot=True)] if mention_bot else []
        data = message_payload(
            self.channel, author, content, mentions=mentions, replying_to=replying_to
        )
        return discord.Message(state=self.bot._connection, channel=self.channel, data=data)

    def bot_message(
        self, content: str = "", embeds: Sequence[discord.Embed] = ()
    ) -> dict[str, Any]:
        data = message_payload(self.channel, user_payload(BOT_ID, "Wirecheck", bot=True), content)
        data["embeds"] = [e.to_dict() for e in embeds]
        return data


class _WiredHTTP(discord.http.HTTPClient):
    """HTTPClient's interface plus the session attribute an Interaction reads on creation."""

    _HTTPClient__session: Any = None
    proxy: Any = None
    proxy_auth: Any = None


def wire(bot: WirecheckBot) -> Wire:
    """A guild text channel on the bot's real ConnectionState whose sends are recorded."""
    state = bot._connection
    guild = discord.Guild(data={"id": str(next(_ids)), "name": "newsroom"}, state=state)
    channel = discord.TextChannel(
        state=state,
        guild=guild,
        data={"id": str(next(_ids)), "type": 0, "name": "questions", "position": 0},
    )
    recorded = Wire(bot, channel)
    LIVE.append(recorded)

    async def send_message(channel_id: int, *, params: Any) -> dict[str, Any]:
        recorded.sent.append(params.payload)
        recorded.sent_to.append(int(channel_id))
        return recorded.bot_message(params.payload.get("content") or "")

    async def send_typing(channel_id: int) -> None:
        return None

    async def start_thread_with_message(
        channel_id: int, message_id: int, *, name: str, **kwargs: Any
    ) -> dict[str, Any]:
        if recorded.threads_forbidden:
            raise discord.Forbidden(_Response(403), {"code": 50001, "message": "Missing Access"})
        made = recorded.thread(name, thread_id=int(message_id))
        return thread_payload(made.id, channel_id, channel.guild.id, name, BOT_ID)

    # HTTPClient methods return coroutines from plain functions; the side effects are coroutines.
    http = mock.NonCallableMagicMock(spec_set=_WiredHTTP)
    # Read by Interaction and its responses; their HTTP goes to the webhook adapter.
    http._HTTPClient__session = http.proxy = http.proxy_auth = None
    http.send_message.side_effect = send_message
    http.send_typing.side_effect = send_typing
    http.start_thread_with_message.side_effect = start_thread_with_message
    state.http = http
    return recorded


class _Response:
    """What discord.HTTPException reads from an aiohttp response: a status, a reason, headers."""

    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.reason = {403: "Forbidden", 429: "Too Many Requests"}.get(status, "Error")
        self.headers = headers or {}


def http_error(status: int, headers: dict[str, str] | None = None, code: int = 0):
    """The exception discord.py raises for an HTTP error response."""
    kind = {403: discord.Forbidden, 404: discord.NotFound}.get(status, discord.HTTPException)
    return kind(_Response(status, headers), {"code": code, "message": "error"})


# -- real discord.py Interactions, their HTTP calls recorded at the webhook adapter -------------


class RecordingAdapter:
    """Stands in for discord.py's AsyncWebhookAdapter (how its own tests fake interaction HTTP):
    records each JSON payload discord.py would send for an interaction."""

    def __init__(self, channel_id: int) -> None:
        self.channel_id = channel_id
        self.sent: list[tuple[str, dict[str, Any] | None]] = []
        LIVE.append(self)

    def _message(self) -> dict[str, Any]:
        return {
            "id": str(next(_ids)),
            "channel_id": str(self.channel_id),
            "author": user_payload(BOT_ID, "Wirecheck", bot=True),
            "content": "",
            "type": 0,
            "timestamp": "2025-06-23T10:00:00+00:00",
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
        }

    async def create_interaction_response(self, *args: Any, params: Any, **kwargs: Any):
        self.sent.append(("callback", params.payload))
        return {"interaction": {"id": "1", "type": 2, "response_message_loading": True}}

    async def execute_webhook(self, *args: Any, payload: Any = None, **kwargs: Any):
        self.sent.append(("followup", payload))
        return self._message()

    async def edit_original_interaction_response(self, *args: Any, payload: Any = None, **kw: Any):
        self.sent.append(("edit", payload))
        return self._message()

    async def delete_original_interaction_response(self, *args: Any, **kwargs: Any) -> None:
        self.sent.append(("delete", None))


def interaction_payload(
    kind: int,
    data: dict[str, Any],
    *,
    user_id: int | None = None,
    permissions: int = 0,
    guild_id: int | None = None,
    channel_id: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: ``kind`` 2 a command, 3 a component, 5 a modal submit."""
    return {
        "id": str(discord.utils.time_snowflake(discord.utils.utcnow())),
        "application_id": str(BOT_ID),
        "type": kind,
        "token": "interaction-token",
        "version": 1,
        "channel_id": str(channel_id or next(_ids)),
        "guild_id": str(guild_id or next(_ids)),
        "app_permissions": "0",
        "locale": "en-US",
        "attachment_size_limit": 10_485_760,
        "member": member_payload(user_id or next(_ids), permissions),
        "data": data,
        **extra,
    }


def slash_interaction(
    bot: WirecheckBot, name: str, permissions: int = 0, **options: Any
) -> discord.Interaction:
    """A real Interaction built from an INTERACTION_CREATE payload for a slash command."""
    kinds = {str: 3, bool: 5, int: 4}
    data = interaction_payload(
        2,
        {
            "id": str(next(_ids)),
            "name": name,
            "type": 1,
            "options": [
                {"name": k, "type": kinds[type(v)], "value": v} for k, v in options.items()
            ],
        },
        permissions=permissions,
    )
    return discord.Interaction(data=data, state=bot._connection)


def component_interaction_payload(
    bot: WirecheckBot,
    custom_id: str,
    *,
    user_id: int | None = None,
    guild_id: int | None = None,
    channel_id: int | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload for a click on a button of one of the bot's messages."""
    channel = str(channel_id or next(_ids))
    message = {
        "id": str(next(_ids)),
        "channel_id": channel,
        "author": user_payload(BOT_ID, "Wirecheck", bot=True),
        "content": "",
        "type": 0,
        "flags": 0,
        "timestamp": "2025-06-23T10:00:00+00:00",
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "components": [
            {"type": 1, "components": [{"type": 2, "style": 2, "custom_id": custom_id}]}
        ],
    }
    return interaction_payload(
        3,
        {"custom_id": custom_id, "component_type": 2},
        user_id=user_id,
        guild_id=guild_id,
        channel_id=int(channel),
        message=message,
    )


def modal_submit_payload(
    modal: dict[str, Any], values: list[str], message: dict[str, Any], **where: Any
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload submitting ``modal`` (as the bot sent it) with one value
    per text input, from the form opened on ``message``."""
    inputs = [c for row in modal["components"] for c in row["components"]]
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": c["custom_id"], "value": v}]}
        for c, v in zip(inputs, values, strict=True)
    ]
    data = {"custom_id": modal["custom_id"], "components": rows}
    return interaction_payload(5, data, message=message, **where)


async def click(bot: WirecheckBot, custom_id: str, **payload: Any) -> None:
    """Dispatch a button click as the gateway does (``parse_interaction_create``) and wait for
    the callbacks discord.py schedules for it (a dynamic item's runs in a task of its own)."""
    before = asyncio.all_tasks()
    bot._connection.parse_interaction_create(
        component_interaction_payload(bot, custom_id, **payload)
    )
    started = asyncio.all_tasks() - before
    assert started, f"nothing handles {custom_id!r}"
    await asyncio.gather(*started)
