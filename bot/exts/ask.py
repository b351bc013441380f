"""/ask and @mentions: the answer as an embed, with buttons for the full excerpts, a follow-up
and feedback.

Follow-ups (the button, a reply to an answer, or a mention in one of the bot's threads) are
answered in a thread opened on the answer, each question read against the thread's earlier ones
(``retrieval.followup``); what was answered is shown in small text when it differs from what was
typed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from contextlib import suppress
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import Answer, resolve_followup

from ..errors import report_interaction_error, report_message_error
from ..render import answer_embed, error_text, excerpt_messages
from ..render.markdown import escape, fit, one_line
from ..respond import NO_MENTIONS, defer, edit_progress, reply, send_ephemeral, send_final
from .feedback import feedback_items, remember_in_background

if TYPE_CHECKING:
    from ..app import WirecheckBot

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@!?(\d+)>")
HELP = (
    "Mention me with a question about the news in my sources, for example "
    "“@Wirecheck why isn't Russia helping Iran?”, or use /ask."
)
# With an LLM configured, a reply still working after this long says the model is writing.
WRITING_AFTER_SECONDS = 2.0
WRITING = "✍️ Writing the answer from the sources…"
EXPIRED = "That answer is no longer in my memory (I keep the recent ones). Ask again to see it."
FOLLOW_UP = "Ask a follow-up"
# Discord's limits: a thread name, and a text input in a modal.
THREAD_NAME = 100
INPUT_MAX = 4000
# A small-text line ("-# ...") in a message's content.
NOTE_CAP = 600
# Discord's error code when a message already has a thread.
_THREAD_EXISTS = 160004


class ExcerptsButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"wirecheck:excerpts:(?P<key>[0-9a-f]{12})",
):
    """Survives restarts: the answer's key is in the custom_id; the answer itself is cached."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show excerpts",
                style=discord.ButtonStyle.secondary,
                custom_id=f"wirecheck:excerpts:{key}",
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> ExcerptsButton:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction) -> Any:
        # discord.py only logs what a dynamic item's callback raises: route it to the handler.
        try:
            await self._show_excerpts(interaction)
        except Exception as exc:  # noqa: BLE001 - the one handler words it, with an incident id
            await report_interaction_error(interaction, exc)

    async def _show_excerpts(self, interaction: discord.Interaction) -> None:
        bot = cast("WirecheckBot", interaction.client)
        answer = bot.answers.get(self.key)
        messages = excerpt_messages(answer) if answer is not None else []
        if not messages:
            text = EXPIRED if answer is None else "This answer has no excerpts."
            await send_ephemeral(interaction, error_text(text))
            return
        first, *rest = messages
        await interaction.response.send_message(
            embeds=first, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        for embeds in rest:
            await interaction.followup.send(
                embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS
            )


class FollowUpButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"wirecheck:followup:(?P<key>[0-9a-f]{12})",
):
    """Opens a form for the follow-up question; the answer goes to a thread on the answer."""

    def __init__(self, key: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=FOLLOW_UP,
                emoji="💬",
                style=discord.ButtonStyle.primary,
                custom_id=f"wirecheck:followup:{key}",
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> FollowUpButton:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction) -> Any:
        try:
            bot = cast("WirecheckBot", interaction.client)
            limit = min(bot.settings.max_question_chars, INPUT_MAX)
            await interaction.response.send_modal(FollowUpForm(self.key, limit))
        except Exception as exc:  # noqa: BLE001 - the one handler words it, with an incident id
            await report_interaction_error(interaction, exc)


