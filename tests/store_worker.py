"""A separate process working on one store, for the multi-process tests (tests/integration/
test_writers.py). Real embedded Chroma; the fake embedder, so a process starts in a second.

    python store_worker.py CORPUS STORE ROUNDS WORKER_NO {long|fresh} REPORT.json

Each round rewrites this worker's own article, reloads (another writer may hold the store:
then the round only reads) and asks a question, checking every quote against its article.
``long`` keeps one engine for all rounds (like the bot); ``fresh`` opens one per round (like
the command line). The report counts what happened; any broken invariant exits 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import FakeEmbedder, settings_for  # noqa: E402

from retrieval import Engine, ReloadFailed, ReloadInProgress  # noqa: E402

QUESTION = "What did the council of Harbor decide about the bridge?"


def article_text(worker: int, round_no: int) -> str:
    return (
        f"---\nid: worker-{worker}\ntitle: Worker {worker} report, round {round_no}\n"
        f"outlet: Test Wire\npublished: 2025-06-{1 + round_no % 28:02d}\n---\n\n"
        f"The council of Harbor met for round {round_no} and decided to repair the bridge.\n\n"
        f"Worker {worker} wrote this version; the vote was {round_no} to {worker}.\n"
    )


def main() -> int:
    corpus, store = Path(sys.argv[1]), Path(sys.argv[2])
    rounds, worker, mode, report_path = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
    settings = settings_for(corpus, store, writer_wait_seconds=2.0)
    embedder = FakeEmbedder()
    counts = {"reloads": 0, "busy": 0, "failed": 0, "answers": 0, "quotes": 0}
    engine = Engine(settings, embedder=embedder) if mode == "long" else None
    for round_no in range(rounds):
        own = Engine(settings, embedder=embedder) if engine is None else engine
        try:
            path = corpus / f"worker-{worker}.md"
            path.with_suffix(".tmp").write_text(article_text(worker, round_no), encoding="utf-8")
            path.with_suffix(".tmp").replace(path)
            try:
                own.reload()
                counts["reloads"] += 1
            except ReloadInProgress:
                counts["busy"] += 1
            except ReloadFailed as exc:
                counts["failed"] += 1
                print(f"worker {worker}: {exc}", file=sys.stderr)
            if engine is not None:
                engine.refresh()
            answer = own.ask(QUESTION)
            counts["answers"] += 1
            state = own.state
            for citation in answer.citations:
                body = state.articles[citation.article_id].body
                if any(quote not in body for quote in citation.quotes):
                    print(f"worker {worker}: quote not in its article", file=sys.stderr)
                    return 1
                counts["quotes"] += 1
        finally:
            if engine is None:
                own.close()
    if engine is not None:
        engine.close()
    Path(report_path).write_text(json.dumps(counts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
