"""Scale benchmark: index, store and `ask` costs on synthetic corpora of 1k, 5k and 20k articles.

    python bench/scale.py [--sizes 1000,5000,20000] [--sources DIR ...] [--work DIR] [--reuse]
                          [--questions 40]

The corpora come from bench/synthetic.py (``make_corpus``: every sentence perturbed, so
nothing is embedded twice).

Measured for the seed corpus (``corpus/``, for ratios) and then for each size, each part in its
own process so every peak RSS (from ``os.wait4``) is that process's own:

- index: ``wirecheck index`` from an empty store, wall time and peak RSS (kept in ``index.json``
  beside the store, so ``--reuse`` can report it again without rebuilding);
- store size on disk (allocated blocks), after the cold asks (the first one keeps the served
  state it derived): total, ``chroma/``, ``articles.sqlite*``, ``models/``;
- cold ask: ``wirecheck ask --json`` in a new process, 3 runs on 3 questions, median wall time
  and peak RSS (the first run after an index also derives the served state and keeps it in the
  store: its RSS is reported apart);
- warm ask: one process (this script with ``--warm``) opens an Engine, reloads (nothing changed),
  asks one warm-up question, then times ``Engine.ask`` over the questions: p50/p95 and peak RSS.

Questions come from the corpus itself: for N evenly spaced articles, "What happened with
<title>?" (a corpus with fewer articles also asks about each lead's first ten words, then
repeats). One JSON line is printed per measurement as it is made, then a Markdown table and the
growth between successive rows: index time and index bytes (the store without ``models/``) per
article, overall and per added article (which leaves out fixed costs), and latency ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthetic import make_corpus, make_questions  # noqa: E402

from retrieval.corpus import load_corpus  # noqa: E402

log = logging.getLogger("scale")

DEV = ROOT.parent / "shared" / "eval" / "dev"
SOURCES = [DEV / name / "corpus" for name in ("realtimeqa", "multihop", "summedits_news")]
COLD_RUNS = 3
MB = 1024 * 1024


# -- measuring -----------------------------------------------------------------------------------


def emit(**kv: object) -> dict:
    print(json.dumps(kv), flush=True)
    return kv


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def wirecheck() -> list[str]:
    script = Path(sys.executable).with_name("wirecheck")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def measured(cmd: list[str], log_file: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and stdout of one child process; stderr goes to ``log_file``."""
    with log_file.open("ab") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not all children's
        seconds = time.perf_counter() - started
    proc.stdout.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])} exited with {proc.returncode}; see {log_file}")
    return seconds, usage.ru_maxrss / 1024, out.decode("utf-8")


def store_sizes(store: Path) -> dict[str, int]:
    """Bytes on disk (allocated blocks) of the store and of its parts."""

    def disk(paths) -> int:
        return sum(p.lstat().st_blocks * 512 for p in paths if p.is_file())

    return {
        "total": disk(store.rglob("*")),
        "chroma": disk((store / "chroma").rglob("*")),
        "table": disk(store.glob("articles.sqlite*")),
        "models": disk((store / "models").rglob("*")),
    }


def index(label: int | str, corpus: Path, store: Path, folder: Path) -> dict:
    cmd = [*wirecheck(), "index", "--corpus", str(corpus), "--store", str(store), "--json"]
    seconds, rss, out = measured(cmd, folder / "index.log")
    report = json.loads(out.strip().splitlines()[-1])
    return emit(
        metric="index",
        size=label,
        articles=report["added"],
        seconds=round(seconds, 2),
        engine_seconds=report.get("seconds"),
        peak_rss_mb=round(rss),
    )


def cold_ask(
    label: int | str, corpus: Path, store: Path, questions: list[str], folder: Path
) -> dict:
    runs, peaks, answered = [], [], 0
    for question in questions[:COLD_RUNS]:
        cmd = [*wirecheck(), "ask", "--corpus", str(corpus), "--store", str(store), "--json"]
        seconds, rss, out = measured([*cmd, question], folder / "ask.log")
        answered += json.loads(out)["status"] == "answered"
        runs.append(round(seconds, 2))
        peaks.append(round(rss))
    return emit(
        metric="cold_ask",
        size=label,
        seconds=statistics.median(runs),
        runs=runs,
        # The median run's, as for the time: the first run after an index derives the served
        # state and keeps it, which no later start repeats (its peak is reported apart).
        peak_rss_mb=statistics.median(peaks),
        first_run_rss_mb=peaks[0],
        answered=answered,
    )


