"""The ``wirecheck`` command line (DESIGN.md §3). With --json, stdout holds only JSON."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

from retrieval import Engine, IndexReport, QuestionError, Settings, load_settings

from .progress import stderr_progress
from .render_text import render_answer, render_article, render_hits

log = logging.getLogger("wirecheck")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", type=Path, help="corpus folder (default ./corpus)")
    p.add_argument("--store", type=Path, help="index folder (default ./.wirecheck)")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirecheck",
        description="Answer questions from a news corpus with verbatim, cited excerpts.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question from the corpus")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--batch", type=Path, help='JSONL file of {"id": ..., "question": ...}')
    _common(ask)

    index = sub.add_parser("index", help="build or incrementally update the index")
    _common(index)

    sources = sub.add_parser("sources", help="search articles by title and text")
    sources.add_argument("query", nargs="?", default="", help="words to look for")
    sources.add_argument("--outlet", help="only this outlet")
    sources.add_argument("--since", type=date.fromisoformat, help="published on or after")
    sources.add_argument("--until", type=date.fromisoformat, help="published on or before")
    sources.add_argument("--limit", type=int, default=10, help="at most this many (default 10)")
    _common(sources)

    source = sub.add_parser("source", help="show one article's metadata and text")
    source.add_argument("article_id", help="the article id")
    _common(source)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG
        if args.verbose > 1
        else logging.INFO
        if args.verbose
        else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = load_settings(corpus_dir=args.corpus, store_dir=args.store)
    except (ValueError, OSError) as exc:
        print(f"error: bad configuration: {exc}", file=sys.stderr)
        return 2
    handler = {"ask": cmd_ask, "index": cmd_index, "sources": cmd_sources, "source": cmd_source}
    try:
        return handler[args.command](args, settings)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _open(settings: Settings, args: argparse.Namespace) -> tuple[Engine, IndexReport]:
    engine = Engine(settings)
    report = engine.sync(progress=stderr_progress())
    for err in report.errors:
        print(f"skipped {err.path}: {err.reason}", file=sys.stderr)
    if report.changed or args.command == "index":
        print(report.summary(), file=sys.stderr)
    return engine, report


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    engine, report = _open(settings, args)
    engine.close()
    if args.json:
        print(json.dumps(report.to_json()))
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    if bool(args.question) == bool(args.batch):
        print("error: give a question or --batch FILE (not both)", file=sys.stderr)
        return 2
    if args.batch and not args.batch.is_file():
        print(f"error: batch file not found: {args.batch}", file=sys.stderr)
        return 2
    if args.question is not None and not args.question.strip():
        print("error: the question is empty", file=sys.stderr)
        return 2
    engine, _ = _open(settings, args)
    try:
        if args.batch:
            with args.batch.open(encoding="utf-8") as fh:
                return _ask_batch(engine, fh, args.json)
        try:
            answer = engine.ask(args.question)
        except QuestionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(
            json.dumps(answer.to_json(), ensure_ascii=False) if args.json else render_answer(answer)
        )
        return 0
    finally:
        engine.close()


def _batch_items(fh: TextIO) -> Iterator[tuple[str | None, str | None, str | None]]:
    """(id, question, error) per non-blank line."""
    for lineno, line in enumerate(fh, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield None, None, f"line {lineno}: not JSON ({exc.msg})"
            continue
        item_id = str(item["id"]) if isinstance(item, dict) and "id" in item else None
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            yield item_id, None, f'line {lineno}: expected {{"id": ..., "question": "..."}}'
            continue
        yield str(item.get("id", lineno)), item["question"], None


def _ask_batch(engine: Engine, fh: TextIO, as_json: bool) -> int:
    failures = 0
    for item_id, question, error in _batch_items(fh):
        if error is None:
            try:
                answer = engine.ask(question or "")
            except QuestionError as exc:
                error = str(exc)
        if error is not None:
            failures += 1
            out = {"id": item_id, "question": question, "error": error}
            print(json.dumps(out, ensure_ascii=False) if as_json else f"[{item_id}] error: {error}")
        elif as_json:
            print(json.dumps(answer.to_json(item_id), ensure_ascii=False))
        else:
            print(f"[{item_id}] {render_answer(answer)}\n")
        sys.stdout.flush()
    return 1 if failures else 0


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    engine, _ = _open(settings, args)
    hits = engine.sources(
        args.query, k=args.limit, outlet=args.outlet, since=args.since, until=args.until
    )
    engine.close()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "article_id": h.article.id,
                        "title": h.article.title,
                        "outlet": h.article.outlet,
                        "published": h.article.published,
                        "url": h.article.url,
                        "score": round(h.score, 4),
                        "snippet": h.snippet,
                    }
                    for h in hits
                ],
                ensure_ascii=False,
            )
        )
    else:
        print(render_hits(hits))
    return 0


def cmd_source(args: argparse.Namespace, settings: Settings) -> int:
    engine, _ = _open(settings, args)
    article = engine.source(args.article_id)
    engine.close()
    if article is None:
        print(
            f"error: no article with id {args.article_id!r} (try `wirecheck sources`)",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(
            json.dumps(
                {
                    "article_id": article.id,
                    "title": article.title,
                    "outlet": article.outlet,
                    "published": article.published,
                    "url": article.url,
                    "author": article.author,
                    "path": article.path,
                    "metadata": dict(article.metadata),
                    "body": article.body,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(render_article(article))
    return 0


if __name__ == "__main__":
    sys.exit(main())
