"""Scale benchmark: index, store and `ask` costs on synthetic corpora of 1k, 5k and 20k articles.

    python bench/scale.py [--sizes 1000,5000,20000] [--sources DIR ...] [--work DIR] [--reuse]
                          [--questions 40]

The synthetic corpus (``make_corpus``) is made from the source corpora (by default the three dev
sets) so that nothing is repeated verbatim: the indexer embeds every sentence and the engine
embeds a repeated text only once, so verbatim copies would make a big corpus look cheap. Output
article j is copy k = j // B of source article ``order[j % B]`` (B source articles, ``order`` a
seeded shuffle, so a small size still mixes every source). Each copy gets a new id and file name,
a URL with that id in its path, its date moved 1-5 days, an outlet drawn from the sources'
outlets, and its paragraphs rotated by k + 1. In every sentence and in the title, about 15 % of
the words of four or more letters (at least one, spread evenly over the sentence) are replaced by
words drawn uniformly from the sources' vocabulary, keeping their case; about 30 % of the numbers
move by 1-9 (all of them in a sentence with no such word). The units perturbed are the indexer's
own (``split_sentences``, long sentences cut), and words next to a dot are left alone, so the
splitter cuts a copy where it cut its source. A unit that comes out equal to any source unit or
any unit already written is drawn again with more replacements (a bare "2015" gets a word in
front), and each copy is split again as written and drawn again on a clash, so the synthetic
corpus holds no sentence or title twice. Everything follows from ``seed``.

Measured for the seed corpus (``corpus/``, for ratios) and then for each size, each part in its
own process so every peak RSS (from ``os.wait4``) is that process's own:

- index: ``wirecheck index`` from an empty store, wall time and peak RSS (kept in ``index.json``
  beside the store, so ``--reuse`` can report it again without rebuilding);
- store size on disk (allocated blocks), after the cold asks (the first one keeps the served
  state it derived): total, ``chroma/``, ``articles.sqlite*``, ``models/``;
- cold ask: ``wirecheck ask --json`` in a new process, 3 runs on 3 questions, median wall time
  (the first run after an index also derives the served state and keeps it in the store);
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
import datetime as dt
import hashlib
import json
import logging
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.corpus import load_corpus  # noqa: E402
from retrieval.passages import split_sentences  # noqa: E402
from retrieval.text import paragraph_spans  # noqa: E402
from retrieval.types import Article  # noqa: E402

log = logging.getLogger("scale")

DEV = ROOT.parent / "shared" / "eval" / "dev"
SOURCES = [DEV / name / "corpus" for name in ("realtimeqa", "multihop", "summedits_news")]
REPLACE_SHARE = 0.15
NUMBER_SHARE = 0.3
MAX_SHIFT_DAYS = 5
MAX_DRAWS = 8
COLD_RUNS = 3
MB = 1024 * 1024
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"\d+")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# -- the synthetic corpus ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sentence:
    text: str
    words: tuple[tuple[int, int], ...]  # replaceable: 4+ letters, not next to a dot
    short: tuple[tuple[int, int], ...]  # shorter words not next to a dot (a last resort)
    numbers: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class _Base:
    article: Article
    title: _Sentence
    # Per paragraph: (whitespace before, sentence) pairs.
    paragraphs: tuple[tuple[tuple[str, _Sentence], ...], ...]


@dataclass(frozen=True)
class _Context:
    seed: int
    vocab: list[str]
    outlets: list[str]
    seen: set[bytes]  # every title and sentence so far, sources included (8-byte digests)


def _sentence(text: str) -> _Sentence:
    words, short = [], []
    for m in _WORD.finditer(text):
        start, end = m.span()
        if text[end : end + 1] == "." or text[start - 1 : start] == ".":
            continue  # "Sept.", "Mr.", "reuters.com": the splitter reads these
        (words if end - start >= 4 else short).append((start, end))
    numbers = tuple(m.span() for m in _NUMBER.finditer(text))
    return _Sentence(text, tuple(words), tuple(short), numbers)


def _base(article: Article) -> _Base:
    # The indexer's own units, long sentences already cut: each cut piece gets its own changes.
    units = iter(split_sentences(article))
    unit = next(units, None)
    paragraphs = []
    for p_start, p_end in paragraph_spans(article.body):
        pieces, pos = [], p_start
        while unit is not None and unit.start < p_end:
            text = article.body[unit.start : unit.end]
            pieces.append((article.body[pos : unit.start], _sentence(text)))
            pos = unit.end
            unit = next(units, None)
        paragraphs.append(tuple(pieces))
    return _Base(article, _sentence(article.title), tuple(paragraphs))


def _sentences(base: _Base) -> list[_Sentence]:
    return [base.title] + [s for para in base.paragraphs for _, s in para]


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def _swap_word(word: str, rng: random.Random, vocab: list[str]) -> str:
    new = low = word.lower()
    while new == low:
        new = vocab[rng.randrange(len(vocab))]
    if len(word) > 1 and word.isupper():
        return new.upper()
    return new.capitalize() if word[0].isupper() else new


def _perturb(s: _Sentence, rng: random.Random, vocab: list[str], extra: int) -> str:
    edits: dict[int, tuple[int, str]] = {}
    pool = s.words or s.short
    if pool:
        m = min(len(pool), max(1, round(REPLACE_SHARE * len(pool))) + extra)
        for g in range(m):  # one word from each of m equal stretches: no long run stays intact
            start, end = pool[rng.randrange(g * len(pool) // m, (g + 1) * len(pool) // m)]
            edits[start] = (end, _swap_word(s.text[start:end], rng, vocab))
    for start, end in s.numbers:
        if not pool or rng.random() < NUMBER_SHARE:
            digits = s.text[start:end]
            edits[start] = (end, str(int(digits) + rng.randint(1, 9)).zfill(len(digits)))
    if not edits:  # neither words nor numbers ("***"): a capitalised word keeps the cut before
        return vocab[rng.randrange(len(vocab))].capitalize() + " " + s.text
    out, pos = [], 0
    for start in sorted(edits):
        end, new = edits[start]
        out += (s.text[pos:start], new)
        pos = end
    out.append(s.text[pos:])
    return "".join(out)


def _unique(s: _Sentence, rng: random.Random, ctx: _Context, mine: set[bytes]) -> str:
    """A perturbed ``s`` that is neither in ``ctx.seen`` nor in ``mine`` (this copy's so far)."""

    def new(text: str) -> bool:
        return _key(text) not in ctx.seen and _key(text) not in mine

    for extra in range(MAX_DRAWS):
        text = _perturb(s, rng, ctx.vocab, extra)
        if new(text):
            break
    else:  # too little to vary ("2015" or "6." alone): words go in front until the text is new
        while not new(text):
            text = ctx.vocab[rng.randrange(len(ctx.vocab))].capitalize() + " " + text
    mine.add(_key(text))
    return text


def _shift_date(published: str | None, days: int) -> str:
    if not published:
        return ""
    delta = dt.timedelta(days=days)
    try:
        if "T" in published:
            return (dt.datetime.fromisoformat(published) + delta).isoformat()
        if len(published) == 10:
            return (dt.date.fromisoformat(published) + delta).isoformat()
    except ValueError:
        pass
    return published  # a partial date ("2025-06") stays as it is


def _copy_url(url: str | None, article_id: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        path = parts.path.rstrip("/") + "/" + article_id
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return f"https://scale.example/{article_id}"


def _draw(base: _Base, k: int, rng: random.Random, ctx: _Context) -> tuple[str, str]:
    """A perturbed title and body for copy ``k`` of ``base``."""
    mine: set[bytes] = set()
    paragraphs = [
        "".join(gap + _unique(s, rng, ctx, mine) for gap, s in para) for para in base.paragraphs
    ]
    turn = (k + 1) % len(paragraphs)
    body = "\n\n".join(paragraphs[turn:] + paragraphs[:turn])
    return _unique(base.title, rng, ctx, mine), body


def _render(j: int, k: int, base: _Base, ctx: _Context) -> tuple[str, str]:
    """The id and file text of output article ``j``, copy ``k`` of ``base``."""
    rng = random.Random(f"{ctx.seed}:{j}")
    a = base.article
    article_id = f"syn{j:06d}-" + re.sub(r"[^a-z0-9]+", "-", a.id.lower()).strip("-")[:60]
    # Checked as the indexer will cut it: a long sentence's cut can move and leave a fragment
    # ("Wyoming" at the end of a list of states) that some source also holds.
    for _ in range(MAX_DRAWS):
        title, body = _draw(base, k, rng, ctx)
        copy = Article(id=article_id, title=title, body=body, path="", content_hash="")
        keys = [_key(title)] + [_key(body[u.start : u.end]) for u in split_sentences(copy)]
        if len(set(keys)) == len(keys) and ctx.seen.isdisjoint(keys):
            break
    ctx.seen.update(keys)
    meta = {
        "id": article_id,
        "title": title,
        "outlet": ctx.outlets[rng.randrange(len(ctx.outlets))],
        "url": _copy_url(a.url, article_id),
        "published": _shift_date(a.published, rng.randint(1, MAX_SHIFT_DAYS)),
        "author": a.author or "",
    }
    meta = {key: value for key, value in meta.items() if value}
    front = yaml.dump(meta, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=1_000_000)
    return article_id, f"---\n{front}---\n{body}\n"


def make_corpus(sources: list[Path], out: Path, n: int, seed: int = 7) -> int:
    """Write ``n`` perturbed copies of the articles under ``sources`` into the empty folder
    ``out`` (corpus format, one file each); returns how many were written."""
    articles: list[Article] = []
    for folder in sources:
        found, errors = load_corpus(folder)
        if errors:
            log.warning("%s: %d files skipped", folder, len(errors))
        articles += found
    if not articles:
        raise ValueError("no articles in the source folders")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.glob("*.md")):
        raise FileExistsError(f"{out} already holds articles")
    bases = [_base(a) for a in articles]
    seen: set[bytes] = set()
    words: set[str] = set()
    for base in bases:
        for s in _sentences(base):
            seen.add(_key(s.text))
            words.update(s.text[start:end].lower() for start, end in s.words)
    vocab = sorted(words)
    if len(vocab) < 2:
        raise ValueError("the sources have too few words to perturb")
    outlets = sorted({a.outlet for a in articles if a.outlet}) or ["Scale Wire"]
    order = list(range(len(bases)))
    random.Random(seed).shuffle(order)
    ctx = _Context(seed, vocab, outlets, seen)
    for j in range(n):
        k, i = divmod(j, len(order))
        article_id, text = _render(j, k, bases[order[i]], ctx)
        (out / f"{article_id}.md").write_text(text, encoding="utf-8")
    return n


def make_questions(articles: list[Article], n: int) -> list[str]:
    """``n`` questions about evenly spaced articles (see the module docstring)."""
    step = max(1, len(articles) // n)
    picked = articles[::step][:n]
    out = [f"What happened with {a.title.rstrip('.?!… ')}?" for a in picked]
    if len(out) < n:
        out += [" ".join(a.lead.split()[:10]).rstrip(".,;:?!") + "?" for a in picked]
    return [out[i % len(out)] for i in range(n)]


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
        peak_rss_mb=max(peaks),
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
