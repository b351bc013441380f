"""Query embeddings without torch: the packaged MiniLM exported once to ONNX (float32).

A cold ``wirecheck ask`` spent ~7 s of its ~12 s importing torch and loading the model to embed
one question. Exported to ONNX, the same network embeds a question through onnxruntime and the
``tokenizers`` package in milliseconds after a ~0.7 s start, with the same vectors as the torch
path (cosine 1.0000 on the seed sentences; tests/integration/test_onnx_query.py). Int8 dynamic
quantisation was measured too and rejected: cosine 0.93-0.96, top-5 retrieval changed on 10 of
12 seed questions.

The export needs torch and runs where torch is loaded anyway (the first indexing). The file is
cached in the store (``models/minilm-<weights sha256>.onnx``), so a change of weights never
serves a stale export. Anything wrong with it (missing, unreadable, a failing session) leaves
the torch path in charge.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def weights_digest(model_path: Path, memo_dir: Path) -> str:
    """sha256 of a model folder's weights (see ``file_digest``)."""
    return file_digest(model_path / "model.safetensors", memo_dir)


def file_digest(weights: Path, memo_dir: Path) -> str:
    """sha256 of a weights file, remembered in ``memo_dir`` by path, size and mtime (hashing
    takes ~0.2 s, too much for every start). One memo holds every file hashed there."""
    stat = weights.stat()
    memo = memo_dir / "weights-digest.json"
    key = f"{weights}:{stat.st_size}:{stat.st_mtime_ns}"
    try:
        saved = json.loads(memo.read_text())
        if not isinstance(saved, dict):
            saved = {}
    except (OSError, ValueError):
        saved = {}
    if isinstance(saved.get(key), str):
        return saved[key]
    digest = hashlib.sha256()
    with weights.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    value = digest.hexdigest()
    try:
        memo_dir.mkdir(parents=True, exist_ok=True)
        kept = {k: v for k, v in saved.items() if isinstance(v, str) and k.count(":") >= 2}
        memo.write_text(json.dumps({**kept, key: value}))
    except OSError:
        pass  # a read-only store: hash again next time
    return value


def export_path(model_path: Path, cache_dir: Path) -> Path:
    return cache_dir / f"minilm-{weights_digest(model_path, cache_dir)[:16]}.onnx"


# Exports this process made, by weights digest: another store gets a copy, not a new export.
_EXPORTED: dict[str, Path] = {}


def export(load_model, model_path: Path, cache_dir: Path) -> Path:
    """Write the ONNX export of the model ``load_model()`` returns (a transformers BertModel)
    atomically into ``cache_dir``."""
    target = export_path(model_path, cache_dir)
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    digest = weights_digest(model_path, cache_dir)
    try:
        _write(load_model, digest, partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)  # a failed export (a full disk) leaves nothing behind
    _EXPORTED[digest] = target
    log.info("exported the embedding model for queries to %s", target)
    return target


def _write(load_model, digest: str, partial: Path) -> None:
    import torch

    done = _EXPORTED.get(digest)
    if done is not None and done.is_file():
        shutil.copyfile(done, partial)
        return
    torch_model = load_model()

    class LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((1, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    # The exporter warns about tracing details of BERT's attention; they do not apply here.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHidden(torch_model.eval()),
            (sample, torch.ones_like(sample), torch.zeros_like(sample)),
            str(partial),
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )


def open_session(onnx_file: Path, threads: int = 0):
    """An onnxruntime CPU session over ``onnx_file``."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])


def token_feed(encodings) -> dict[str, np.ndarray]:
    """BERT's three inputs for a batch of ``tokenizers`` encodings, padded to the longest."""
    width = max(len(e.ids) for e in encodings)
    feed = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in _INPUTS}
    for row, enc in enumerate(encodings):
        n = len(enc.ids)
        feed["input_ids"][row, :n] = enc.ids
        feed["attention_mask"][row, :n] = enc.attention_mask
        feed["token_type_ids"][row, :n] = enc.type_ids
    return feed


class OnnxQueryEncoder:
    """Mean-pooled, normalised MiniLM vectors through onnxruntime."""

    def __init__(self, onnx_file: Path, model_path: Path, threads: int = 0):
        from tokenizers import Tokenizer

        self._session = open_session(onnx_file, threads)
        self._tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    @classmethod
    def open(cls, model_path: Path, cache_dir: Path, threads: int = 0) -> OnnxQueryEncoder | None:
        """The encoder when an export is cached for these weights, else None."""
        try:
            path = export_path(model_path, cache_dir)
            if not path.is_file():
                return None
            return cls(path, model_path, threads)
        except Exception as exc:  # noqa: BLE001 - any trouble: the torch path answers
            log.warning("the ONNX query encoder is unusable (%s); using torch", exc)
            return None

    def encode(self, text: str) -> np.ndarray:
        return self.encode_batch([text])[0]

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        """One vector per text; the batch is padded to its longest text (masked out)."""
        feed = token_feed(self._tokenizer.encode_batch(texts))
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][:, :, None].astype(np.float32)
        vectors = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return (vectors / norms).astype(np.float32)
