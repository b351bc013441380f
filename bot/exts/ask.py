"""/ask and @mentions: the answer as an embed, with a button that shows the full excerpts."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from retrieval import Answer

from ..errors import report_interaction_error, report_message_error
from ..render import answer_embed, error_text, excerpt_messages
from ..respond import NO_MENTIONS, defer, edit_progress, reply, send_ephemeral, send_final

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


def answer_view(bot: WirecheckBot, answer: Answer) -> discord.ui.View | None:
    if not answer.citations:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(ExcerptsButton(bot.answers.put(answer)))
    return view


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
        self.bot.add_dynamic_items(ExcerptsButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ExcerptsButton)

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
        await send_final(
            interaction,
            embeds=[answer_embed(answer)],
            view=answer_view(self.bot, answer),
            replace=wrote,
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or not is_for_bot(message, me.id):
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
        with self.bot.gate.admit(message.author.id) as slot:
            async with message.channel.typing():
                answer = await slot.call(engine.ask, question)
        await reply(message, embeds=[answer_embed(answer)], view=answer_view(self.bot, answer))


async def setup(bot: WirecheckBot) -> None:
    await bot.add_cog(Ask(bot))
