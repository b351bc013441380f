"""Train the judge: pairs from the dev sets, MiniLM token states, the head, leave-one-set-out.

    python bench/train_judge.py [--work DIR] [--out retrieval/judge/weights] [--seed 13]

Stages, each kept in --work so a rerun continues where one stopped:
  1. pairs.jsonl: rule-made claim and question pairs from the sentences of each dev corpus
     (retrieval/judge/pairs.py), plus the labelled dev items: summedits claims against their
     best-aligned sentence, multihop and realtimeqa questions against BM25 candidates (answer
     sentences of gold articles are positives; sentences of other articles, and every candidate
     of an unanswerable question, negatives). Seed questions and claims are never used.
  2. models: MiniLM fine-tuned as a cross-encoder, one trained without each dev set (reported on
     the set it never saw, kept in --work/without-<set>), and the shipped one trained on all
     of them (--out). A model already on disk is kept, so a stopped run continues.

Reads ../shared/eval/dev/ in place; nothing is copied into the project.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.corpus import load_corpus  # noqa: E402
from retrieval.judge.features import pair_signals  # noqa: E402
from retrieval.judge.pairs import (  # noqa: E402
    CONTRADICT,
    ENTAIL,
    NEUTRAL,
    Pair,
    nli_pairs,
    paraphrase_pairs,
    qa_pairs,
)
from retrieval.text import content_terms, normalize, sentence_spans  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev"
SETS = ("summedits", "multihop", "realtimeqa")
CORPORA = {
    "summedits": DEV / "summedits_news" / "corpus",
    "multihop": DEV / "multihop" / "corpus",
    "realtimeqa": DEV / "realtimeqa" / "corpus",
}
# Rule-made pairs per set: articles sampled so each set gives a similar share.
ARTICLES_PER_SET = {"summedits": 12, "multihop": 326, "realtimeqa": 700}
NLI_PER_ARTICLE = {"summedits": 40, "multihop": 4, "realtimeqa": 3}
QA_PER_ARTICLE = {"summedits": 20, "multihop": 2, "realtimeqa": 2}
# Restatements across articles of one corpus (wire copies, rewrites).
PARAPHRASES = {"summedits": 200, "multihop": 600, "realtimeqa": 1500}
# Training: rule-made pairs per task on top of every labelled dev pair; one epoch.
TASK_CAPS = {"nli": 5500, "qa": 4500}
ENTAILMENT_KINDS = frozenset({"identity", "clause-dropped", "with-context", "paraphrase"})
BATCH = 16
ENCODER_LR = 3e-5
HEAD_LR = 1e-3
LABEL = {"supported": ENTAIL, "contradicted": CONTRADICT, "not_enough_evidence": NEUTRAL}


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def sentences_of(body: str) -> list[str]:
    return [body[s:e] for s, e in sentence_spans(body)]


def overlap(a: str, b: str) -> float:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    return len(ta & tb) / len(ta) if ta else 0.0


def summedits_pairs(articles: dict) -> list[Pair]:
    out = []
    for line in (DEV / "summedits_news" / "claims.jsonl").open():
        item = json.loads(line)
        body = articles[item["evidence_ids"][0]].body
        sents = sentences_of(body)
        windows = sents + [f"{p} {s}" for p, s in zip(sents, sents[1:], strict=False)]
        best = max(windows, key=lambda w: overlap(item["claim"], w))
        out.append(Pair("nli", item["claim"], best, LABEL[item["label"]], "labelled", "summedits"))
    return out


def question_pairs(name: str, articles: dict, rng: random.Random) -> list[Pair]:
    from retrieval.state import CorpusState

    state = CorpusState.build(list(articles.values()))
    out = []
    path = DEV / name / "questions.jsonl"
    for line in path.open():
        item = json.loads(line)
        q = item["question"]
        gold_ids = set(item.get("evidence_ids") or [])
        answers = [
            normalize(a) for a in item.get("answers") or [] if normalize(a) not in ("yes", "no")
        ]
        weights = state.bm25.expand(list(dict.fromkeys(content_terms(q))))
        cands: list[tuple[str, int]] = []
        for pi, _ in state.bm25.top(weights, 12):
            aid = state.passages[pi].article_id
            cands += [(aid, si) for si in state.passage_sentences[pi]]
        for aid in gold_ids & set(state.articles):
            cands += [(aid, si) for si in range(len(state.sentences[aid]))]
        cands = list(dict.fromkeys(cands))
        answerable = item.get("answerable", True)
        pos, neg = [], []
        for aid, si in cands:
            text = state.sentence_text(aid, si)
            has = any(a in normalize(text) for a in answers)
            if answerable and aid in gold_ids and has:
                pos.append(text)
            elif not answerable or (aid not in gold_ids and not has):
                neg.append(text)
        if answerable and not answers:
            # Yes/no and comparison questions: the gold article's sentence closest to it.
            for aid in gold_ids & set(state.articles):
                sents = [state.sentence_text(aid, i) for i in range(len(state.sentences[aid]))]
                pos.append(max(sents, key=lambda s: overlap(q, s)))
        neg.sort(key=lambda s: -overlap(q, s))
        for text in pos[:3]:
            out.append(Pair("qa", q, text, 1, "labelled", name))
        for text in neg[:6]:
            out.append(Pair("qa", q, text, 0, "labelled", name))
    return out


def make_pairs(seed: int) -> list[Pair]:
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for name in SETS:
        articles, errors = load_corpus(CORPORA[name])
        by_id = {a.id: a for a in articles}
        chosen = sorted(articles, key=lambda a: a.id)
        chosen = rng.sample(chosen, min(ARTICLES_PER_SET[name], len(chosen)))
        sents = [sentences_of(a.body) for a in chosen]
        pairs += nli_pairs(sents, rng, NLI_PER_ARTICLE[name], name)
        pairs += qa_pairs(sents, rng, QA_PER_ARTICLE[name], name)
        everything = [sentences_of(a.body) for a in sorted(articles, key=lambda a: a.id)]
        pairs += paraphrase_pairs(everything, rng, PARAPHRASES[name], name)
        if name == "summedits":
            pairs += summedits_pairs(by_id)
        else:
            pairs += question_pairs(name, by_id, rng)
        log(f"{name}: {len(articles)} articles, pairs so far {len(pairs)}")
    return pairs


def sample_training(pairs, rng: random.Random) -> list:
    """Every labelled dev pair and every rule-made entailment, then rule-made pairs up to a
    share per task: the two tasks weigh alike, and each model sees about as many pairs.

    Entailments are kept whole because most near-identical pairs are edits (contradictions):
    sampled at their share, a model learns "almost the same words" means "contradicts" and then
    calls a sentence a contradiction of itself.
    """
    kept = [x for x in pairs if x[0].kind == "labelled" or x[0].kind in ENTAILMENT_KINDS]
    out = list(kept)
    for task, cap in TASK_CAPS.items():
        made = [
            x
            for x in pairs
            if x[0].task == task and x[0].kind != "labelled" and x[0].kind not in ENTAILMENT_KINDS
        ]
        rng.shuffle(made)
        room = max(cap - sum(1 for x in kept if x[0].task == task), 0)
        out += made[:room]
    return out


def batches_of(items, rng: random.Random, size: int = BATCH) -> list[list]:
    """One task per batch, similar lengths together (less padding), batches in random order."""
    out = []
    for task in ("nli", "qa"):
        group = [x for x in items if x[0].task == task]
        rng.shuffle(group)
        for lo in range(0, len(group), size * 50):
            chunk = sorted(group[lo : lo + size * 50], key=lambda x: len(x[0].a) + len(x[0].b))
            out += [chunk[k : k + size] for k in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def train_model(pairs, seed: int, epochs: int):
    import torch

    from retrieval.embedding import packaged_model_path
    from retrieval.judge.cross import build_model, tensors

    torch.manual_seed(seed)
    rng = random.Random(seed)
    model, tokenizer = build_model(str(packaged_model_path()))
    items = sample_training(pairs, rng)
    plan = [b for _ in range(epochs) for b in batches_of(items, rng)]
    head = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    opt = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": ENCODER_LR},
            {"params": head, "lr": HEAD_LR},
        ],
        weight_decay=0.01,
    )
    warm = max(1, len(plan) // 16)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: min((k + 1) / warm, max(0.0, (len(plan) - k) / (len(plan) - warm)))
    )
    counts = Counter(p.label for p, _ in items if p.task == "nli")
    nli_w = torch.tensor([len(items) / (3 * max(counts[c], 1)) for c in range(3)])
    nli_w = nli_w / nli_w.mean()
    qa_counts = Counter(p.label for p, _ in items if p.task == "qa")
    qa_pos = torch.tensor(qa_counts[0] / max(qa_counts[1], 1))
    log(
        f"  training on {len(items)} pairs ({dict(Counter(p.task for p, _ in items))}), "
        f"{len(plan)} batches"
    )
    model.train()
    started, running = time.time(), 0.0
    for k, batch in enumerate(plan):
        task = batch[0][0].task
        inputs = tensors(tokenizer, task, [(p.a, p.b) for p, _ in batch], [s for _, s in batch])
        labels = torch.tensor([p.label for p, _ in batch])
        nli_logits, qa_logits = model(**inputs)
        if task == "nli":
            loss = torch.nn.functional.cross_entropy(nli_logits, labels, weight=nli_w)
        else:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                qa_logits, labels.float(), pos_weight=qa_pos
            )
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * float(loss.detach()) if k else float(loss.detach())
        if (k + 1) % 100 == 0 or k + 1 == len(plan):
            log(f"  batch {k + 1}/{len(plan)}: loss {running:.3f}, {time.time() - started:.0f}s")
    model.eval()
    return model, tokenizer


def score(model, tokenizer, pairs) -> list[tuple[Pair, np.ndarray, float]]:
    import torch

    from retrieval.judge.cross import tensors

    out = []
    with torch.inference_mode():
        for task in ("nli", "qa"):
            group = [x for x in pairs if x[0].task == task]
            for lo in range(0, len(group), 64):
                batch = group[lo : lo + 64]
                inputs = tensors(
                    tokenizer, task, [(p.a, p.b) for p, _ in batch], [s for _, s in batch]
                )
                nli, qa = model(**inputs)
                probs = torch.softmax(nli, -1).numpy()
                qa_p = torch.sigmoid(qa).numpy()
                out += [(p, probs[i], float(qa_p[i])) for i, (p, _) in enumerate(batch)]
    return out


def report(scored) -> dict:
    nli = [(p, pr) for p, pr, _ in scored if p.task == "nli"]
    qa = [(p, q) for p, _, q in scored if p.task == "qa"]
    out: dict[str, object] = {}
    for name, group in (("all", nli), ("labelled", [x for x in nli if x[0].kind == "labelled"])):
        if not group:
            continue
        pred = [int(np.argmax(pr)) for _, pr in group]
        gold = [p.label for p, _ in group]
        tp = sum(g == CONTRADICT and q == CONTRADICT for g, q in zip(gold, pred, strict=True))
        npred = sum(q == CONTRADICT for q in pred)
        ngold = sum(g == CONTRADICT for g in gold)
        out[f"nli_{name}"] = {
            "pairs": len(group),
            "accuracy": round(sum(g == q for g, q in zip(gold, pred, strict=True)) / len(gold), 3),
            "contradicts_precision": round(tp / npred, 3) if npred else None,
            "contradicts_recall": round(tp / ngold, 3) if ngold else None,
        }
    for name, group in (("all", qa), ("labelled", [x for x in qa if x[0].kind == "labelled"])):
        if not group:
            continue
        out[f"qa_{name}"] = {
            "pairs": len(group),
            "accuracy": round(sum((q >= 0.5) == bool(p.label) for p, q in group) / len(group), 3),
            "auc": _auc([q for p, q in group if p.label], [q for p, q in group if not p.label]),
        }
    return out


def _auc(pos: list[float], neg: list[float]) -> float | None:
    if not pos or not neg:
        return None
    neg_sorted = np.sort(np.asarray(neg))
    wins = sum(np.searchsorted(neg_sorted, x, side="left") for x in pos)
    ties = sum(
        np.searchsorted(neg_sorted, x, side="right") - np.searchsorted(neg_sorted, x) for x in pos
    )
    return round(float((wins + 0.5 * ties) / (len(pos) * len(neg))), 3)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=Path("/tmp/wirecheck-judge"))
    ap.add_argument("--out", type=Path, default=ROOT / "retrieval" / "judge" / "weights")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("JUDGE_THREADS", "0")))
    ap.add_argument("--only", choices=(*SETS, "none"), help="train one held-out model only")
    ap.add_argument("--pairs", type=Path, help="pairs.jsonl of an earlier run, to reuse")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    pairs_file = args.pairs or args.work / "pairs.jsonl"
    if pairs_file.is_file():
        pairs = [Pair(**json.loads(line)) for line in pairs_file.open()]
    else:
        pairs = make_pairs(args.seed)
        with pairs_file.open("w") as fh:
            for p in pairs:
                fh.write(json.dumps(p.__dict__) + "\n")
    log(f"{len(pairs)} pairs: {dict(Counter((p.source, p.task) for p in pairs))}")
    with_sig = [(p, pair_signals(p.a, p.b)) for p in pairs]

    from safetensors.torch import save_file

    report_file = args.work / "report.json"
    results = json.loads(report_file.read_text()) if report_file.is_file() else {}
    for held in [args.only] if args.only else [*SETS, "none"]:
        target = args.out if held == "none" else args.work / f"without-{held}"
        if (target / "judge.safetensors").is_file() and not args.only:
            log(f"model without {held} exists in {target}: kept")
            continue
        train = [x for x in with_sig if x[0].source != held]
        test = [x for x in with_sig if x[0].source == held]
        log(f"model without {held}: {len(train)} pairs to sample from, {len(test)} held out")
        model, tokenizer = train_model(train, args.seed, args.epochs)
        if test:
            results[held] = report(score(model, tokenizer, test))
            log(f"  held-out {held}: {json.dumps(results[held])}")
            report_file.write_text(json.dumps(results, indent=1) + "\n")
        target.mkdir(parents=True, exist_ok=True)
        # float16 halves the file (~45 MB); the judge runs in float32 after loading.
        state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
        save_file(state, str(target / "judge.safetensors"))
        card_file = target / "judge.json"
        card = json.loads(card_file.read_text()) if card_file.is_file() else {}
        card.update(
            {
                "model": "MiniLM-L6 cross-encoder (from all-MiniLM-L6-v2), two outputs",
                "trained": datetime.now(UTC).date().isoformat(),
                "seed": args.seed,
                "epochs": args.epochs,
                "held_out": None if held == "none" else held,
                "pairs": dict(Counter(f"{p.source}/{p.task}" for p, _ in train)),
                "held_out_report": results.get(held),
            }
        )
        card_file.write_text(json.dumps(card, indent=1, sort_keys=True) + "\n")
    log(f"done in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
