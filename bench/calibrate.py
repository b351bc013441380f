"""Fit the answerability decision on several question sets at once.

    python bench/calibrate.py /tmp/seed_feats.jsonl /tmp/mh_feats.jsonl /tmp/rtqa_feats.jsonl

Each file is a ``bench/eval_questions.py --dump``. Every set gets the same total weight, and
within a set both classes get the same weight, so no one corpus or class dominates the fit.
Prints the coefficients to put in retrieval/answer.py and, per set, the share of answerable
questions kept and unanswerable ones rejected at a few thresholds.
"""

from __future__ import annotations

import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

FEATURES = ("dense", "cover", "absent", "stale")


def main(paths: list[str]) -> None:
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
            x.append([r[f] for f in FEATURES])
            y.append(int(r["answerable"]))
            w.append(0.5 / (pos if r["answerable"] else max(neg, 1)))
    w = np.array(w) * len(w) / sum(w)  # mean weight 1, so C means what it usually does
    model = LogisticRegression(C=1.0).fit(np.array(x), np.array(y), sample_weight=w)
    coef = dict(zip(FEATURES, (round(float(c), 2) for c in model.coef_[0]), strict=True))
    print(json.dumps({"coef": coef, "bias": round(float(model.intercept_[0]), 2)}))
    for threshold in np.arange(0.3, 0.71, 0.05):
        line = [f"t={threshold:.2f}"]
        balanced = []
        for path, rows in sets:
            p = model.predict_proba(np.array([[r[f] for f in FEATURES] for r in rows]))[:, 1]
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


if __name__ == "__main__":
    main(sys.argv[1:])
