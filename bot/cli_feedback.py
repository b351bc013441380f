"""``wirecheck feedback``: members' votes on the bot's answers, exported or summarised."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from retrieval import FeedbackStore, FeedbackUnavailable, Settings

from .terminal import json_line, preview, terminal_safe

QUESTION_PREVIEW = 70


def add_parsers(sub: Any) -> None:
    """The feedback subcommand, on ``build_parser``'s subparsers."""
    feedback = sub.add_parser(
        "feedback", help="export members' votes on answers (newest first), or summarise them"
    )
    feedback.add_argument("--store", type=Path, help="index folder (default ./.wirecheck)")
    feedback.add_argument("--json", action="store_true", help="every vote as a JSON list on stdout")
    feedback.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    feedback.set_defaults(corpus=None)


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    store = FeedbackStore.in_store(settings.store_dir)
    if not store.path.exists():
        # Reading must not create a store (or its folder) under a mistyped --store.
        print(json_line([]) if args.json else "No feedback recorded yet.")
        return 0
    try:
        votes = store.export()
        counts = None if args.json else store.counts()
    except FeedbackUnavailable as exc:
        print(f"error: {terminal_safe(str(exc))}", file=sys.stderr)
        return 1
    if args.json:
        print(json_line(votes))
    else:
        print(terminal_safe(summary_text(counts or {}, votes)))
    return 0


def summary_text(counts: dict[str, Any], votes: list[dict[str, Any]], recent: int = 10) -> str:
    lines = [
        f"{counts.get('answers', 0)} answers recorded, {counts.get('voted_answers', 0)} voted on;"
        f" {counts.get('votes', 0)} votes from {counts.get('voters', 0)} members:"
        f" up {counts.get('up', 0)}, down {counts.get('down', 0)},"
        f" wrong source {counts.get('wrong_source', 0)}"
    ]
    flagged = counts.get("flagged") or []
    if flagged:
        lines += ["", "Voted down most:"]
        for item in flagged:
            lines.append(
                f"  down {item['down']}, wrong source {item['wrong_source']}, up {item['up']}"
                f"  [{item['kind']}] {preview(item['question'], QUESTION_PREVIEW)}"
                f"  ({item['key']})"
            )
    if votes:
        lines += ["", "Latest votes (UTC):"]
        for vote in votes[:recent]:
            lines.append(
                f"  {vote['voted'][:19].replace('T', ' ')}  {vote['vote'].replace('_', ' '):12}"
                f"  [{vote['kind']}] {preview(vote['question'], QUESTION_PREVIEW)}"
            )
        lines.append("(wirecheck feedback --json exports every vote with its answer)")
    return "\n".join(lines)


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {"feedback": cmd_feedback}
