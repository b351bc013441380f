"""Discord's 429s on a result or a progress edit: waited out once as Discord asks, never retried
in a loop (real discord.py Interactions; their HTTP recorded at the webhook adapter)."""

from __future__ import annotations

import time

import discord
import pytest
from discord.webhook.async_ import async_context
from discord_wire import RecordingAdapter, http_error, slash_interaction

from bot.respond import RATE_LIMIT_WAIT_SECONDS, edit_progress, rate_limit_wait, send_final


class LimitedAdapter(RecordingAdapter):
    """Answers the first ``limited`` followups and edits with a 429 asking for ``retry_after``."""

    def __init__(self, channel_id: int, limited: int, retry_after: float) -> None:
        super().__init__(channel_id)
        self.limited = limited
        self.retry_after = retry_after
        self.attempts: list[tuple[str, float]] = []

    def _limit(self, kind: str) -> None:
        self.attempts.append((kind, time.monotonic()))
        if self.limited > 0:
            self.limited -= 1
            raise http_error(429, {"Retry-After": str(self.retry_after)})

    async def execute_webhook(self, *args, **kwargs):
        self._limit("followup")
        return await super().execute_webhook(*args, **kwargs)

    async def edit_original_interaction_response(self, *args, **kwargs):
        self._limit("edit")
        return await super().edit_original_interaction_response(*args, **kwargs)


@pytest.fixture
def limited():
    """Installs the adapter in the running test's context (a copy, dropped after the test)."""

    def install(count: int, retry_after: float = 0.05) -> LimitedAdapter:
        adapter = LimitedAdapter(channel_id=1, limited=count, retry_after=retry_after)
        async_context.set(adapter)
        return adapter

    return install


async def _deferred(bot) -> discord.Interaction:
    interaction = slash_interaction(bot, "ask", question="Why?")
    await interaction.response.defer(thinking=True)
    return interaction


async def test_a_result_rate_limited_once_is_sent_again_after_the_wait(bot, limited):
    adapter = limited(1, retry_after=0.05)
    interaction = await _deferred(bot)
    message = await send_final(interaction, content="the answer")
    assert message is not None
    (first, _), (second, at) = adapter.attempts
    assert (first, second) == ("followup", "followup")
    assert at - adapter.attempts[0][1] >= 0.05
    assert [kind for kind, _ in adapter.sent].count("followup") == 1


async def test_a_result_rate_limited_twice_is_not_retried_again(bot, limited):
    adapter = limited(5, retry_after=0.01)
    interaction = await _deferred(bot)
    # No channel to fall back to in this interaction: the result is given up, not looped on.
    assert await send_final(interaction, content="the answer") is None
    assert [kind for kind, _ in adapter.attempts] == ["followup", "followup"]


async def test_a_wait_longer_than_we_sleep_goes_to_the_channel_at_once(bot, limited):
    adapter = limited(1, retry_after=RATE_LIMIT_WAIT_SECONDS + 60)
    interaction = await _deferred(bot)
    started = time.monotonic()
    await send_final(interaction, content="the answer")
    assert len(adapter.attempts) == 1 and time.monotonic() - started < 5


async def test_progress_edits_wait_out_a_rate_limit_without_retrying(bot, limited):
    adapter = limited(1, retry_after=30)
    interaction = await _deferred(bot)
    await edit_progress(interaction, "working 1/3")
    await edit_progress(interaction, "working 2/3")
    await edit_progress(interaction, "working 3/3")
    # The 429 silenced progress for the wait Discord asked; nothing was sent again meanwhile.
    assert [kind for kind, _ in adapter.attempts] == ["edit"]


async def test_progress_resumes_after_the_wait(bot, limited):
    adapter = limited(1, retry_after=0.02)
    interaction = await _deferred(bot)
    await edit_progress(interaction, "working 1/3")
    time.sleep(0.03)
    await edit_progress(interaction, "working 2/3")
    assert [kind for kind, _ in adapter.attempts] == ["edit", "edit"]
    assert adapter.sent[-1][0] == "edit"


def test_rate_limit_wait_reads_what_discord_said():
    assert rate_limit_wait(discord.RateLimited(12.5)) == 12.5
    assert rate_limit_wait(http_error(429, {"Retry-After": "3"})) == 3.0
    assert rate_limit_wait(http_error(429, {"Retry-After": "soon"})) == 1.0
    assert rate_limit_wait(http_error(403)) is None
    assert rate_limit_wait(ValueError("x")) is None
