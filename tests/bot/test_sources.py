"""/sources (search, paged, filters) and /source (one article, autocomplete)."""

from __future__ import annotations

from datetime import date

import pytest
from bot_helpers import (
    Recorder,
    embeds_sent,
    feature,
    invoke,
    make_article,
    make_interaction,
    make_member,
    text_sent,
)

from bot.exts.sources import MAX_CHOICE_CHARS, MAX_CHOICES, PAGE_SIZE, SourcesPager
from bot.render import article_embed, sources_embed
from retrieval import SourceHit


def _hits(n: int) -> list[SourceHit]:
    return [
        SourceHit(make_article(f"article-{i}", f"Title {i}"), 1.0 / (i + 1), f"snippet {i}")
        for i in range(n)
    ]


async def test_sources_defers_before_any_other_call(bot, engine, recorder):
    engine.hits = _hits(3)
    await invoke(bot, make_interaction(bot, recorder), "sources", query="putin")
    assert recorder.names == ["response.defer", "followup.send"]
    assert engine.calls[0][0] == "sources"


async def test_sources_passes_outlet_and_dates_to_the_engine(bot, engine, recorder):
    await invoke(
        bot,
        make_interaction(bot, recorder),
        "sources",
        query="putin",
        outlet="Reuters",
        since="2025-06-01",
        until="2025-06-30",
    )
    (call,) = engine.calls
    assert call[1][2:] == ("Reuters", date(2025, 6, 1), date(2025, 6, 30))


@pytest.mark.parametrize("bad", ["2025-6-1", "yesterday", "2025-02-30", "2025-06-01T10:00"])
async def test_a_bad_date_is_refused_clearly_without_searching(bot, engine, recorder, bad):
    await invoke(bot, make_interaction(bot, recorder), "sources", query="putin", since=bad)
    (sent,) = recorder.calls
    assert sent.name == "response.send_message" and sent.kwargs["ephemeral"] is True
    assert "YYYY-MM-DD" in text_sent(sent)
    assert engine.calls == []


async def test_since_after_until_is_refused(bot, engine, recorder):
    await invoke(
        bot,
        make_interaction(bot, recorder),
        "sources",
        query="x",
        since="2025-07-01",
        until="2025-06-01",
    )
    assert "since must be on or before until" in text_sent(recorder.calls[0])
    assert engine.calls == []


async def test_many_hits_come_in_pages_with_buttons(bot, engine, recorder):
    engine.hits = _hits(12)
    await invoke(bot, make_interaction(bot, recorder), "sources", query="putin")
    (final,) = recorder.named("followup.send")
    pager = final.kwargs["view"]
    assert isinstance(pager, feature(bot, "sources").SourcesPager) and pager.pages == 3
    expected = sources_embed("putin", engine.hits[:PAGE_SIZE], 1, 3, 0).to_dict()
    assert embeds_sent(final)[0].to_dict() == expected
    assert pager.previous.disabled and not pager.next.disabled


async def test_one_page_of_hits_has_no_buttons(bot, engine, recorder):
    engine.hits = _hits(2)
    await invoke(bot, make_interaction(bot, recorder), "sources", query="putin")
    assert "view" not in recorder.named("followup.send")[0].kwargs


async def test_the_invoker_turns_the_page(bot):
    owner = make_member()
    pager = SourcesPager(owner.id, "putin", _hits(12))
    clicks = Recorder()
    click = make_interaction(bot, clicks, user=owner)
    assert await pager.interaction_check(click)
    await pager.next.callback(click)
    (edit,) = clicks.named("response.edit_message")
    assert pager.page == 2
    expected = sources_embed("putin", _hits(12)[PAGE_SIZE : 2 * PAGE_SIZE], 2, 3, PAGE_SIZE)
    assert edit.kwargs["embed"].to_dict() == expected.to_dict()


async def test_someone_else_cannot_turn_the_page(bot):
    pager = SourcesPager(make_member().id, "putin", _hits(12))
    clicks = Recorder()
    assert not await pager.interaction_check(make_interaction(bot, clicks))
    (sent,) = clicks.calls
    assert sent.name == "response.send_message" and sent.kwargs["ephemeral"] is True
    assert pager.page == 1


async def test_the_pager_removes_its_buttons_when_it_times_out(bot, engine, recorder):
    engine.hits = _hits(12)
    await invoke(bot, make_interaction(bot, recorder), "sources", query="putin")
    pager = recorder.named("followup.send")[0].kwargs["view"]
    await pager.on_timeout()
    (edit,) = recorder.named("message.edit")
    assert edit.kwargs["view"] is None


async def test_source_shows_the_article(bot, engine, recorder):
    article = make_article()
    await invoke(bot, make_interaction(bot, recorder), "source", article=article.id)
    assert recorder.names == ["response.defer", "followup.send"]
    final = recorder.named("followup.send")[0]
    assert embeds_sent(final)[0].to_dict() == article_embed(article).to_dict()


async def test_source_with_an_unknown_id_says_so_privately(bot, engine, recorder):
    await invoke(bot, make_interaction(bot, recorder), "source", article="no-such-article")
    message = recorder.named("followup.send")[-1]
    assert message.kwargs["ephemeral"] is True
    assert "No article with id" in text_sent(message)


async def test_autocomplete_offers_at_most_25_choices_within_discord_limits(bot, engine):
    choices = await _suggest(bot, "ti")
    assert 0 < len(choices) <= MAX_CHOICES
    assert all(1 <= len(c.name) <= MAX_CHOICE_CHARS for c in choices)
    assert all(1 <= len(c.value) <= MAX_CHOICE_CHARS for c in choices)
    assert engine.calls == [("suggest", ("ti", MAX_CHOICES))]


async def test_autocomplete_without_an_engine_offers_nothing(bot):
    bot.engine = None
    assert await _suggest(bot, "ti") == []


async def _suggest(bot, current: str):
    cog = bot.get_cog("Sources")
    return await cog.article_suggestions(make_interaction(bot, Recorder()), current)


async def test_a_failing_page_turn_goes_through_the_one_error_handler(bot):
    owner = make_member()
    pager = SourcesPager(owner.id, "putin", _hits(12))
    clicks = Recorder()
    click = make_interaction(bot, clicks, user=owner)
    await pager.on_error(click, RuntimeError("boom"), pager.next)
    (sent,) = clicks.calls
    assert sent.name == "response.send_message" and sent.kwargs["ephemeral"] is True
    assert "incident" in text_sent(sent)
