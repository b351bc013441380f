"""Bot test helpers: a fake engine, result builders, spec_set mocks of discord objects, drivers.

Mocks are built with ``spec_set`` from real discord.py classes (python-discord style), so code
that touches an attribute Discord objects do not have fails the test. Every awaited discord call
is recorded in order (name, kwargs) by a ``Recorder``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import discord
from discord import app_commands

from bot.app import WirecheckBot
from retrieval import (
    Answer,
    Article,
    Citation,
    ClaimCheck,
    CorpusStats,
    EvidenceQuote,
    IndexReport,
    SourceHit,
)

BOT_ID = 1_000_000_000_000_000_001
_ids = itertools.count(2_000_000_000_000_000_000)

# Calls that put text in front of people; each must carry AllowedMentions.none().
SENDS = frozenset(
    {
        "response.send_message",
        "response.edit_message",
        "followup.send",
        "edit_original_response",
        "channel.send",
        "message.edit",
    }
)


# -- results the fake engine returns -----------------------------------------------------------


def make_article(
    article_id: str = "reuters-2025-06-23-putin",
    title: str = "Putin says US attack on Iran had no justification",
    body: str = "Russian President Vladimir Putin said on Monday the attack had no basis.",
    outlet: str | None = "Reuters",
    published: str | None = "2025-06-23",
) -> Article:
    return Article(
        id=article_id,
        title=title,
        body=body,
        path=f"corpus/{article_id}.md",
        content_hash="0" * 16,
        outlet=outlet,
        published=published,
        url=f"https://example.com/{article_id}",
    )


def make_answer(
    question: str = "Why is Russia not helping Iran?", quote: str | None = None
) -> Answer:
    article = make_article()
    quote = quote or article.body
    citation = Citation(
        n=1,
        article_id=article.id,
        title=article.title,
        outlet=article.outlet,
        published=article.published,
        url=article.url,
        quote=quote,
        start=0,
        end=len(quote),
    )
    return Answer(
        question=question,
        status="answered",
        answer=f"{quote} [1]",
        citations=(citation,),
        confidence=0.8,
    )


def make_check(claim: str = "Russia withdrew support for Iran.") -> ClaimCheck:
    article = make_article()
    evidence = EvidenceQuote(
        n=1,
        article_id=article.id,
        title=article.title,
        outlet=article.outlet,
        published=article.published,
        url=article.url,
        quote=article.body,
        stance="refutes",
    )
    return ClaimCheck(
        claim=claim,
        verdict="contradicted",
        reason="the sources say otherwise",
        evidence=(evidence,),
    )


def make_stats() -> CorpusStats:
    return CorpusStats(
        articles=5,
        outlets=(("Reuters", 2), ("CNA", 1)),
        earliest="2025-06-20",
        latest="2025-06-23",
        stories=3,
        last_reload="2025-06-23T10:00:00+00:00",
        can_rollback=True,
    )


@dataclass(frozen=True)
class AddedItem:
    url: str
    article_id: str
    path: str
    title: str
    status: str  # added | updated | unchanged


@dataclass(frozen=True)
class AddFailure:
    url: str
    reason: str


@dataclass(frozen=True)
class AddReport:
    """Shaped like retrieval's AddReport (which retrieval does not export)."""

    items: tuple[AddedItem, ...] = (
        AddedItem(
            "https://example.com/news/story", "example-story", "corpus/x.md", "Story", "added"
        ),
    )
    failures: tuple[AddFailure, ...] = ()
    seconds: float = 0.4


# -- the fake engine ---------------------------------------------------------------------------


