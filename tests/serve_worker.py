"""A serving process for the scale-out tests (tests/integration/test_scale_out.py): an Engine on
a Chroma server, its own (empty) store folder, answering commands from stdin, one JSON line each.

    python serve_worker.py CORPUS STORE HOST PORT PREFIX

Commands: ``ask QUESTION`` -> {"status", "articles", "quotes_ok"} or {"error", "kind"};
``refresh`` -> {"refreshed", "articles"}; ``quit``. On start it reloads as the bot does and
says how many articles it added and how many texts it embedded doing so (none, when it serves
what another process indexed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval import (  # noqa: E402
    Engine,
    ReloadFailed,
    ReloadInProgress,
    StoreUnavailable,
    load_settings,
)


def main() -> int:
    corpus, store, host, port, prefix = sys.argv[1:6]
    settings = load_settings(
        env={},
        corpus_dir=Path(corpus),
        store_dir=Path(store),
        chroma_host=host,
        chroma_port=int(port),
        collection_prefix=prefix,
    )
    engine = Engine(settings)
    embedded = {"texts": 0}
    embed = engine.embedder.embed

    def counting(texts):
        embedded["texts"] += len(texts)
        return embed(texts)

    engine.embedder.embed = counting
    # What the bot does at start (bot/app.py open_engine): bring the index up to date.
    try:
        added = engine.reload(wait=0.0).added
    except (ReloadFailed, ReloadInProgress) as exc:
        added = f"not reloaded: {exc}"
    ready = {"ready": True, "added": added, "embedded": embedded["texts"]}
    print(json.dumps(ready | {"articles": engine.stats().articles}), flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "quit":
            break
        try:
            if command == "ask":
                answer = engine.ask(arg)
                state = engine.state
                ok = all(
                    q in state.articles[c.article_id].body
                    for c in answer.citations
                    for q in c.quotes
                )
                out = {
                    "status": answer.status,
                    "articles": [c.article_id for c in answer.citations],
                    "quotes_ok": ok,
                }
            elif command == "refresh":
                out = {"refreshed": engine.refresh(), "articles": engine.stats().articles}
            else:
                out = {"error": f"unknown command {command!r}", "kind": "usage"}
        except StoreUnavailable as exc:
            out = {"error": str(exc), "kind": "unavailable"}
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            out = {"error": f"{type(exc).__name__}: {exc}", "kind": "unexpected"}
        print(json.dumps(out), flush=True)
    engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
