"""The ``wirecheck`` command line (DESIGN.md §3). With --json, stdout holds only JSON."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from retrieval import (
    Answer,
    ClaimCheck,
    Engine,
    IndexReport,
    NoPreviousIndex,
    QuestionError,
    ReloadFailed,
    ReloadInProgress,
    Settings,
    StoreUnavailable,
    load_settings,
)

from . import __version__, cli_feedback, cli_feeds
from .progress import stderr_progress
from .render.text import render_answer, render_article, render_check, render_hits
from .terminal import json_line, preview, terminal_safe

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
    parser.add_argument("--version", action="version", version=f"wirecheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question from the corpus")
    ask.add_argument("question", nargs="?", help="the question")
    ask.add_argument("--batch", type=Path, help='JSONL file of {"id": ..., "question": ...}')
    _common(ask)

    check = sub.add_parser("check", help="verdict on a claim against the corpus")
    check.add_argument("claim", nargs="?", help="the claim")
    check.add_argument("--batch", type=Path, help='JSONL file of {"id": ..., "claim": ...}')
    _common(check)

    index = sub.add_parser("index", help="build or incrementally update the index")
    index.add_argument(
        "--rollback", action="store_true", help="serve the previous index state again"
    )
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

    add = sub.add_parser("add", help="fetch articles (or feeds' new items) into the corpus")
    add.add_argument("urls", nargs="+", metavar="URL", help="article URLs (feed URLs with --feed)")
    add.add_argument("--feed", action="store_true", help="the URLs are RSS or Atom feeds")
    add.add_argument(
        "--no-index", action="store_true", help="only write the files; do not update the index"
    )
    _common(add)

    run = sub.add_parser("run", help="start the Discord bot (token from DISCORD_TOKEN)")
    _common(run)

    commands = sub.add_parser(
        "commands", help="print the application commands the bot registers, as JSON"
    )
    _common(commands)
    cli_feedback.add_parsers(sub)
    cli_feeds.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG
        if args.verbose > 1
        else logging.INFO
        if args.verbose or args.command == "run"
        else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = load_settings(corpus_dir=args.corpus, store_dir=args.store)
    except (ValueError, OSError) as exc:
        print(f"error: bad configuration: {exc}", file=sys.stderr)
        return 2
    handler = {
        "ask": cmd_ask,
        "check": cmd_check,
        "index": cmd_index,
        "sources": cmd_sources,
        "source": cmd_source,
        "add": cmd_add,
        "run": cmd_run,
        "commands": cmd_commands,
        **cli_feedback.HANDLERS,
        **cli_feeds.HANDLERS,
    }
    try:
        return handler[args.command](args, settings)
    except (
        FileNotFoundError,
        ReloadFailed,
        ReloadInProgress,
        NoPreviousIndex,
        StoreUnavailable,
    ) as exc:
        print(f"error: {terminal_safe(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # stdout closed early (``| head``): not an error worth a traceback.
        sys.stderr.close()
        return 141


def _open(settings: Settings, args: argparse.Namespace) -> tuple[Engine, IndexReport | None]:
    """The engine, with the index brought up to date first. ``index`` (and ``add``) wait for
    another writer and fail when the reload fails; the reading commands do not wait and, when
    the reload cannot run or fails, answer from the index that serves, saying it may be stale."""
    writing = args.command in ("index", "add")
    engine = Engine(settings, prefetch=not writing)
    try:
        report = engine.reload(progress=stderr_progress(), wait=None if writing else 0.0)
    except (ReloadInProgress, ReloadFailed) as exc:
        if writing:
            engine.close()
            raise
        print(
            terminal_safe(f"warning: {exc}; answering from the index as it is (it may be stale)"),
            file=sys.stderr,
        )
        return engine, None
    except BaseException:
        engine.close()
        raise
    for err in report.errors:
        print(terminal_safe(f"skipped {err.path}: {err.reason}"), file=sys.stderr)
    if report.changed or args.command == "index":
        print(report.summary(), file=sys.stderr)
    return engine, report


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    if args.rollback:
        engine = Engine(settings)
        try:
            report = engine.rollback()
        finally:
            engine.close()
        print(f"rolled back to the previous index state in {report.seconds:.2f}s", file=sys.stderr)
    else:
        engine, report = _open(settings, args)
        engine.close()
    if args.json and report is not None:
        print(json_line(report.to_json()))
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import add_urls  # the fetcher and trafilatura load only for adding

    report = add_urls(settings, args.urls, feed=args.feed, progress=stderr_progress("fetching"))
    out: dict[str, Any] = report.to_json()
    if not args.json:
        for item in report.items:
            print(terminal_safe(f"{item.status:9}  {item.article_id}  {item.title}"))
        for failure in report.failures:
            print(terminal_safe(f"failed     {failure.url}: {failure.reason}"))
        print(report.summary())
    if not args.no_index and any(i.status != "unchanged" for i in report.items):
        engine, index_report = _open(settings, args)
        engine.close()
        if index_report is not None:
            out["index"] = index_report.to_json()
    if args.json:
        print(json_line(out))
    return 1 if report.failures else 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from .app import run_bot  # discord.py loads only for the bot

    return run_bot(settings)


def cmd_commands(args: argparse.Namespace, settings: Settings) -> int:
    from .app import command_payloads

    print(json.dumps(command_payloads(settings), indent=2, ensure_ascii=False))
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    return _run_items(args, settings, "question", Engine.ask, render_answer)


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    return _run_items(args, settings, "claim", Engine.check, render_check)


def _run_items(
    args: argparse.Namespace,
    settings: Settings,
    field: str,
    run: Callable[[Engine, str], Answer | ClaimCheck],
    render: Callable[[Any], str],
) -> int:
    """One item from the command line or a JSONL batch, answered by ``run``."""
    text = getattr(args, field)
    if bool(text) == bool(args.batch):
        print(f"error: give a {field} or --batch FILE (not both)", file=sys.stderr)
        return 2
    if args.batch and not args.batch.is_file():
        print(f"error: batch file not found: {args.batch}", file=sys.stderr)
        return 2
    if text is not None and not text.strip():
        print(f"error: the {field} is empty", file=sys.stderr)
        return 2
    engine, _ = _open(settings, args)
    try:
        if args.batch:
            with args.batch.open("rb") as fh:
                return _run_batch(engine, fh, field, run, render, args.json)
        try:
            result = run(engine, text)
        except QuestionError as exc:
            print(f"error: {terminal_safe(str(exc))}", file=sys.stderr)
            return 2
        print(json_line(result.to_json()) if args.json else terminal_safe(render(result)))
        return 0
    finally:
        engine.close()


# One batch line: far more than any question; a longer line is refused, the rest go on.
MAX_BATCH_LINE_BYTES = 1_000_000
MAX_ID_CHARS = 200


def _batch_items(fh: BinaryIO, field: str) -> Iterator[tuple[str | None, str | None, str | None]]:
    """(id, text, error) per non-blank line. Each line is decoded and parsed on its own, so a
    bad byte, a line nested too deep or a line too long costs that line only."""
    lineno = 0
    while raw := fh.readline(MAX_BATCH_LINE_BYTES + 1):
        lineno += 1
        if len(raw) > MAX_BATCH_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := fh.readline(MAX_BATCH_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield None, None, f"line {lineno}: longer than {MAX_BATCH_LINE_BYTES:,} bytes"
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield None, None, f"line {lineno}: not valid UTF-8 (byte {exc.start + 1})"
            continue
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield None, None, f"line {lineno}: not JSON ({exc.msg})"
            continue
        except RecursionError:
            yield None, None, f"line {lineno}: nested too deeply to be a batch item"
            continue
        item_id = _item_id(item.get("id")) if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get(field), str):
            yield item_id, None, f'line {lineno}: expected {{"id": ..., "{field}": "..."}}'
            continue
        yield item_id or str(lineno), item[field], None


def _item_id(value: object) -> str | None:
    """The id as given when it is a short scalar; otherwise a printable prefix of it."""
    if value is None:
        return None
    if isinstance(value, (str, int, float, bool)):
        text = str(value)
        return text if len(text) <= MAX_ID_CHARS and text.isprintable() else preview(text)
    return preview(json.dumps(value)[:MAX_ID_CHARS])


def _run_batch(
    engine: Engine,
    fh: BinaryIO,
    field: str,
    run: Callable[[Engine, str], Answer | ClaimCheck],
    render: Callable[[Any], str],
    as_json: bool,
) -> int:
    failures = 0
    for item_id, text, error in _batch_items(fh, field):
        if error is None:
            try:
                result = run(engine, text or "")
            except QuestionError as exc:
                error = str(exc)
        if error is not None:
            failures += 1
            # Refused input is echoed as a short prefix only (it may be megabytes, or not text).
            echo = preview(text) if text is not None else None
            out = {"id": item_id, field: echo, "error": error}
            print(json_line(out) if as_json else terminal_safe(f"[{item_id}] error: {error}"))
        elif as_json:
            print(json_line(result.to_json(item_id)))
        else:
            print(terminal_safe(f"[{item_id}] {render(result)}") + "\n")
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
            json_line(
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
                ]
            )
        )
    else:
        print(terminal_safe(render_hits(hits)))
    return 0


def cmd_source(args: argparse.Namespace, settings: Settings) -> int:
    engine, _ = _open(settings, args)
    article = engine.source(args.article_id)
    engine.close()
    if article is None:
        print(
            terminal_safe(
                f"error: no article with id {args.article_id!r} (try `wirecheck sources`)"
            ),
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(
            json_line(
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
                }
            )
        )
    else:
        print(terminal_safe(render_article(article)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
