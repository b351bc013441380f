"""The judge: reads a pair of texts and scores it.

Two questions are asked of it: does this evidence text answer the question (``answers``), and
does it entail, contradict or say nothing about the claim (``compare``). ``CrossJudge`` answers
both with MiniLM fine-tuned here as a cross-encoder (bench/train_judge.py); its weights ship in
the package (``weights/judge.safetensors``, float16, with its card ``judge.json``: how it was
trained, what it scored on held-out sets, and the calibration fitted for it). With
``WIRECHECK_JUDGE=rules`` the engine decides by the rule signals alone (``judge=None``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

WEIGHTS = Path(__file__).with_name("weights")
ENTAILS, CONTRADICTS, NEUTRAL = 0, 1, 2
JUDGES = ("learned", "rules")
# Pairs per forward pass: one call judges at most a couple of dozen.
BATCH = 32


class Judge(Protocol):
    card: dict

    def answers(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """P(the text answers the question), one per text."""
        ...

    def compare(self, claim: str, texts: Sequence[str]) -> np.ndarray:
        """(n, 3) probabilities: the text entails / contradicts / is neutral on the claim."""
        ...


class CrossJudge:
    """The fine-tuned cross-encoder; calls are serialised (one model, few cores).

    It runs through its ONNX export when one can be made or is cached (``cache_dir``, the
    store's ``models/``), else in torch; both give the same probabilities."""

    def __init__(self, model, tokenizer, card: dict, onnx=None):
        self.model = model
        self.tokenizer = tokenizer
        self.card = card
        self.onnx = onnx
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, folder: Path | None = None, cache_dir: Path | None = None, threads: int = 0
    ) -> CrossJudge:
        from ..embedding import packaged_model_path

        folder = folder or WEIGHTS
        weights = folder / "judge.safetensors"
        if not weights.is_file():
            raise FileNotFoundError(f"judge weights missing: {weights}")
        card_file = folder / "judge.json"
        card = json.loads(card_file.read_text()) if card_file.is_file() else {}
        base = packaged_model_path()  # the architecture and vocabulary it was trained from
        log.info("judge from %s (trained %s)", folder, card.get("trained", "?"))
        if cache_dir is not None:
            try:
                from .features import MAX_PAIR_TOKENS
                from .onnx import OnnxPairModel, export, export_path

                target = export_path(weights, cache_dir)
                if not target.is_file():
                    export(_torch_model(weights, base), target)
                onnx = OnnxPairModel(target, base / "tokenizer.json", MAX_PAIR_TOKENS, threads)
                return cls(None, None, card, onnx=onnx)
            except Exception as exc:  # noqa: BLE001 - any trouble: the torch model answers
                log.warning("the judge's ONNX export is unusable (%s); using torch", exc)
        from transformers import AutoTokenizer

        return cls(_torch_model(weights, base), AutoTokenizer.from_pretrained(base), card)

    def _run(self, task: str, a: str, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            parts = [
                self._forward(task, [(a, t) for t in texts[lo : lo + BATCH]])
                for lo in range(0, len(texts), BATCH)
            ]
        return np.concatenate([nli for nli, _ in parts]), np.concatenate([qa for _, qa in parts])

    def _forward(self, task: str, pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """(entails/contradicts/neutral probabilities, P(answers)) for one batch of pairs."""
        if self.onnx is not None:
            return self.onnx.run(task, pairs)
        import torch

        from .cross import tensors

        with torch.inference_mode():
            nli, qa = self.model(**tensors(self.tokenizer, task, pairs))
            return torch.softmax(nli, -1).numpy(), torch.sigmoid(qa).numpy()

    def answers(self, question: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return self._run("qa", question, texts)[1]

    def compare(self, claim: str, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 3), dtype=np.float32)
        probs = self._run("nli", claim, texts)[0]
        # A statement entails itself. The model does not know it: its training pairs that look
        # alike are mostly one-word edits, and it calls a sentence a contradiction of itself
        # (README, "The judge"). Texts equal but for case and spacing are read as entailed.
        same = _folded(claim)
        for i, text in enumerate(texts):
            if _folded(text) == same:
                probs[i] = (1.0, 0.0, 0.0)
        return probs


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


def _torch_model(weights: Path, base: Path):
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModel

    from .cross import CrossJudgeModel

    model = CrossJudgeModel(AutoModel.from_config(AutoConfig.from_pretrained(base)))
    model.load_state_dict({k: v.float() for k, v in load_file(str(weights)).items()})
    return model.eval()


def load_judge(
    kind: str = "learned",
    folder: Path | None = None,
    cache_dir: Path | None = None,
    threads: int = 0,
) -> Judge | None:
    """The judge the settings name: the shipped (or ``folder``'s) model, or None for rules.
    With ``cache_dir`` it runs through an ONNX export kept there."""
    if kind not in JUDGES:
        raise ValueError(f"unknown judge {kind!r}; expected one of {', '.join(JUDGES)}")
    if kind == "rules":
        return None
    return _cached_judge(folder, cache_dir, threads)


@lru_cache(maxsize=4)
def _cached_judge(folder: Path | None, cache_dir: Path | None, threads: int) -> CrossJudge:
    # Loading takes about a second: once per process, folder and export place.
    return CrossJudge.load(folder, cache_dir, threads)