class FollowUpForm(discord.ui.Modal, title=FOLLOW_UP):
    def __init__(self, key: str, limit: int) -> None:
        super().__init__(timeout=None, custom_id=f"wirecheck:followup-form:{key}")
        self.key = key
        self.question: discord.ui.TextInput = discord.ui.TextInput(
            label="Your question",
            placeholder="and what about China?",
            max_length=limit,
        )
        self.add_item(self.question)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        bot = cast("WirecheckBot", interaction.client)
        cog = cast("Ask", bot.get_cog("Ask"))
        await cog.follow_up(interaction, self.key, self.question.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_interaction_error(interaction, error)


def answer_view(bot: WirecheckBot, answer: Answer, key: str | None = None) -> discord.ui.View:
    """Excerpts (when the answer quotes any), a follow-up, and the feedback buttons."""
    key = key or bot.answers.put(answer)
    view = discord.ui.View(timeout=None)
    if answer.citations:
        view.add_item(ExcerptsButton(key))
    view.add_item(FollowUpButton(key))
    for item in feedback_items(key):
        view.add_item(item)
    return view


def note(*lines: str) -> str | None:
    """Small text above an answer ("-# ..."): what was asked, how it was read."""
    shown = [f"-# {fit(one_line(line), NOTE_CAP, escape)}" for line in lines if line.strip()]
    return "\n".join(shown) or None


def read_as(typed: str, resolved: str) -> str:
    return "" if one_line(typed) == one_line(resolved) else f"Answering: {resolved}"


def ended_note(bot: WirecheckBot) -> str:
    c = bot.conversations
    return (
        f"This thread's conversation reached its limit ({c.max_turns} questions or "
        f"{c.max_age / 3600:g} h), so this question is answered on its own."
    )


def opening_question(bot: WirecheckBot, message: discord.Message | None) -> str | None:
    """The question a bot answer message answered: remembered, else read from its embed."""
    if message is None:
        return None
    remembered = bot.conversations.question_of(message.id)
    if remembered:
        return remembered
    for embed in message.embeds:
        description = embed.description or ""
        asked = re.search(r"\*\*Question:\*\* (.+)", description)
        if asked:
            return asked.group(1).replace("\\", "")
        if embed.title and not embed.title.startswith("📭"):
            return embed.title
    return None


async def thread_for(message: discord.Message, name: str) -> discord.Thread | None:
    """The thread on ``message`` (opened now if it has none); None where threads cannot be."""
    guild = message.guild
    if guild is None or not isinstance(message.channel, discord.TextChannel):
        return None
    existing = guild.get_thread(message.id)
    if existing is not None:
        return existing
    try:
        return await message.create_thread(
            name=fit(one_line(name), THREAD_NAME, lambda t: t) or FOLLOW_UP,
            auto_archive_duration=1440,
        )
    except discord.HTTPException as exc:
        if exc.code == _THREAD_EXISTS:
            with suppress(discord.HTTPException):
                found = await guild.fetch_channel(message.id)
                if isinstance(found, discord.Thread):
                    return found
        log.info("could not open a thread on message %s: %s", message.id, exc)
        return None


def question_from(message: discord.Message, bot_id: int) -> str:
    """The message text without the mentions of the bot."""
    text = _MENTION.sub(lambda m: "" if int(m[1]) == bot_id else m[0], message.content)
    return " ".join(text.split())


def is_for_bot(message: discord.Message, bot_id: int) -> bool:
    """Mentions the bot, or replies to one of its messages."""
    if any(user.id == bot_id for user in message.mentions):
        return True
    ref = message.reference
    replied = ref.resolved if ref is not None else None
    return isinstance(replied, discord.Message) and replied.author.id == bot_id


class Ask(commands.Cog):
    def __init__(self, bot: WirecheckBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ExcerptsButton, FollowUpButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ExcerptsButton, FollowUpButton)

    @app_commands.command(name="ask", description="Answer a question from the news sources")
    @app_commands.describe(question="What you want to know")
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        engine = self.bot.require_engine()
        with self.bot.gate.admit(interaction.user.id) as slot:
            await defer(interaction)
            working = asyncio.ensure_future(slot.call(engine.ask, question))
            wrote = False
            if getattr(engine, "writes_prose", False):
                # A model writing prose can take a while: say so once, after WRITING_AFTER.
                done, _ = await asyncio.wait({working}, timeout=WRITING_AFTER_SECONDS)
                if not done:
                    await edit_progress(interaction, WRITING)
                    wrote = True
            answer = await working
        key = self.bot.answers.put(answer)
        sent = await send_final(
            interaction,
            embeds=[answer_embed(answer)],
            view=answer_view(self.bot, answer, key),
            replace=wrote,
        )
        self._sent(sent, key, answer, interaction.guild_id, interaction.channel_id)

    def _sent(
        self,
        message: discord.Message | None,
        key: str,
        answer: Answer,
        guild_id: int | None,
        channel_id: int | None,
    ) -> None:
        """After an answer went out: remembered for replies to it, and recorded for votes."""
        if message is not None:
            self.bot.conversations.answered(message.id, answer.question)
        remember_in_background(
            self.bot,
            key,
            "ask",
            answer.question,
            answer.answer,
            [c.article_id for c in answer.citations],
            guild_id,
            channel_id,
        )

    # -- follow-ups ------------------------------------------------------------------------

    def ours(self, thread: discord.Thread) -> bool:
        me = self.bot.user
        return thread.id in self.bot.conversations or (me is not None and thread.owner_id == me.id)

    async def follow_up(self, interaction: discord.Interaction, key: str, typed: str) -> None:
        """The follow-up form's question: answered in the thread on the answer it came from."""
        engine = self.bot.require_engine()
        cached = self.bot.answers.get(key)
        opening = cached.question if cached is not None else None
        opening = opening or opening_question(self.bot, interaction.message)
        channel = interaction.channel
        asker = getattr(interaction.user, "display_name", "Someone")
        with self.bot.gate.admit(interaction.user.id) as slot:
            if isinstance(channel, discord.Thread):
                await defer(interaction)
                turn = self.bot.conversations.turn(channel.id, channel.name)
                resolved = resolve_followup(typed, turn.history)
                answer = await slot.call(engine.ask, resolved)
                self.bot.conversations.asked(channel.id, resolved)
                lines = [f"{asker} asked: {typed}", read_as(typed, resolved)]
                if turn.ended_now:
                    lines.append(ended_note(self.bot))
                key = self.bot.answers.put(answer)
                sent = await send_final(
                    interaction,
                    content=note(*lines),
                    embeds=[answer_embed(answer)],
                    view=answer_view(self.bot, answer, key),
                )
                self._sent(sent, key, answer, interaction.guild_id, channel.id)
                return
            await defer(interaction, ephemeral=True)
            thread = None
            if interaction.message is not None:
                thread = await thread_for(interaction.message, opening or typed)
            history = (opening,) if opening else ()
            if thread is not None:
                history = self.bot.conversations.turn(thread.id, opening).history
            resolved = resolve_followup(typed, history)
            answer = await slot.call(engine.ask, resolved)
        key = self.bot.answers.put(answer)
        lines = [f"{asker} asked: {typed}", read_as(typed, resolved)]
        target = thread if thread is not None else channel
        sent = await _send(
            target, note(*lines), answer_embed(answer), answer_view(self.bot, answer, key)
        )
        if thread is not None:
            self.bot.conversations.asked(thread.id, resolved)
        self._sent(sent, key, answer, interaction.guild_id, getattr(target, "id", None))
        if sent is None:
            await send_ephemeral(
                interaction, error_text("I could not post the answer there (missing permissions?).")
            )
            return
        where = thread.mention if thread is not None else "this channel"
        await send_ephemeral(interaction, f"Answered in {where}.")

    @commands.Cog.listener()
    async def on_thread_update(self, before: discord.Thread, after: discord.Thread) -> None:
        if after.archived or after.locked:
            self.bot.conversations.end(after.id)

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        self.bot.conversations.end(payload.thread_id)

    # -- mentions and replies --------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot:
            return
        in_our_thread = (
            self.bot.settings.thread_read_messages
            and isinstance(message.channel, discord.Thread)
            and self.ours(message.channel)
        )
        if not (in_our_thread or is_for_bot(message, me.id)):
            return
        try:
            await self.answer_message(message, me.id)
        except Exception as exc:  # the mention path's error handler
            await report_message_error(message, exc)

    async def answer_message(self, message: discord.Message, bot_id: int) -> None:
        question = question_from(message, bot_id)
        if not question:
            # Also what a reply without the ping gets: Discord only shows us text that mentions us.
            await reply(message, content=HELP)
            return
        engine = self.bot.require_engine()
        channel = message.channel
        replied = _replied_bot_message(message, bot_id)
        thread: discord.Thread | None = None
        history: tuple[str, ...] = ()
        ended = False
        if isinstance(channel, discord.Thread) and self.ours(channel):
            thread = channel
            turn = self.bot.conversations.turn(channel.id, channel.name)
            history, ended = turn.history, turn.ended_now
        elif replied is not None:
            opening = opening_question(self.bot, replied)
            thread = await thread_for(replied, opening or question)
            if thread is not None:
                turn = self.bot.conversations.turn(thread.id, opening)
                history, ended = turn.history, turn.ended_now
            elif opening:
                history = (opening,)
        resolved = resolve_followup(question, history)
        with self.bot.gate.admit(message.author.id) as slot:
            async with channel.typing():
                answer = await slot.call(engine.ask, resolved)
        if thread is not None:
            self.bot.conversations.asked(thread.id, resolved)
        key = self.bot.answers.put(answer)
        view = answer_view(self.bot, answer, key)
        lines = [read_as(question, resolved), ended_note(self.bot) if ended else ""]
        if thread is not None and thread is not channel:
            # A reply in the channel opened the thread: the answer goes there, under the asker's
            # words (the channel shows the reply; the thread would not).
            asker = getattr(message.author, "display_name", "Someone")
            lines.insert(0, f"{asker} asked: {question}")
            sent = await _send(thread, note(*lines), answer_embed(answer), view)
        else:
            sent = await reply(
                message, content=note(*lines), embeds=[answer_embed(answer)], view=view
            )
        self._sent(sent, key, answer, message.guild.id if message.guild else None, channel.id)


def _replied_bot_message(message: discord.Message, bot_id: int) -> discord.Message | None:
    ref = message.reference
    replied = ref.resolved if ref is not None else None
    if isinstance(replied, discord.Message) and replied.author.id == bot_id:
        return replied
    return None


async def _send(
    target: Any, content: str | None, embed: discord.Embed, view: discord.ui.View
) -> discord.Message | None:
    """An answer sent to a thread (or channel) without replying to anyone."""
    if not isinstance(target, discord.abc.Messageable):
        log.warning("no channel to send a follow-up answer to")
        return None
    kwargs: dict[str, Any] = {"embeds": [embed], "view": view, "allowed_mentions": NO_MENTIONS}
    if content:
        kwargs["content"] = content
    try:
        return await target.send(**kwargs)
    except discord.HTTPException as exc:
        log.warning("could not send a follow-up answer to %s: %s", getattr(target, "id", "?"), exc)
        return None


async def setup(bot: WirecheckBot) -> None:
    await bot.add_cog(Ask(bot))
