"""Run the question sets (seed, dev/multihop, dev/realtimeqa) and refit answerability on all.

    python bench/eval_all.py [--stores DIR]

Stores default to /tmp/wirecheck-eval/<set>; the realtimeqa index takes a while the first time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
SETS = {
    "seed": (ROOT / "corpus", EVAL / "seed_questions.jsonl"),
    "multihop": (
        EVAL / "dev" / "multihop" / "corpus",
        EVAL / "dev" / "multihop" / "questions.jsonl",
    ),
    "realtimeqa": (
        EVAL / "dev" / "realtimeqa" / "corpus",
        EVAL / "dev" / "realtimeqa" / "questions.jsonl",
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stores", type=Path, default=Path("/tmp/wirecheck-eval"))
    args = ap.parse_args()
    dumps = []
    for name, (corpus, questions) in SETS.items():
        if not questions.is_file():
            print(f"skipping {name}: {questions} not found", file=sys.stderr)
            continue
        dump = args.stores / f"{name}-features.jsonl"
        args.stores.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "eval_questions.py"),
                "--corpus",
                str(corpus),
                "--questions",
                str(questions),
                "--store",
                str(args.stores / name),
                "--dump",
                str(dump),
            ],
            check=True,
        )
        dumps.append(str(dump))
    subprocess.run([sys.executable, str(ROOT / "bench" / "calibrate.py"), *dumps], check=True)


if __name__ == "__main__":
    main()
