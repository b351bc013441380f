"""Check a claim set and score the verdicts.

    python bench/eval_claims.py --corpus DIR --claims FILE.jsonl [--store DIR] [--show-errors]

Prints accuracy over the four verdicts, per-label precision/recall, the binary view
(supported vs. not supported) and the precision of "contradicted", plus warm latency.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval import Engine, load_settings  # noqa: E402

LABELS = ("supported", "contradicted", "not_enough_evidence", "conflicting")


def prf(pairs: list[tuple[str, str]], label: str) -> dict:
    tp = sum(g == label and p == label for g, p in pairs)
    fp = sum(g != label and p == label for g, p in pairs)
    fn = sum(g == label and p != label for g, p in pairs)
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "predicted": tp + fp,
        "gold": tp + fn,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--claims", type=Path, required=True)
    ap.add_argument("--store", type=Path)
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()
    store = args.store or Path("/tmp/wirecheck-eval") / args.corpus.resolve().name
    engine = Engine(load_settings(corpus_dir=args.corpus, store_dir=store))
    print(engine.reload().summary(), file=sys.stderr)
    items = [json.loads(line) for line in args.claims.open() if line.strip()]
    engine.check(items[0]["claim"])
    pairs, times = [], []
    for item in items:
        t = time.perf_counter()
        result = engine.check(item["claim"])
        times.append(1000 * (time.perf_counter() - t))
        pairs.append((item["label"], result.verdict))
        if args.show_errors and item["label"] != result.verdict:
            print(
                f"{item['id']}: {item['label']} -> {result.verdict}: {item['claim'][:110]!r}",
                file=sys.stderr,
            )
            for e in result.evidence[:2]:
                print(f"    {e.stance}: {e.quote[:110]!r}", file=sys.stderr)
    binary = [
        ("supported" if g == "supported" else "not", "supported" if p == "supported" else "not")
        for g, p in pairs
    ]
    times.sort()
    report = {
        "set": str(args.claims),
        "claims": len(pairs),
        "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 3),
        "confusion": dict(Counter(f"{g}->{p}" for g, p in pairs)),
        "per_label": {label: prf(pairs, label) for label in LABELS},
        "binary_accuracy": round(sum(g == p for g, p in binary) / len(binary), 3),
        "binary_supported": prf(binary, "supported"),
        "binary_not_supported": prf(binary, "not"),
        "latency_p50_ms": round(statistics.median(times), 1),
        "latency_p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }
    print(json.dumps(report))
    engine.close()


if __name__ == "__main__":
    main()
