"""Bot benchmark: concurrent /ask interactions through the real cog against the real engine.

    python bench/bench_bot.py [--n 50] [--cap N] [--waiting N] [--questions FILE]

Mock interactions (spec_set from discord.py's classes) drive the real /ask callback and the real
error handler; the engine is the real one (MiniLM, Chroma) over a copy of the seed corpus in a
temporary folder. Prints one JSON object per scenario:

- time to defer (Discord's 3 s deadline; goal p99 <= 100 ms),
- time to the final message for answered questions, p50/p95,
- how many were answered, told "busy" or timed out (the cap on running calls and the line
  waiting for it are the settings defaults unless --cap/--waiting are given; the cooldown is off
  since every interaction comes from a different user),
- peak RSS of this process (goal <= 1 GB).

The second scenario makes the line long enough for the whole burst, so nobody is told "busy" and
the wait shows in the final-answer times; the third lifts the cap instead, so every call runs at
once (queued in the thread pool rather than in the gate).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import discord  # noqa: E402

from bot.app import WirecheckBot  # noqa: E402
from retrieval import Engine, Settings, load_settings  # noqa: E402

QUESTIONS = ROOT / "tests" / "fixtures" / "seed_questions.jsonl"
_ids = itertools.count(3_000_000_000_000_000_000)


def emit(**kv: Any) -> None:
    print(json.dumps(kv), flush=True)


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Timed:
    """A spec_set mock /ask interaction that timestamps its defer and its final message."""

    def __init__(self, bot: WirecheckBot) -> None:
        self.deferred: float | None = None
        self.final: float | None = None
        self.final_kind = ""
        done = {"value": False}
        interaction = mock.NonCallableMagicMock(spec_set=discord.Interaction)
        interaction.client = bot
        user = mock.NonCallableMagicMock(spec_set=discord.Member)
        user.id = next(_ids)
        interaction.user = user
        interaction.created_at = discord.utils.utcnow() - dt.timedelta(milliseconds=1)
        interaction.extras = {}
        interaction.channel = mock.NonCallableMagicMock(spec_set=discord.TextChannel)

        async def defer(**_: Any) -> None:
            self.deferred = time.perf_counter()
            done["value"] = True

        async def send_message(*_: Any, **__: Any) -> None:
            self.final, self.final_kind = time.perf_counter(), "refused"
            done["value"] = True

        async def followup(*_: Any, **kwargs: Any) -> None:
            refused = kwargs.get("ephemeral", False)
            self.final, self.final_kind = time.perf_counter(), "error" if refused else "answer"

        async def nothing(*_: Any, **__: Any) -> None:
            return None

        response = mock.NonCallableMagicMock(spec_set=discord.InteractionResponse)
        response.is_done.side_effect = lambda: done["value"]
        response.defer.side_effect = defer
        response.send_message.side_effect = send_message
        interaction.response = response
        webhook = mock.NonCallableMagicMock(spec_set=discord.Webhook)
        webhook.send.side_effect = followup
        interaction.followup = webhook
        interaction.delete_original_response.side_effect = nothing
        self.interaction = interaction


async def one_ask(bot: WirecheckBot, question: str) -> tuple[Timed, float]:
    """Invoke /ask as discord.py's CommandTree does, errors going to tree.on_error."""
    command = bot.tree.get_command("ask")
    timed = Timed(bot)
    started = time.perf_counter()
    try:
        await command._do_call(timed.interaction, {"question": question})
    except discord.app_commands.AppCommandError as error:
        await bot.tree.on_error(timed.interaction, error)
    return timed, started


async def scenario(name: str, settings: Settings, engine: Engine, questions: list[str], n: int):
    bot = WirecheckBot(settings, engine_factory=lambda _: engine)
    await bot.load_extensions()
    bot.engine = engine
    asks = [questions[i % len(questions)] for i in range(n)]
    began = time.perf_counter()
    results = await asyncio.gather(*(one_ask(bot, q) for q in asks))
    wall = time.perf_counter() - began
    bot.engine = None
    await bot.close()
    defers = [t.deferred - s for t, s in results if t.deferred is not None]
    answered = [t.final - s for t, s in results if t.final_kind == "answer"]
    refused = [t.final - s for t, s in results if t.final_kind == "refused"]
    errors = sum(1 for t, _ in results if t.final_kind == "error")
    emit(
        scenario=name,
        interactions=n,
        cap=settings.max_concurrent_questions,
        waiting=settings.max_waiting_questions,
        answered=len(answered),
        busy=len(refused),
        errors=errors,
        defer_p50_ms=ms(pct(defers, 0.5)),
        defer_p99_ms=ms(pct(defers, 0.99)),
        final_p50_ms=ms(pct(answered, 0.5)),
        final_p95_ms=ms(pct(answered, 0.95)),
        busy_reply_p95_ms=ms(pct(refused, 0.95)),
        wall_s=round(wall, 2),
        peak_rss_mb=peak_rss_mb(),
    )


def load_questions(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


async def run(args: argparse.Namespace) -> None:
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="wirecheck-bench-bot-") as tmp:
        work = Path(tmp)
        corpus = shutil.copytree(ROOT / "corpus", work / "corpus")
        settings = load_settings(
            env={},
            config_file=work / "no-such-wirecheck.toml",
            corpus_dir=corpus,
            store_dir=work / "store",
            ask_cooldown_seconds=0,
        )
        settings = settings.with_overrides(
            max_concurrent_questions=args.cap, max_waiting_questions=args.waiting
        )
        started = time.perf_counter()
        engine = await asyncio.to_thread(Engine, settings)
        report = await asyncio.to_thread(engine.reload)
        await asyncio.to_thread(engine.ask, questions[0])  # warm: served state, model caches
        emit(setup=report.summary(), seconds=round(time.perf_counter() - started, 1))
        try:
            await scenario("burst at the default cap and line", settings, engine, questions, args.n)
            line = settings.with_overrides(max_waiting_questions=args.n)
            await scenario("burst, line holds it all", line, engine, questions, args.n)
            lifted = settings.with_overrides(max_concurrent_questions=args.n)
            await scenario("burst, cap lifted (all run)", lifted, engine, questions, args.n)
        finally:
            engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50, help="concurrent /ask interactions")
    parser.add_argument("--cap", type=int, help="max concurrent engine calls (default: settings)")
    parser.add_argument("--waiting", type=int, help="max calls waiting (default: settings)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="JSONL of questions")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
