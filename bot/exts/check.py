"""/check and the "Check this claim" message command: a verdict with the excerpts behind it,
and the feedback buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..errors import UserError
from ..render import check_embed
from ..respond import defer, send_final
from .feedback import feedback_items, new_key, remember_in_background

if TYPE_CHECKING:
    from ..app import WirecheckBot

NO_TEXT = (
    "That message has no text I can check (embeds, attachments and stickers are not read). "
    "Use /check with the claim instead."
)


class Check(commands.Cog):
    def __init__(self, bot: WirecheckBot) -> None:
        self.bot = bot
        # discord.py cannot declare context menus inside a Cog class; they are added by hand.
        self.check_message_menu = app_commands.ContextMenu(
            name="Check this claim", callback=self.check_message
        )

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.check_message_menu)

    async def cog_unload(self) -> None:
        menu = self.check_message_menu
        self.bot.tree.remove_command(menu.name, type=menu.type)

    @app_commands.command(name="check", description="Check a claim against the news sources")
    @app_commands.describe(claim="The statement to check")
    async def check(self, interaction: discord.Interaction, claim: str) -> None:
        await self.run_check(interaction, claim)

    async def check_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        claim = " ".join(message.content.split())
        if not claim:
            raise UserError(NO_TEXT)
        await self.run_check(interaction, claim)

    async def run_check(self, interaction: discord.Interaction, claim: str) -> None:
        engine = self.bot.require_engine()
        with self.bot.gate.admit(interaction.user.id) as slot:
            await defer(interaction)
            result = await slot.call(engine.check, claim)
        key = new_key()
        view = discord.ui.View(timeout=None)
        for item in feedback_items(key):
            view.add_item(item)
        await send_final(interaction, embeds=[check_embed(result)], view=view)
        remember_in_background(
            self.bot,
            key,
            "check",
            claim,
            f"{result.verdict}: {result.reason}",
            list(dict.fromkeys(e.article_id for e in result.evidence)),
            interaction.guild_id,
            interaction.channel_id,
        )


async def setup(bot: WirecheckBot) -> None:
    await bot.add_cog(Check(bot))
