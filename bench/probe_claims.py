"""Claims made from a corpus's own sentences, checked against that corpus: a probe of the claim
checker on text nobody wrote claims for.

    python bench/probe_claims.py --corpus DIR [--store DIR] [--n 600] [--seed 11] [--show K]

Samples --n plain sentences (10-40 words, no quotes, no questions) and checks, for each:

- the sentence itself (``verbatim``): it is in the corpus, so it should be ``supported``; a
  "contradicted" or "conflicting" verdict is a false refutation unless two outlets really
  disagree (printed with --show, for reading);
- the sentence with a clause dropped (``clause``) or common words put in other words
  (``synonym``): still true, so also ``supported`` (or at worst not enough evidence);
- the sentence edited to be false: a number changed (``number``), a "not" added
  (``negation``), a name swapped for another name of the sample (``name``). A number or a
  negation edit should be ``contradicted``; a name swap must not be ``supported``.

Prints one JSON line per kind: how many, and the share of each verdict. Any corpus in the
format of DESIGN.md §2 works; no dev file is special-cased.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval import Engine, load_settings  # noqa: E402

VERDICTS = ("supported", "contradicted", "not_enough_evidence", "conflicting")
# Words put in others that keep the meaning (the ``synonym`` kind).
SYNONYMS = {
    "said": "stated",
    "says": "states",
    "told": "informed",
    "bought": "purchased",
    "people": "individuals",
    "began": "started",
    "started": "began",
    "helped": "assisted",
    "showed": "demonstrated",
    "announced": "revealed",
    "plans": "intends",
    "company": "firm",
    "companies": "firms",
    "rose": "climbed",
    "fell": "dropped",
    "major": "significant",
    "attempt": "effort",
    "also": "additionally",
    "after": "following",
    "cars": "vehicles",
    "quickly": "rapidly",
    "recently": "lately",
    "officials": "authorities",
    "children": "kids",
    "agreed": "consented",
    "wants": "seeks",
    "asked": "requested",
}
_AUX = re.compile(r"\b(is|was|are|were|has|have|had|will|can)\b (?!not\b)")
_NAME = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{3,}(?= [a-z])")
_NUM = re.compile(
    r"(?<![\w.,$:])(\d{1,3}(?:,\d{3})+|\d+)(?![\d,.:]*\d)(?!\s*(?:a\.m|p\.m|st|nd|rd|th))"
)
_MONTHS = set(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)


def sample_sentences(engine: Engine, n: int, rng: random.Random) -> list[tuple[str, str]]:
    state = engine.state
    ids = sorted(state.articles)
    picks: list[tuple[str, str]] = []
    for _ in range(200 * n):
        if len(picks) >= n:
            break
        aid = rng.choice(ids)
        spans = state.sentences[aid]
        if not spans:
            continue
        text = " ".join(state.sentence_text(aid, rng.randrange(len(spans))).split())
        if not 10 <= len(text.split()) <= 40 or text.endswith("?") or re.search('["“”]', text):
            continue
        if (aid, text) not in picks:
            picks.append((aid, text))
    return picks


def variants(text: str, names: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """(kind, claim) made from one sentence: itself, one true variant, one false edit."""
    out = [("verbatim", text)]
    cuts = [
        m.start()
        for m in re.finditer(r",\s|\s[—–-]\s", text)
        if len(text[: m.start()].split()) >= 8
    ]
    swapped, n = text, 0
    for word, other in SYNONYMS.items():
        if n < 3 and re.search(rf"\b{word}\b", swapped):
            swapped, n = re.sub(rf"\b{word}\b", other, swapped, count=1), n + 1
    if cuts and (not n or rng.random() < 0.5):
        out.append(("clause", text[: cuts[-1]].rstrip() + "."))
    elif n:
        out.append(("synonym", swapped))
    edits = []
    nums = [m for m in _NUM.finditer(text) if not re.fullmatch(r"(19|20)\d\d", m.group(1))]
    if nums:
        m = rng.choice(nums)
        value = int(m.group(1).replace(",", ""))
        new = value + rng.choice((1, 2, 3)) if value < 10 else int(value * rng.choice((0.5, 2)))
        said = f"{new:,}" if "," in m.group(1) else str(new)
        edits.append(("number", text[: m.start()] + said + text[m.end() :]))
    if m := _AUX.search(text):
        edits.append(("negation", text[: m.end()] + "not " + text[m.end() :]))
    found = [m for m in _NAME.finditer(text) if m.group(0) not in _MONTHS]
    others = [x for x in names if x not in text]
    if found and others:
        m = rng.choice(found)
        edits.append(("name", text[: m.start()] + rng.choice(others) + text[m.end() :]))
    if edits:
        out.append(rng.choice(edits))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--store", type=Path)
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--show", type=int, default=0, help="print up to K misses of each kind")
    args = ap.parse_args()
    store = args.store or Path("/tmp/wirecheck-eval") / args.corpus.resolve().name
    rng = random.Random(args.seed)
    with Engine(load_settings(corpus_dir=args.corpus, store_dir=store)) as engine:
        print(engine.reload().summary(), file=sys.stderr)
        picks = sample_sentences(engine, args.n, rng)
        names = sorted({m for _, t in picks for m in _NAME.findall(t) if m not in _MONTHS})
        counts: dict[str, Counter] = defaultdict(Counter)
        shown: Counter = Counter()
        for _, text in picks:
            for kind, claim in variants(text, names, rng):
                verdict = engine.check(claim).verdict
                counts[kind][verdict] += 1
                right = {
                    "verbatim": ("supported",),
                    "clause": ("supported",),
                    "synonym": ("supported",),
                    "number": ("contradicted",),
                    "negation": ("contradicted",),
                    "name": ("contradicted", "not_enough_evidence"),
                }[kind]
                if verdict not in right and shown[kind] < args.show:
                    shown[kind] += 1
                    print(f"{kind}: {verdict}: {claim[:160]!r}", file=sys.stderr)
    for kind in ("verbatim", "clause", "synonym", "number", "negation", "name"):
        c = counts[kind]
        total = sum(c.values())
        if total:
            row = {"kind": kind, "claims": total}
            row.update({v: round(c[v] / total, 3) for v in VERDICTS})
            print(json.dumps(row))


if __name__ == "__main__":
    main()