@dataclass
class FakeEngine:
    """The Engine methods the bot calls; records calls, can be slow, hang or fail."""

    answer: Answer = field(default_factory=make_answer)
    writes_prose: bool = False
    delay: float = 0.0
    hang: bool = False
    reload_error: Exception | None = None
    rollback_error: Exception | None = None
    progress_steps: int = 0
    progress_pause: float = 0.0
    hits: list[SourceHit] = field(default_factory=list)
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    started: threading.Event = field(default_factory=threading.Event)

    def _work(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        self.started.set()
        if self.hang:
            self.released.wait(10)
        elif self.delay:
            time.sleep(self.delay)

    def called(self, name: str) -> int:
        return sum(1 for n, _ in self.calls if n == name)

    def ask(self, question: str) -> Answer:
        self._work("ask", question)
        return self.answer

    def prepare_prose(self) -> None:
        self._work("prepare_prose")

    def check(self, claim: str) -> ClaimCheck:
        self._work("check", claim)
        return make_check(claim)

    def sources(self, query: str = "", k: int = 10, outlet=None, since=None, until=None):
        self._work("sources", query, k, outlet, since, until)
        return self.hits[:k]

    def source(self, article_id: str) -> Article | None:
        self._work("source", article_id)
        article = make_article()
        return article if article_id == article.id else None

    def suggest(self, text: str, k: int = 25) -> list[tuple[str, str]]:
        self._work("suggest", text, k)
        return [(f"article-{i}", f"Title {i} " + "x" * (i * 10)) for i in range(40)][:k]

    def stats(self) -> CorpusStats:
        self._work("stats")
        return make_stats()

    def reload(
        self, progress: Callable[[int, int], None] | None = None, wait: float | None = None
    ) -> IndexReport:
        self._work("reload")
        for done in range(1, self.progress_steps + 1):
            if progress is not None:
                progress(done, self.progress_steps)
            time.sleep(self.progress_pause)
        if self.reload_error is not None:
            raise self.reload_error
        return IndexReport(added=1, unchanged=4, seconds=0.5)

    def rollback(self) -> IndexReport:
        self._work("rollback")
        if self.rollback_error is not None:
            raise self.rollback_error
        return IndexReport(removed=1, unchanged=4, seconds=0.1)

    def add(
        self, urls: Sequence[str], feed: bool = False, progress: Callable | None = None
    ) -> AddReport:
        self._work("add", tuple(urls), feed)
        return AddReport()

    def refresh(self) -> bool:
        self._work("refresh")
        return False

    def close(self) -> None:
        self.released.set()


# -- recording spec_set mocks ------------------------------------------------------------------


@dataclass
class Call:
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)


# Every Recorder and Wire made during a test, so conftest can check all their sends afterwards.
LIVE: list[Any] = []


