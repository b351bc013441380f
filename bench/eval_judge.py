"""Leave-one-set-out report of the learned judge, and the calibration the shipped judge carries.

    python bench/eval_judge.py [--work /tmp/wirecheck-judge] [--stores /tmp/wirecheck-eval]

Run after bench/train_judge.py, which leaves in --work one judge trained without each dev set.
For each question set X (multihop, realtimeqa): the judge that never saw X answers X, with the
answerability calibration fitted on the *other* set's out-of-sample features, so no figure
comes from anything tuned on its own set. summedits is checked by the judge trained without it,
at the default bars. The shipped judge (retrieval/judge/weights) then gets the calibration fitted
on both sets' out-of-sample features, and answers the seed questions and claims (never trained
or tuned on). Prints one JSON line per run and writes them to --work/loso.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
DEV = EVAL / "dev"
SHIPPED = ROOT / "retrieval" / "judge" / "weights"
QUESTIONS = {
    "multihop": (DEV / "multihop" / "corpus", DEV / "multihop" / "questions.jsonl"),
    "realtimeqa": (DEV / "realtimeqa" / "corpus", DEV / "realtimeqa" / "questions.jsonl"),
}


def run(script: str, judge: Path | None, *args: str) -> dict:
    env = dict(os.environ)
    if judge is not None:
        env["WIRECHECK_JUDGE"] = "learned"
        env["WIRECHECK_JUDGE_PATH"] = str(judge)
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def questions(name: str, judge: Path, stores: Path, dump: Path) -> dict:
    corpus, qs = QUESTIONS[name]
    return run(
        "eval_questions.py",
        judge,
        *("--corpus", str(corpus), "--questions", str(qs)),
        *("--store", str(stores / name), "--dump", str(dump)),
    )


def calibrate(card: Path, dumps: list[Path]) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "calibrate.py"), "--judge", "--card", str(card)]
        + [str(d) for d in dumps],
        check=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=Path("/tmp/wirecheck-judge"))
    ap.add_argument("--stores", type=Path, default=Path("/tmp/wirecheck-eval"))
    args = ap.parse_args()
    rows = []

    def emit(label: str, result: dict) -> None:
        row = {"run": label, **result}
        rows.append(row)
        print(json.dumps(row), flush=True)

    # Pass 1: out-of-sample judge features for each question set.
    oos = {}
    for name in QUESTIONS:
        oos[name] = args.work / f"oos-{name}.jsonl"
        questions(name, args.work / f"without-{name}", args.stores, oos[name])
    # Pass 2: each held-out judge, calibrated on the other set only, answers its own set.
    for name in QUESTIONS:
        others = [oos[o] for o in QUESTIONS if o != name]
        judge = args.work / f"without-{name}"
        calibrate(judge, others)
        dump = args.work / f"loso-{name}.jsonl"
        emit(f"loso {name}", questions(name, judge, args.stores, dump))
    emit(
        "loso summedits",
        run(
            "eval_claims.py",
            args.work / "without-summedits",
            *("--corpus", str(DEV / "summedits_news" / "corpus")),
            *("--claims", str(DEV / "summedits_news" / "claims.jsonl")),
            *("--store", str(args.stores / "summedits")),
        ),
    )
    # The shipped judge: calibrated on both sets' out-of-sample features; seeds as the test.
    calibrate(SHIPPED, list(oos.values()))
    seed_store = args.stores / "seed"
    emit(
        "shipped seed questions",
        run(
            "eval_questions.py",
            SHIPPED,
            *("--corpus", str(ROOT / "corpus"), "--questions", str(EVAL / "seed_questions.jsonl")),
            *("--store", str(seed_store)),
        ),
    )
    for claims in (
        EVAL / "seed_claims.jsonl",
        ROOT / "tests" / "fixtures" / "seed_claims_extra.jsonl",
    ):
        emit(
            f"shipped {claims.name}",
            run(
                "eval_claims.py",
                SHIPPED,
                *("--corpus", str(ROOT / "corpus"), "--claims", str(claims)),
                *("--store", str(seed_store)),
            ),
        )
    with (args.work / "loso.jsonl").open("w") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
