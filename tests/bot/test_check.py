"""/check and the "Check this claim" message command."""

from __future__ import annotations

from unittest import mock

import discord
from bot_helpers import embeds_sent, invoke, invoke_menu, make_check, make_interaction, text_sent

from bot.exts.check import NO_TEXT
from bot.render import check_embed


def _message(content: str) -> mock.NonCallableMagicMock:
    message = mock.NonCallableMagicMock(spec_set=discord.Message)
    message.content = content
    return message


async def test_check_defers_before_any_other_call(bot, engine, recorder):
    await invoke(bot, make_interaction(bot, recorder), "check", claim="Russia armed Iran.")
    assert recorder.names == ["response.defer", "followup.send"]
    assert engine.calls == [("check", ("Russia armed Iran.",))]


async def test_check_sends_the_rendered_verdict(bot, engine, recorder):
    await invoke(bot, make_interaction(bot, recorder), "check", claim="Russia armed Iran.")
    (final,) = recorder.named("followup.send")
    expected = check_embed(make_check("Russia armed Iran.")).to_dict()
    assert [e.to_dict() for e in embeds_sent(final)] == [expected]


async def test_check_this_claim_checks_the_message_text(bot, engine, recorder):
    target = _message("  Russia   withdrew its support for Iran. ")
    await invoke_menu(bot, make_interaction(bot, recorder), "Check this claim", target)
    assert recorder.names == ["response.defer", "followup.send"]
    assert engine.calls == [("check", ("Russia withdrew its support for Iran.",))]


async def test_check_this_claim_on_a_message_without_text_says_so_privately(bot, engine, recorder):
    await invoke_menu(bot, make_interaction(bot, recorder), "Check this claim", _message(""))
    (sent,) = recorder.calls
    assert sent.name == "response.send_message" and sent.kwargs["ephemeral"] is True
    assert NO_TEXT.split(" (")[0] in text_sent(sent)
    assert engine.calls == []


async def test_an_empty_claim_gets_the_engine_reason_privately(bot, engine, recorder):
    from retrieval import QuestionError

    def refuse(claim):
        raise QuestionError("the claim is empty")

    engine.check = refuse
    await invoke(bot, make_interaction(bot, recorder), "check", claim="   ")
    message = recorder.named("followup.send")[-1]
    assert message.kwargs["ephemeral"] is True
    assert "The claim is empty." in text_sent(message)


async def test_the_context_menu_is_removed_when_the_feature_unloads(bot):
    assert bot.tree.get_command("Check this claim", type=discord.AppCommandType.message)
    await bot.unload_extension("bot.exts.check")
    assert bot.tree.get_command("Check this claim", type=discord.AppCommandType.message) is None