class Recorder:
    """Every awaited call on the mocks it hooks, in the order they were awaited."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        LIVE.append(self)

    def hook(self, name: str, method: mock.AsyncMock, result: Callable[[], Any] | None = None):
        """Record awaits of ``method``; ``result`` makes its return value (or raises)."""

        async def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(Call(name, args, kwargs))
            return result() if result is not None else None

        method.side_effect = record
        return method

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.calls]

    def named(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.name == name]

    def sends(self) -> list[Call]:
        return [c for c in self.calls if c.name in SENDS]


def pings_nobody(allowed: Any) -> bool:
    """``allowed`` is AllowedMentions.none() (the class has no __eq__)."""
    return isinstance(allowed, discord.AllowedMentions) and (
        allowed.everyone,
        allowed.users,
        allowed.roles,
        allowed.replied_user,
    ) == (False, False, False, False)


def assert_no_pings(recorder: Recorder) -> None:
    """Every send, followup and edit the code made carried AllowedMentions.none()."""
    for call in recorder.sends():
        assert pings_nobody(call.kwargs.get("allowed_mentions")), (call.name, call.kwargs)


def assert_no_pings_on_the_wire(sent: Sequence[dict[str, Any]]) -> None:
    """Every payload discord.py serialised parses no mentions (replied_user is left out: false)."""
    for payload in sent:
        assert payload.get("allowed_mentions") == {"parse": []}, payload


def make_role(name: str = "Fact checkers", role_id: int | None = None) -> mock.NonCallableMagicMock:
    role = mock.NonCallableMagicMock(spec_set=discord.Role)
    role.id = role_id if role_id is not None else next(_ids)
    role.name = name
    return role


def make_member(user_id: int | None = None, roles: Sequence[Any] = (), bot: bool = False):
    member = mock.NonCallableMagicMock(spec_set=discord.Member)
    member.id = user_id if user_id is not None else next(_ids)
    member.bot = bot
    member.roles = list(roles)
    member.mention = f"<@{member.id}>"
    return member


def make_message_mock(recorder: Recorder) -> mock.NonCallableMagicMock:
    """What followup.send(wait=True) returns: a webhook message we may edit later."""
    message = mock.NonCallableMagicMock(spec_set=discord.WebhookMessage)
    message.id = next(_ids)
    recorder.hook("message.edit", message.edit)
    return message


def make_channel(recorder: Recorder) -> mock.NonCallableMagicMock:
    channel = mock.NonCallableMagicMock(spec_set=discord.TextChannel)
    channel.id = next(_ids)
    recorder.hook("channel.send", channel.send, lambda: make_message_mock(recorder))
    return channel


def make_interaction(
    bot: WirecheckBot,
    recorder: Recorder,
    *,
    user: Any = None,
    permissions: discord.Permissions | None = None,
    age: dt.timedelta = dt.timedelta(0),
) -> mock.NonCallableMagicMock:
    """An application-command interaction whose responses are recorded, not sent."""
    interaction = mock.NonCallableMagicMock(spec_set=discord.Interaction)
    interaction.client = bot
    interaction.user = user if user is not None else make_member()
    interaction.permissions = permissions if permissions is not None else discord.Permissions()
    interaction.created_at = discord.utils.utcnow() - age
    interaction.extras = {}
    interaction.channel = make_channel(recorder)
    interaction.guild_id = next(_ids)

    done = {"value": False}

    def responded() -> None:
        done["value"] = True

    response = mock.NonCallableMagicMock(spec_set=discord.InteractionResponse)
    response.is_done.side_effect = lambda: done["value"]
    for name in ("defer", "send_message", "edit_message"):
        recorder.hook(f"response.{name}", getattr(response, name), responded)
    interaction.response = response

    followup = mock.NonCallableMagicMock(spec_set=discord.Webhook)
    recorder.hook("followup.send", followup.send, lambda: make_message_mock(recorder))
    interaction.followup = followup

    recorder.hook("edit_original_response", interaction.edit_original_response)
    recorder.hook("delete_original_response", interaction.delete_original_response)
    return interaction


def feature(bot: WirecheckBot, name: str) -> Any:
    """A loaded feature module: load_extension makes a fresh module object, so classes a test
    imported itself are not the ones the bot uses."""
    return bot.extensions[f"bot.exts.{name}"]


# -- driving commands the way CommandTree does -------------------------------------------------


async def invoke(bot: WirecheckBot, interaction: Any, name: str, **params: Any) -> None:
    """Run a slash command as discord.py's tree does: checks, callback, errors to tree.on_error."""
    command = bot.tree.get_command(name)
    assert isinstance(command, app_commands.Command), name
    try:
        if not await command._check_can_run(interaction):
            raise app_commands.CheckFailure(name)
        await command._do_call(interaction, params)
    except app_commands.AppCommandError as error:
        await bot.tree.on_error(interaction, error)


async def invoke_menu(bot: WirecheckBot, interaction: Any, name: str, target: Any) -> None:
    menu = bot.tree.get_command(name, type=discord.AppCommandType.message)
    assert isinstance(menu, app_commands.ContextMenu), name
    try:
        await menu._invoke(interaction, target)
    except app_commands.AppCommandError as error:
        await bot.tree.on_error(interaction, error)


def embeds_sent(call: Call) -> list[discord.Embed]:
    embeds = call.kwargs.get("embeds") or []
    embed = call.kwargs.get("embed")
    return [*embeds, *([embed] if embed else [])]


def text_sent(call: Call) -> str:
    args = call.args[0] if call.args else None
    return str(call.kwargs.get("content") or args or "")
