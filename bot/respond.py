"""Answering interactions inside Discord's rules: defer first, no pings, and the 15-minute token.

An interaction token lives 15 minutes; past ~14 (or when Discord says the webhook is gone) a result
goes to the channel as a plain message instead, mentioning and replying to nobody.

Discord's rate limits: discord.py waits out a 429 itself when it can (up to its retries, and up
to ``RATE_LIMIT_WAIT_SECONDS`` on the bot's own routes); what still reaches us is handled once,
never in a loop: a result is sent again once after the wait Discord asked for, then goes to the
channel; progress edits stop until the wait is over (they are throttled besides).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

import discord

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
TOKEN_SAFE_SECONDS = 14 * 60
# Discord's "Invalid Webhook Token": the interaction token has expired.
_INVALID_WEBHOOK_TOKEN = 50027
_PLACEHOLDER = "wirecheck.placeholder"
_QUIET_UNTIL = "wirecheck.progress-quiet-until"
# The longest rate-limit wait discord.py sleeps through on the bot's routes (its minimum) and the
# longest we wait before sending a result once more.
RATE_LIMIT_WAIT_SECONDS = 30.0
_DEFAULT_RETRY_AFTER = 1.0


def rate_limit_wait(exc: BaseException) -> float | None:
    """Seconds Discord asked us to wait, when ``exc`` is a rate limit; else None."""
    if isinstance(exc, discord.RateLimited):
        return float(exc.retry_after)
    if isinstance(exc, discord.HTTPException) and exc.status == 429:
        headers = getattr(exc.response, "headers", None) or {}
        try:
            return max(float(headers.get("Retry-After", _DEFAULT_RETRY_AFTER)), 0.0)
        except (TypeError, ValueError):
            return _DEFAULT_RETRY_AFTER
    return None


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Acknowledge within Discord's 3 s window; shows "thinking…" until the result is sent."""
    interaction.extras[_PLACEHOLDER] = "ephemeral" if ephemeral else "public"
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)


def token_expiring(interaction: discord.Interaction) -> bool:
    age = (discord.utils.utcnow() - interaction.created_at).total_seconds()
    return age > TOKEN_SAFE_SECONDS


def token_expired(exc: discord.HTTPException) -> bool:
    return (
        isinstance(exc, discord.NotFound) or exc.code == _INVALID_WEBHOOK_TOKEN or exc.status == 401
    )


async def send_final(
    interaction: discord.Interaction,
    *,
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    replace: bool = False,
) -> discord.Message | None:
    """Deliver a deferred command's result.

    A followup (which resolves the "thinking…" placeholder), or with ``replace`` an edit of the
    original response (for results that replaced progress text). Falls back to the channel.
    """
    for attempt in (1, 2):
        if token_expiring(interaction):
            log.warning("interaction token expiring; sending the result to the channel instead")
            break
        try:
            if replace:
                message: discord.Message = await interaction.edit_original_response(
                    content=content,
                    embeds=list(embeds),
                    view=view,
                    allowed_mentions=NO_MENTIONS,
                )
            else:
                message = await interaction.followup.send(
                    wait=True, allowed_mentions=NO_MENTIONS, **_message(content, embeds, view)
                )
            interaction.extras[_PLACEHOLDER] = "resolved"
            return message
        except (discord.HTTPException, discord.RateLimited) as exc:
            wait = rate_limit_wait(exc)
            if wait is None:
                if isinstance(exc, discord.HTTPException) and token_expired(exc):
                    log.warning("interaction token expired; sending the result to the channel")
                    break
                raise
            if attempt == 2 or wait > RATE_LIMIT_WAIT_SECONDS:
                log.warning("rate limited by Discord (%.1f s); sending to the channel", wait)
                break
            log.info("rate limited by Discord; sending the result again in %.1f s", wait)
            _quiet_progress(interaction, wait)
            await asyncio.sleep(wait)
    return await to_channel(interaction.channel, content=content, embeds=embeds, view=view)


def _quiet_progress(interaction: discord.Interaction, seconds: float) -> None:
    interaction.extras[_QUIET_UNTIL] = time.monotonic() + seconds


async def edit_progress(interaction: discord.Interaction, text: str) -> None:
    """Replace the placeholder with progress text; skipped once the token is about to expire."""
    if token_expiring(interaction):
        return
    if time.monotonic() < interaction.extras.get(_QUIET_UNTIL, 0.0):
        return  # rate limited a moment ago: progress waits, the result does not
    try:
        await interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)
    except (discord.HTTPException, discord.RateLimited) as exc:
        wait = rate_limit_wait(exc)
        if wait is not None:
            _quiet_progress(interaction, wait)
        log.debug("progress edit failed: %s", exc)


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """A short message only the user sees, whatever state the interaction is in."""
    if not interaction.response.is_done():
        await interaction.response.send_message(
            text, ephemeral=True, allowed_mentions=NO_MENTIONS, suppress_embeds=True
        )
        return
    if token_expiring(interaction):
        await to_channel(interaction.channel, content=text)
        return
    placeholder = interaction.extras.get(_PLACEHOLDER)
    try:
        if placeholder == "ephemeral":
            await interaction.edit_original_response(
                content=text, embeds=[], view=None, allowed_mentions=NO_MENTIONS
            )
            return
        if placeholder == "public":
            # The public "thinking…" message would inherit its visibility to the first followup;
            # removing it lets the message reach the user alone.
            with suppress(discord.HTTPException):
                await interaction.delete_original_response()
        await interaction.followup.send(
            text, ephemeral=True, allowed_mentions=NO_MENTIONS, suppress_embeds=True
        )
    except discord.HTTPException as exc:
        if not token_expired(exc):
            raise
        await to_channel(interaction.channel, content=text)


async def to_channel(
    channel: Any,
    *,
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
) -> discord.Message | None:
    """A plain channel message: no reply, no pings, no link previews for plain text."""
    if not isinstance(channel, discord.abc.Messageable):
        log.warning("no channel to send a late result to")
        return None
    try:
        return await channel.send(
            allowed_mentions=NO_MENTIONS,
            suppress_embeds=not embeds,
            **_message(content, embeds, view),
        )
    except (discord.HTTPException, discord.RateLimited) as exc:
        log.warning("could not send to channel %s: %s", getattr(channel, "id", "?"), exc)
        return None


async def reply(
    message: discord.Message,
    *,
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
) -> discord.Message:
    """Reply to a message without pinging its author; still sent if the message was deleted."""
    return await message.channel.send(
        reference=message.to_reference(fail_if_not_exists=False),
        allowed_mentions=NO_MENTIONS,
        suppress_embeds=not embeds,
        **_message(content, embeds, view),
    )


def _message(
    content: str | None, embeds: Sequence[discord.Embed], view: discord.ui.View | None
) -> dict[str, Any]:
    """Keyword arguments for send(): discord.py wants parameters left out, not None."""
    out: dict[str, Any] = {}
    if content is not None:
        out["content"] = content
    if embeds:
        out["embeds"] = list(embeds)
    if view is not None:
        out["view"] = view
    return out
