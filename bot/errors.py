"""The one error handler: exception type -> a short message for the user.

Expected failures get a sentence that says what happened and what to try. Anything else is logged
with its traceback under a short incident id that the user is shown and can quote.
"""

from __future__ import annotations

import logging
import math
import secrets

import discord
from discord import app_commands

from retrieval import (
    NoPreviousIndex,
    QuestionError,
    ReloadFailed,
    ReloadInProgress,
    StoreUnavailable,
)

from .render import error_text
from .respond import reply, send_ephemeral

log = logging.getLogger(__name__)

_MAX_DETAIL = 300


class UserError(Exception):
    """A refusal whose message is meant for the user as it is."""


class OnCooldown(UserError):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"You asked a moment ago. Try again in {_seconds(retry_after)} s.")


class Busy(UserError):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"I'm busy with other questions right now. Try again in {_seconds(retry_after)} s."
        )


class EngineTimeout(UserError):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(
            "That took too long, so I stopped waiting. Try a shorter or more specific question."
        )


class EngineUnavailable(UserError):
    def __init__(self) -> None:
        super().__init__("I'm still loading the news index. Try again in a minute.")


class NotModerator(app_commands.CheckFailure):
    """The member has neither Manage Server nor one of the configured moderator roles."""


NEEDS_MODERATOR = "This command needs Manage Server or a moderator role."


def describe(error: BaseException) -> str:
    """The user-facing sentence for ``error``; unexpected errors are logged with an incident id."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, QuestionError):
        return _sentence(str(error))
    if isinstance(error, ReloadInProgress):
        return "A reload is already running. Wait for it to finish, then try again."
    if isinstance(error, ReloadFailed):
        return (
            f"The reload failed while {error.stage}: {_detail(error.cause)}. "
            "The previous index keeps serving."
        )
    if isinstance(error, StoreUnavailable):
        return (
            "The news index is not answering right now (its server may be restarting). "
            "Try again in a minute."
        )
    if isinstance(error, NoPreviousIndex):
        return "There is no previous index to roll back to."
    if isinstance(error, NotModerator | app_commands.MissingPermissions):
        return NEEDS_MODERATOR
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    if isinstance(error, app_commands.TransformerError):
        return f"I couldn't read {_detail(error.value)!r} as a {error.type.name}."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    incident = secrets.token_hex(3)
    log.error("incident %s: %s", incident, type(error).__name__, exc_info=error)
    return f"Something went wrong (incident {incident}). Try again later, or quote the incident."


async def report_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    """``tree.on_error``: tell the user, ephemerally, whatever state the interaction is in."""
    text = error_text(describe(error))
    try:
        await send_ephemeral(interaction, text)
    except discord.HTTPException as exc:
        log.warning("could not report an error to the user: %s", exc)


async def report_message_error(message: discord.Message, error: BaseException) -> None:
    """The mention path's handler: a reply (messages have no ephemeral form), pinging nobody."""
    text = error_text(describe(error))
    try:
        await reply(message, content=text)
    except discord.HTTPException as exc:
        log.warning("could not report an error in channel %s: %s", message.channel.id, exc)


def _seconds(value: float) -> int:
    return max(1, math.ceil(value))


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "That request could not be handled."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _detail(value: object) -> str:
    text = " ".join(str(value).split()).rstrip(".")
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"
