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
    """The fine-tuned cross-encoder; calls are serialised (one model, few cores)."""

    def __init__(self, model, tokenizer, card: dict):
        self.model = model
        self.tokenizer = tokenizer
        self.card = card
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path | None = None) -> CrossJudge:
        from safetensors.torch import load_file
        from transformers import AutoConfig, AutoModel, AutoTokenizer

        from ..embedding import packaged_model_path
        from .cross import CrossJudgeModel

        folder = folder or WEIGHTS
        weights = folder / "judge.safetensors"
        if not weights.is_file():
            raise FileNotFoundError(f"judge weights missing: {weights}")
        base = packaged_model_path()  # the architecture and vocabulary it was trained from
        model = CrossJudgeModel(AutoModel.from_config(AutoConfig.from_pretrained(base)))
        state = {k: v.float() for k, v in load_file(str(weights)).items()}
        model.load_state_dict(state)
        model.eval()
        card_file = folder / "judge.json"
        card = json.loads(card_file.read_text()) if card_file.is_file() else {}
        log.info("judge loaded from %s (trained %s)", folder, card.get("trained", "?"))
        return cls(model, AutoTokenizer.from_pretrained(base), card)

    def _run(self, task: str, a: str, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        import torch

        from .cross import tensors

        nli_out, qa_out = [], []
        with self._lock, torch.inference_mode():
            for lo in range(0, len(texts), BATCH):
                chunk = [(a, t) for t in texts[lo : lo + BATCH]]
                nli, qa = self.model(**tensors(self.tokenizer, task, chunk))
                nli_out.append(torch.softmax(nli, -1).numpy())
                qa_out.append(torch.sigmoid(qa).numpy())
        return np.concatenate(nli_out), np.concatenate(qa_out)

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


def load_judge(kind: str = "learned", folder: Path | None = None) -> Judge | None:
    """The judge the settings name: the shipped (or ``folder``'s) model, or None for rules."""
    if kind not in JUDGES:
        raise ValueError(f"unknown judge {kind!r}; expected one of {', '.join(JUDGES)}")
    if kind == "rules":
        return None
    return _cached_judge(folder)


@lru_cache(maxsize=4)
def _cached_judge(folder: Path | None) -> CrossJudge:
    # Loading takes about a second and ~90 MB: once per process and folder.
    return CrossJudge.load(folder)
