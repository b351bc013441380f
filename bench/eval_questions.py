"""Answer a question set; score evidence hits (answerable) and rejections (the rest).

    python bench/eval_questions.py --corpus DIR --questions FILE.jsonl [--store DIR] [--dump F]

A question counts as a hit when a cited quote contains one of its gold strings (``answers`` or
``evidence_any``) or a citation comes from one of its gold ``evidence_ids``. ``--dump`` writes the
answerability signals per question for bench/calibrate.py. Data is read in place, never copied.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval import Engine, load_settings  # noqa: E402
from retrieval.answer import answerability, judge_candidates, select_evidence  # noqa: E402
from retrieval.retrieve import retrieve_evidence  # noqa: E402
from retrieval.text import normalize  # noqa: E402


def is_hit(item: dict, answer: dict) -> bool:
    quotes = [
        normalize(" ".join(q.split())) for c in answer["citations"] for q in c.get("quotes", [])
    ]
    gold = item.get("answers") or []
    gold += item.get("evidence_any") or []
    for g in gold:
        g = normalize(g)
        if g in ("yes", "no"):
            continue
        if any(g in q for q in quotes):
            return True
    ids = set(item.get("evidence_ids") or [])
    return any(c["article_id"] in ids for c in answer["citations"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--store", type=Path)
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    store = args.store or Path("/tmp/wirecheck-eval") / args.corpus.resolve().name
    engine = Engine(load_settings(corpus_dir=args.corpus, store_dir=store))
    print(engine.reload().summary(), file=sys.stderr)
    items = [json.loads(line) for line in args.questions.open() if line.strip()]
    rows, latencies = [], []
    for item in items:
        t = time.perf_counter()
        answer = engine.ask(item["question"]).to_json(item["id"])
        latencies.append(time.perf_counter() - t)
        state = engine.state
        ev = retrieve_evidence(state, engine._vectors, engine.embedder, item["question"])
        judged = None
        if engine.judge is not None:
            ev, judged = judge_candidates(state, ev, item["question"], engine.judge)
        chosen = select_evidence(state, ev, engine.settings.max_citations)
        calibration = getattr(engine.judge, "card", {}).get("calibration")
        sig = answerability(state, ev, chosen, judged, calibration)
        row = {
            "id": item["id"],
            "answerable": item.get("answerable", True),
            "status": answer["status"],
            "hit": is_hit(item, answer),
            **sig,
        }
        rows.append(row)
        if (
            args.show_misses
            and row["answerable"]
            and not (row["hit"] and row["status"] == "answered")
        ):
            print(
                f"MISS {item['id']} {item['question'][:100]!r} {row['status']} "
                f"hit={row['hit']} p={sig['p']:.2f}",
                file=sys.stderr,
            )
            for c in answer["citations"][:3]:
                print(f"     [{c['n']}] {c['article_id']}: {c['quote'][:120]!r}", file=sys.stderr)
        if args.show_misses and not row["answerable"] and answer["status"] == "answered":
            print(
                f"FALSE-ANSWER {item['id']} {item['question'][:100]!r} p={sig['p']:.2f}",
                file=sys.stderr,
            )
    pos = [r for r in rows if r["answerable"]]
    neg = [r for r in rows if not r["answerable"]]
    lat = sorted(latencies)
    report = {
        "set": str(args.questions),
        "questions": len(rows),
        "answerable": len(pos),
        "evidence_hit": round(sum(r["hit"] for r in pos) / max(len(pos), 1), 3),
        "answered_with_evidence": round(
            sum(r["hit"] and r["status"] == "answered" for r in pos) / max(len(pos), 1), 3
        ),
        "unanswerable": len(neg),
        "rejected": round(sum(r["status"] == "not_in_sources" for r in neg) / max(len(neg), 1), 3),
        "latency_p50_ms": round(1000 * statistics.median(lat), 1),
        "latency_p95_ms": round(1000 * lat[int(0.95 * (len(lat) - 1))], 1),
    }
    print(json.dumps(report))
    if args.dump:
        with args.dump.open("w") as fh:
            for r in rows:
                fh.write(json.dumps(r) + "\n")
    engine.close()


if __name__ == "__main__":
    main()
