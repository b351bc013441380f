"""The judge without torch: its cross-encoder exported once to ONNX (float32).

Loaded in torch, the judge added ~590 MB to a serving process on 1,515 articles (torch,
transformers and the model) and made `ask` p95 393 ms; through onnxruntime and the
``tokenizers`` package, which the query encoder already loads, it adds ~200 MB and `ask` p95 is
215 ms, with the same probabilities to 1e-4 (tests/integration/test_judge.py). Measured and not
kept: no memory arena, no weight prepacking, no graph optimisation, a shared arena that grows
by what is asked; none used less memory, two used more. The export needs torch once; it is
cached in the store (``models/judge-<weights sha256>.onnx``), so other weights never meet a
stale export. Anything wrong with it leaves the torch model in charge.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..onnx_query import file_digest, open_session, token_feed
from .features import PREFIX, pair_signals

log = logging.getLogger(__name__)

_INPUTS = ("input_ids", "attention_mask", "token_type_ids", "sig")


def export_path(weights: Path, cache_dir: Path) -> Path:
    return cache_dir / f"judge-{file_digest(weights, cache_dir)[:16]}.onnx"


def export(model, target: Path) -> Path:
    """Write the ONNX export of ``model`` (a ``CrossJudgeModel``) atomically to ``target``."""
    import torch

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    ids = torch.ones((1, 8), dtype=torch.long)
    sig = torch.zeros((1, model.mix[0].in_features - 2 * model.qa.in_features))
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS[:3]}
    axes |= {"sig": {0: "batch"}, "nli": {0: "batch"}, "qa": {0: "batch"}}
    try:
        # The exporter warns about tracing details of BERT's attention; they do not apply here.
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model.eval(),
                (ids, torch.ones_like(ids), torch.zeros_like(ids), sig),
                str(partial),
                input_names=list(_INPUTS),
                output_names=["nli", "qa"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    log.info("exported the judge to %s", target)
    return target


class OnnxPairModel:
    """The exported cross-encoder: probabilities for (first, second) text pairs."""

    def __init__(self, onnx_file: Path, tokenizer_file: Path, max_tokens: int, threads: int = 0):
        from tokenizers import Tokenizer

        self._session = open_session(onnx_file, threads)
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        # As the torch path's tokenizer call: both texts cut, the longer first.
        self._tokenizer.enable_truncation(max_tokens, strategy="longest_first")
        self._tokenizer.no_padding()

    def run(self, task: str, pairs: Sequence[tuple[str, str]]):
        """(softmaxed nli (n, 3), sigmoid qa (n,)) for ``pairs``: the first text gets the task's
        prefix, as in training; the rule signals are read on the texts as given."""
        feed = token_feed(self._tokenizer.encode_batch([(PREFIX[task] + a, b) for a, b in pairs]))
        feed["sig"] = np.stack([pair_signals(a, b) for a, b in pairs]).astype(np.float32)
        nli, qa = self._session.run(None, feed)
        nli = np.exp(nli - nli.max(axis=1, keepdims=True))
        return nli / nli.sum(axis=1, keepdims=True), 1.0 / (1.0 + np.exp(-qa))
