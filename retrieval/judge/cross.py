"""The judge's model: MiniLM fine-tuned here as a cross-encoder.

Both texts go through the transformer together (``[CLS] task: a [SEP] b [SEP]``), so every word of
the claim or question attends to every word of the evidence. The [CLS] state and the mean of the
token states, with the rule signals of the pair (``features.pair_signals``), feed two outputs:
entails / contradicts / neutral for claims, and "answers the question" for questions. It starts
from the packaged all-MiniLM-L6-v2 weights and is trained by bench/train_judge.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .features import MAX_PAIR_TOKENS, PAIR_SIGNALS, PREFIX, pair_signals


class CrossJudgeModel(nn.Module):
    def __init__(self, encoder: nn.Module, hidden: int = 384, signals: int = len(PAIR_SIGNALS)):
        super().__init__()
        self.encoder = encoder
        self.mix = nn.Sequential(
            nn.Linear(2 * hidden + signals, hidden), nn.GELU(), nn.Dropout(0.1)
        )
        self.nli = nn.Linear(hidden, 3)
        self.qa = nn.Linear(hidden, 1)

    def forward(self, input_ids, attention_mask, token_type_ids, sig):
        states = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        mean = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        z = self.mix(torch.cat([states[:, 0], mean, sig], dim=-1))
        return self.nli(z), self.qa(z).squeeze(-1)


def build_model(model_path: str) -> tuple[CrossJudgeModel, object]:
    """A fresh model over the MiniLM weights at ``model_path`` (training starts here)."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    encoder = AutoModel.from_pretrained(model_path)
    return CrossJudgeModel(encoder), tokenizer


def tensors(
    tokenizer, task: str, pairs: Sequence[tuple[str, str]], signals: np.ndarray | None = None
) -> dict[str, torch.Tensor]:
    """Tokenised pairs (the evidence is cut first when they are too long) and their signals."""
    firsts = [PREFIX[task] + a for a, _ in pairs]
    enc = tokenizer(
        firsts,
        [b for _, b in pairs],
        padding=True,
        truncation="longest_first",
        max_length=MAX_PAIR_TOKENS,
        return_tensors="pt",
    )
    if signals is None:
        signals = np.stack([pair_signals(a, b) for a, b in pairs])
    return {
        "input_ids": enc["input_ids"],
        "attention_mask": enc["attention_mask"],
        "token_type_ids": enc.get("token_type_ids", torch.zeros_like(enc["input_ids"])),
        "sig": torch.from_numpy(np.asarray(signals, dtype=np.float32)),
    }
