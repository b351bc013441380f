"""Speed and memory benchmarks; prints one JSON object per measurement.

    python bench/bench.py [--big DIR] [--big-questions FILE] [--big-store DIR] [--sample N]
                          [--plain-sample N]

- index throughput (tokens/s) of the whole pipeline against the raw model on the same texts;
- a full index with our engine against a plain LlamaIndex + Chroma pipeline with the same
  model on the same articles: wall time, store size on disk, units stored;
- warm ``ask`` latency p50/p95 in-process on the seed corpus and on the big corpus;
- incremental ``index`` on the big corpus with no change and with one changed article;
- peak RSS of this process.

The big corpus defaults to ../shared/eval/dev/realtimeqa (1,515 articles), read in place; the
one-change run and the sampled runs work on copies in a temporary folder, never in the project.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval import Engine, load_settings  # noqa: E402
from retrieval.corpus import load_corpus  # noqa: E402
from retrieval.embedding import load_embedder  # noqa: E402
from retrieval.passages import split_sentences  # noqa: E402
from retrieval.types import Article  # noqa: E402

DEV = ROOT.parent / "shared" / "eval"


def emit(**kv) -> None:
    print(json.dumps(kv), flush=True)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def sample_corpus(corpus: Path, sample: int, work: Path) -> tuple[list[Article], Path]:
    """The first ``sample`` articles of ``corpus``, and a folder in ``work`` holding a copy of
    their files (so an index of the sample reads only those)."""
    articles, _ = load_corpus(corpus)
    articles = articles[:sample]
    sub = work / "sample-corpus"
    sub.mkdir()
    for a in articles:
        (sub / a.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus / a.path, sub / a.path)
    return articles, sub


def folder_mb(folder: Path, skip: str | None = None) -> float:
    """Bytes of the files under ``folder`` (apparent sizes), in MB, leaving out its top-level
    entry ``skip``."""
    total = sum(
        p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).parts[0] != skip
    )
    return round(total / 1e6, 2)


def index_throughput(corpus: Path, sample: int, work: Path) -> None:
    """Full pipeline (split, embed, write Chroma) vs. the bare model encoding the same texts."""
    articles, sub = sample_corpus(corpus, sample, work)
    # Exactly what the pipeline embeds: every sentence once, and each title.
    texts = [a.title for a in articles]
    for a in articles:
        texts += [a.body[s.start : s.end] for s in split_sentences(a)]
    embedder = load_embedder()
    from sentence_transformers import SentenceTransformer

    from retrieval.embedding import packaged_model_path

    model = SentenceTransformer(str(packaged_model_path()), device="cpu")  # the bare model
    tokens = sum(
        min(len(ids), model.max_seq_length)
        for ids in model.tokenizer(texts, add_special_tokens=True)["input_ids"]
    )
    t = time.perf_counter()
    model.encode(sorted(texts, key=len), batch_size=embedder.batch_size, normalize_embeddings=True)
    raw = time.perf_counter() - t
    engine = Engine(load_settings(corpus_dir=sub, store_dir=work / "sample-store"), embedder)
    t = time.perf_counter()
    engine.reload()
    full = time.perf_counter() - t
    engine.close()
    emit(
        metric="index_throughput",
        articles=len(articles),
        texts=len(texts),
        tokens=tokens,
        raw_model_tokens_per_s=round(tokens / raw),
        pipeline_tokens_per_s=round(tokens / full),
        ratio=round(raw / full, 3),
    )


def latency(metric: str, name: str, corpus: Path, store: Path, texts: list[str], call: str) -> None:
    """Warm in-process latency of ``Engine.<call>`` over ``texts`` (one warm-up call first)."""
    engine = Engine(load_settings(corpus_dir=corpus, store_dir=store))
    engine.reload()
    run = getattr(engine, call)
    run(texts[0])
    times = []
    for text in texts:
        t = time.perf_counter()
        run(text)
        times.append((time.perf_counter() - t) * 1000)
    engine.close()
    emit(
        metric=metric,
        corpus=name,
        items=len(texts),
        p50=round(statistics.median(times), 1),
        p95=round(pct(times, 0.95), 1),
        max=round(max(times), 1),
    )


def ask_latency(name: str, corpus: Path, store: Path, questions: Path) -> None:
    items = [json.loads(line)["question"] for line in questions.open() if line.strip()]
    latency("ask_latency_ms", name, corpus, store, items, "ask")


def _touch(files: list[Path], note: str) -> None:
    for f in files:
        f.write_text(f.read_text(encoding="utf-8") + f"\n\n{note}\n", encoding="utf-8")


def incremental(corpus: Path, store: Path, work: Path) -> None:
    """Reload on the big corpus: as ``wirecheck index`` does (nothing served yet), then as the
    bot does (a served state, the next one built beside it before the switch)."""
    copy_corpus, copy_store = work / "corpus", work / "store"
    shutil.copytree(corpus, copy_corpus)
    shutil.copytree(store, copy_store)
    files = sorted(copy_corpus.rglob("*.md"))
    engine = Engine(load_settings(corpus_dir=copy_corpus, store_dir=copy_store))
    engine.reload()

    def timed(metric: str, action, **extra) -> None:
        t = time.perf_counter()
        report = action()
        emit(
            metric=metric,
            updated=report.updated,
            unchanged=report.unchanged,
            seconds=round(time.perf_counter() - t, 3),
            **extra,
        )

    timed("index_no_change_s", engine.reload, served=False)
    _touch(files[len(files) // 2 : len(files) // 2 + 1], "An added closing paragraph.")
    timed("index_one_change_s", engine.reload, served=False)
    t = time.perf_counter()
    engine.state  # noqa: B018 - what a running bot has built
    emit(metric="state_build_s", seconds=round(time.perf_counter() - t, 3))
    timed("reload_no_change_s", engine.reload, served=True)
    _touch(files[len(files) // 3 : len(files) // 3 + 1], "Another added paragraph.")
    timed("reload_one_change_s", engine.reload, served=True)
    _touch(files[::10], "A tenth of the corpus changed.")
    timed("reload_ten_percent_s", engine.reload, served=True)
    timed("rollback_s", engine.rollback, served=True)
    engine.close()


def index_plain(corpus: Path, batch_size: int, store: Path) -> tuple[float, int]:
    """Index ``corpus`` as a plain LlamaIndex + Chroma pipeline would; (seconds, chunks).

    Documents (title and body), LlamaIndex's default ``SentenceSplitter`` (1,024-token chunks,
    200 overlap; MiniLM reads the first 256 word pieces of each), the packaged MiniLM through
    sentence-transformers, a fresh Chroma collection (cosine) holding ids, vectors and chunk
    texts. ``llama-index-vector-stores-chroma`` is not installed, so the nodes are written to
    Chroma directly; its ``ChromaVectorStore`` would also store each node's JSON as metadata,
    so this store is the smaller of the two. Timed from loading the articles to the last write,
    the model load included (our reload loads it too)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document
    from llama_index.core.node_parser import SentenceSplitter
    from sentence_transformers import SentenceTransformer

    from retrieval.embedding import packaged_model_path

    t = time.perf_counter()
    articles, _ = load_corpus(corpus)
    docs = [Document(text=f"{a.title}\n\n{a.body}", id_=a.id) for a in articles]
    nodes = SentenceSplitter().get_nodes_from_documents(docs)
    texts = [n.get_content() for n in nodes]
    model = SentenceTransformer(str(packaged_model_path()), device="cpu")
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    client = chromadb.PersistentClient(
        path=str(store), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.create_collection(
        "plain", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    step = int(client.get_max_batch_size())
    for i in range(0, len(nodes), step):
        collection.add(
            ids=[n.node_id for n in nodes[i : i + step]],
            embeddings=vectors[i : i + step],
            documents=texts[i : i + step],
        )
    return time.perf_counter() - t, len(nodes)


def plain_pipeline(corpus: Path, sample: int, work: Path) -> None:
    """A full index of the first ``sample`` articles: our engine against a plain pipeline.

    The plain one (``index_plain``) runs first, then ours (``Engine`` then ``reload`` on an empty
    store, the ONNX export of the model included, as on a store's first index), back to back on
    the same machine, so a busy machine slows both alike. Libraries are imported before either
    clock starts: importing torch is a cost of the process, not of either pipeline. Store sizes
    are apparent file sizes; ours also without ``models/``, its cached ONNX export."""
    import chromadb  # noqa: F401 - imported before timing, see above
    import llama_index.core  # noqa: F401
    import sentence_transformers  # noqa: F401
    import transformers

    transformers.utils.logging.disable_progress_bar()  # stderr noise, as retrieval/embedding.py

    articles, sub = sample_corpus(corpus, sample, work)
    settings = load_settings(corpus_dir=sub, store_dir=work / "ours")
    plain_s, plain_chunks = index_plain(sub, settings.embed_batch_size, work / "plain")
    t = time.perf_counter()
    engine = Engine(settings)
    engine.reload()
    ours_s = time.perf_counter() - t
    passages, sentences = engine._table.unit_counts(engine._table.generation())
    engine.close()
    emit(
        metric="index_vs_plain",
        articles=len(articles),
        ours_s=round(ours_s, 2),
        plain_s=round(plain_s, 2),
        ratio=round(ours_s / plain_s, 3),
        ours_store_mb=folder_mb(work / "ours"),
        ours_store_mb_without_model=folder_mb(work / "ours", skip="models"),
        plain_store_mb=folder_mb(work / "plain"),
        plain_chunks=plain_chunks,
        our_passages=passages,
        our_sentences=sentences,
    )


PHASES = ("seed_latency", "throughput", "plain_pipeline", "incremental", "big_latency")
CHECK_PHASES = ("seed_check", "big_check", "big_check_compound")


def check_latency(name: str, corpus: Path, store: Path, claims: list[str]) -> None:
    latency("check_latency_ms", name, corpus, store, claims, "check")


def corpus_claims(corpus: Path, n: int, statements: int = 1) -> list[str]:
    """Claims for a corpus with no claim set: every k-th article's second sentence, verbatim
    (with ``statements`` > 1, that many sentences from the second on: a compound claim)."""
    articles, _ = load_corpus(corpus)
    step = max(1, len(articles) // n)
    out = []
    for a in articles[::step][:n]:
        sents = split_sentences(a)
        if len(sents) > statements:
            out.append(" ".join(a.body[s.start : s.end] for s in sents[1 : 1 + statements]))
    return out


def run_phase(phase: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if phase == "seed_latency":
            ask_latency(
                "seed",
                ROOT / "corpus",
                work / "seed-store",
                ROOT / "tests" / "fixtures" / "seed_questions.jsonl",
            )
        elif phase == "throughput":
            index_throughput(args.big, args.sample, work)
        elif phase == "plain_pipeline":
            plain_pipeline(args.big, args.plain_sample, work)
        elif phase == "incremental":
            incremental(args.big, args.big_store, work)
        elif phase == "big_latency":
            ask_latency("big", args.big, args.big_store, args.big_questions)
        elif phase == "seed_check":
            fixtures = ROOT / "tests" / "fixtures"
            claims = [
                json.loads(line)["claim"]
                for name in ("seed_claims.jsonl", "seed_claims_extra.jsonl")
                for line in (fixtures / name).open()
                if line.strip()
            ]
            check_latency("seed", ROOT / "corpus", work / "seed-store", claims)
        elif phase == "big_check":
            check_latency("big", args.big, args.big_store, corpus_claims(args.big, 60))
        elif phase == "big_check_compound":
            claims = corpus_claims(args.big, 60, statements=2)
            check_latency("big, two statements", args.big, args.big_store, claims)
    emit(
        metric="peak_rss_mb",
        phase=phase,
        value=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=Path, default=DEV / "dev" / "realtimeqa" / "corpus")
    ap.add_argument(
        "--big-questions", type=Path, default=DEV / "dev" / "realtimeqa" / "questions.jsonl"
    )
    ap.add_argument(
        "--big-store",
        type=Path,
        default=Path("/tmp/wirecheck-bench/big-store"),
        help="built on first use (about half an hour for 1,515 articles on 2 cores)",
    )
    ap.add_argument("--sample", type=int, default=100, help="articles for the throughput run")
    ap.add_argument(
        "--plain-sample", type=int, default=200, help="articles for the plain-pipeline run"
    )
    ap.add_argument("--phase", choices=PHASES + CHECK_PHASES, help="run one phase in this process")
    args = ap.parse_args()
    if args.phase:
        run_phase(args.phase, args)
        return
    phases = (PHASES + CHECK_PHASES) if args.big.is_dir() else (PHASES[0], CHECK_PHASES[0])
    # Each phase in its own process, so each peak RSS is that phase's own.
    for phase in phases:
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--phase",
                phase,
                "--big",
                str(args.big),
                "--big-questions",
                str(args.big_questions),
                "--big-store",
                str(args.big_store),
                "--sample",
                str(args.sample),
                "--plain-sample",
                str(args.plain_sample),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