def warm_ask(corpus: Path, store: Path, questions: list[str]) -> dict:
    """Runs in its own process (``--warm``), so the peak RSS is the engine's."""
    from retrieval import Engine, load_settings

    engine = Engine(load_settings(corpus_dir=corpus, store_dir=store))
    started = time.perf_counter()
    engine.reload()
    reload_seconds = time.perf_counter() - started
    engine.ask(questions[0])
    times = []
    for question in questions:
        started = time.perf_counter()
        engine.ask(question)
        times.append((time.perf_counter() - started) * 1000)
    engine.close()
    return {
        "questions": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(pct(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        "reload_s": round(reload_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def measure(label: int | str, corpus: Path, folder: Path, args: argparse.Namespace) -> dict:
    """Every measurement for one corpus; the index is reused when ``--reuse`` finds one."""
    store, saved = folder / "store", folder / "index.json"
    if args.reuse and saved.is_file() and store.is_dir():
        row = {"index": json.loads(saved.read_text()) | {"reused": True}}
        emit(**row["index"])
    else:
        if store.exists():
            shutil.rmtree(store)
        row = {"index": index(label, corpus, store, folder)}
        saved.write_text(json.dumps(row["index"]))
    articles, _ = load_corpus(corpus)
    questions = make_questions(articles, args.questions)
    row["cold"] = cold_ask(label, corpus, store, questions, folder)
    row["store"] = store_sizes(store)
    emit(metric="store_bytes", size=label, **row["store"])
    qfile = folder / "questions.json"
    qfile.write_text(json.dumps(questions))
    cmd = [sys.executable, __file__, "--warm", str(corpus), str(store), str(qfile)]
    _, _, out = measured(cmd, folder / "warm.log")
    row["warm"] = emit(metric="warm_ask", size=label, **json.loads(out.strip().splitlines()[-1]))
    row["label"], row["articles"] = label, len(articles)
    return row


def synthetic(size: int, args: argparse.Namespace) -> Path:
    folder = args.work / f"n{size}"
    corpus = folder / "corpus"
    if args.reuse and corpus.is_dir() and len(list(corpus.glob("*.md"))) == size:
        return corpus
    if folder.exists():
        shutil.rmtree(folder)
    started = time.perf_counter()
    make_corpus(args.sources, corpus, size, args.seed)
    emit(metric="generate", size=size, seconds=round(time.perf_counter() - started, 2))
    return corpus


# -- report --------------------------------------------------------------------------------------


def table(rows: list[dict]) -> str:
    lines = [
        "| size | articles | index s | index peak RSS MB | store MB (chroma / table / models) "
        "| cold ask s (median of 3) | cold ask RSS MB | warm ask p50 / p95 ms | warm RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = {part: size / MB for part, size in r["store"].items()}
        lines.append(
            f"| {r['label']} | {r['articles']} | {r['index']['seconds']:.1f} "
            f"| {r['index']['peak_rss_mb']} | {s['total']:.1f} ({s['chroma']:.1f} / "
            f"{s['table']:.1f} / {s['models']:.1f}) | {r['cold']['seconds']:.2f} "
            f"| {r['cold']['peak_rss_mb']} | {r['warm']['p50_ms']:.0f} / {r['warm']['p95_ms']:.0f} "
            f"| {r['warm']['peak_rss_mb']} |"
        )
    return "\n".join(lines)


def growth(rows: list[dict]) -> str:
    """Per-article costs between successive rows. "Added" divides the difference by the articles
    added, which leaves out fixed costs (model load, the models folder)."""
    lines = [
        "| from → to | articles × | index ms/article (added) | index KB/article (added) "
        "| cold ask × | cold ask × seed | warm p50 × |",
        "|---|---|---|---|---|---|---|",
    ]
    for a, b in zip(rows, rows[1:], strict=False):
        ms_a, ms_b = (1000 * r["index"]["seconds"] / r["articles"] for r in (a, b))
        kb_a, kb_b = (_index_bytes(r) / 1024 / r["articles"] for r in (a, b))
        added = b["articles"] - a["articles"] or float("nan")  # nan: the same count twice
        ms_added = 1000 * (b["index"]["seconds"] - a["index"]["seconds"]) / added
        kb_added = (_index_bytes(b) - _index_bytes(a)) / 1024 / added
        lines.append(
            f"| {a['label']} → {b['label']} | {b['articles'] / a['articles']:.1f} "
            f"| {ms_a:.0f} → {ms_b:.0f} ({ms_added:.0f}) "
            f"| {kb_a:.0f} → {kb_b:.0f} ({kb_added:.0f}) "
            f"| {b['cold']['seconds'] / a['cold']['seconds']:.2f} "
            f"| {b['cold']['seconds'] / rows[0]['cold']['seconds']:.2f} "
            f"| {b['warm']['p50_ms'] / a['warm']['p50_ms']:.2f} |"
        )
    return "\n".join(lines)


def _index_bytes(row: dict) -> int:
    """The store without its ``models/`` folder (the query model's export, the same at any size)."""
    return row["store"]["total"] - row["store"]["models"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,20000", help="comma-separated article counts")
    ap.add_argument("--sources", type=Path, nargs="+", default=SOURCES, help="corpus folders")
    ap.add_argument("--work", type=Path, default=Path("/tmp/wirecheck-scale"))
    ap.add_argument("--reuse", action="store_true", help="keep corpora and stores already built")
    ap.add_argument("--questions", type=int, default=40, help="questions for the warm ask")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--warm", nargs=3, type=Path, metavar=("CORPUS", "STORE", "QUESTIONS"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.warm:
        corpus, store, qfile = args.warm
        print(json.dumps(warm_ask(corpus, store, json.loads(qfile.read_text()))), flush=True)
        return
    missing = [str(p) for p in args.sources if not p.is_dir()]
    if missing:
        ap.error(f"source corpus not found: {', '.join(missing)}")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    (args.work / "seed").mkdir(parents=True, exist_ok=True)
    rows = [measure("seed", ROOT / "corpus", args.work / "seed", args)]
    for size in sizes:
        rows.append(measure(size, synthetic(size, args), args.work / f"n{size}", args))
    print("\n" + table(rows) + "\n\n" + growth(rows), flush=True)


if __name__ == "__main__":
    main()
