"""Fit the answerability decision on several question sets at once.

    python bench/calibrate.py /tmp/seed_feats.jsonl /tmp/mh_feats.jsonl /tmp/rtqa_feats.jsonl
    python bench/calibrate.py --judge --card retrieval/judge/weights mh.jsonl rtqa.jsonl
    python bench/calibrate.py --holdout mh.jsonl seed.jsonl rtqa.jsonl

Each file is a ``bench/eval_questions.py --dump``. Every set gets the same total weight, and
within a set both classes get the same weight, so no one corpus or class dominates the fit.
Prints the coefficients to put in retrieval/answer.py and, per set, the share of answerable
questions kept and unanswerable ones rejected at a few thresholds. With ``--judge`` the judge's
probability is a fifth signal; ``--card DIR`` writes the fit and the threshold with the best mean
balanced accuracy into ``DIR/judge.json`` (the judge's card), where the engine reads it.
``--holdout F`` is the leave-one-set-out report: the fit and its threshold come from the other
dumps only, and F's questions are scored with them (AUC, answerable kept, unanswerable
rejected), so the figure says what the fit does on a question set it never saw.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

FEATURES = ("dense", "cover", "absent", "stale")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dumps", nargs="+")
    ap.add_argument("--judge", action="store_true", help="fit with the judge's signal too")
    ap.add_argument("--card", type=Path, help="write the fit into this judge folder's card")
    ap.add_argument("--holdout", help="a dump left out of the fit and reported on")
    args = ap.parse_args()
    features = (*FEATURES, "judge") if args.judge else FEATURES
    model, threshold = fit(args.dumps, features, args.card)
    if args.holdout:
        held_out(model, threshold, args.holdout, features)


def held_out(model, threshold: float, path: str, features: tuple[str, ...]) -> None:
    from sklearn.metrics import roc_auc_score

    with open(path) as fh:
        rows = [json.loads(line) for line in fh]
    p = model.predict_proba(np.array([[r[f] for f in features] for r in rows]))[:, 1]
    y = np.array([int(r["answerable"]) for r in rows])
    hit = np.array([bool(r.get("hit")) for r in rows])
    report = {
        "held_out": Path(path).name,
        "threshold": threshold,
        "auc": round(float(roc_auc_score(y, p)), 3) if 0 < y.sum() < len(y) else None,
        "answerable_kept": round(float(np.mean(p[y == 1] >= threshold)), 3),
        "answered_with_evidence": round(float(np.mean(((p >= threshold) & hit)[y == 1])), 3),
        "unanswerable_rejected": round(float(np.mean(p[y == 0] < threshold)), 3)
        if (y == 0).any()
        else None,
    }
    print(json.dumps(report))


def fit(paths: list[str], features: tuple[str, ...], card: Path | None):
    sets = []
    for path in paths:
        with open(path) as fh:
            rows = [json.loads(line) for line in fh]
        sets.append((path, rows))
    x, y, w = [], [], []
    for _path, rows in sets:
        pos = sum(r["answerable"] for r in rows)
        neg = len(rows) - pos
        for r in rows:
            x.append([r[f] for f in features])
            y.append(int(r["answerable"]))
            w.append(0.5 / (pos if r["answerable"] else max(neg, 1)))
    w = np.array(w) * len(w) / sum(w)  # mean weight 1, so C means what it usually does
    model = LogisticRegression(C=1.0).fit(np.array(x), np.array(y), sample_weight=w)
    coef = dict(zip(features, (round(float(c), 3) for c in model.coef_[0]), strict=True))
    print(json.dumps({"coef": coef, "bias": round(float(model.intercept_[0]), 3)}))
    best = (-1.0, 0.5)
    for threshold in np.arange(0.3, 0.71, 0.05):
        line = [f"t={threshold:.2f}"]
        balanced = []
        for path, rows in sets:
            p = model.predict_proba(np.array([[r[f] for f in features] for r in rows]))[:, 1]
            kept = [pi >= threshold for pi in p]
            pos = [k for k, r in zip(kept, rows, strict=True) if r["answerable"]]
            neg = [not k for k, r in zip(kept, rows, strict=True) if not r["answerable"]]
            balanced.append((np.mean(pos) + (np.mean(neg) if neg else 1.0)) / 2)
            line.append(
                f"{path.rsplit('/', 1)[-1]}: kept {np.mean(pos):.2f} "
                f"rejected {np.mean(neg) if neg else float('nan'):.2f}"
            )
        line.insert(1, f"mean balanced accuracy {np.mean(balanced):.3f}")
        print("  ".join(line))
        # Ties go to the higher threshold: a wrong "answered" misleads more than a rejection.
        if np.mean(balanced) >= best[0] - 1e-9:
            best = (float(np.mean(balanced)), round(float(threshold), 2))
    if card is not None:
        path = card / "judge.json"
        data = json.loads(path.read_text()) if path.is_file() else {}
        data["calibration"] = {
            "coef": coef,
            "bias": round(float(model.intercept_[0]), 3),
            "threshold": best[1],
            "fitted_on": [Path(p).name for p in paths],
            "balanced_accuracy": round(best[0], 3),
        }
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"wrote the calibration (threshold {best[1]}) into {path}")
    return model, best[1]


if __name__ == "__main__":
    main()
