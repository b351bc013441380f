"""/ask end to end on the real engine (MiniLM, Chroma) over the seed corpus."""

from __future__ import annotations

import pytest
from bot_helpers import BOT_ID, embeds_sent, invoke, make_interaction
from discord_wire import wire

from bot.app import WirecheckBot, open_engine
from bot.render import answer_embed

pytestmark = pytest.mark.integration


async def test_ask_answers_from_the_seed_corpus_with_cited_excerpts(
    settings, real_engine, recorder
):
    bot = WirecheckBot(settings, engine_factory=lambda _: real_engine)
    await bot.load_extensions()
    bot.engine = real_engine
    question = "Why isn't Russia helping Iran?"
    await invoke(bot, make_interaction(bot, recorder), "ask", question=question)
    assert recorder.names == ["response.defer", "followup.send"]
    final = recorder.named("followup.send")[0]
    answer = real_engine.ask(question)
    assert answer.status == "answered" and answer.citations
    assert [e.to_dict() for e in embeds_sent(final)] == [answer_embed(answer).to_dict()]
    assert final.kwargs["view"].children[0].custom_id.startswith("wirecheck:excerpts:")
    bot.engine = None  # the session fixture closes the engine
    await bot.close()


def test_open_engine_indexes_the_corpus_and_is_serving_before_the_first_question(
    minilm, seed_corpus, tmp_path, make_settings
):
    engine = open_engine(make_settings(seed_corpus, tmp_path / "store"))
    try:
        # The served state exists already: the first question does not pay for building it.
        assert engine.serving
        assert engine.stats().articles == 5
    finally:
        engine.close()


async def test_a_follow_up_in_a_thread_is_answered_against_the_earlier_question(
    bot, engine, real_engine
):
    bot.engine = real_engine
    channel = wire(bot)
    thread = channel.thread("What did Putin tell Araghchi?")
    message = channel.message_in(
        thread, f"<@{BOT_ID}> what did he say about the US strikes?", mention_bot=True
    )
    await bot.get_cog("Ask").on_message(message)
    (payload,) = channel.sent
    asked = "what did Putin say about the US strikes?"
    assert payload["content"] == f"-# Answering: {asked}"
    answer = real_engine.ask(asked)
    assert answer.status == "answered"
    assert payload["embeds"] == [answer_embed(answer).to_dict()]
    quotes = " ".join(q for c in answer.citations for q in c.quotes)
    assert "justification" in quotes and "Putin" in quotes
    bot.engine = engine  # the session fixture closes the real engine
