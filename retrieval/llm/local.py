"""A local GGUF model run in-process with xllamacpp (``pip install 'wirecheck[local]'``).

Loaded once per process and path; calls are serialised (one model, a few cores). xllamacpp's
``Server`` takes an OpenAI-style chat request and returns the completion as a dict.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from . import LLMError, reply_text

log = logging.getLogger(__name__)

CONTEXT_TOKENS = 4096
_MODELS: dict[Path, object] = {}
_LOAD_LOCK = threading.Lock()
_CALL_LOCK = threading.Lock()


def _server(path: Path):
    with _LOAD_LOCK:
        server = _MODELS.get(path)
        if server is None:
            try:
                import xllamacpp
            except ImportError:
                raise LLMError(
                    "a local model needs xllamacpp: pip install 'wirecheck[local]'"
                ) from None
            if not path.is_file():
                raise LLMError(f"no model file at {path}")
            params = xllamacpp.CommonParams()
            params.model.path = str(path)
            params.n_ctx = CONTEXT_TOKENS
            threads = max(1, min(4, os.cpu_count() or 1))
            params.cpuparams.n_threads = threads
            params.cpuparams_batch.n_threads = threads
            started = time.perf_counter()
            server = xllamacpp.Server(params)
            log.info("loaded %s in %.1f s", path.name, time.perf_counter() - started)
            _MODELS[path] = server
        return server


class LocalLLM:
    def __init__(self, path: Path, timeout: float):
        self.path = Path(path).expanduser().resolve()
        self.name = self.path.name
        self._timeout = timeout
        self.last_timings: dict[str, float] = {}

    def load(self) -> None:
        """Load the model now (the bot does at start-up) rather than on the first question."""
        _server(self.path)

    def complete(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        server = _server(self.path)
        request = {"messages": messages, "max_tokens": max_tokens, "temperature": 0}
        # One call at a time: the model and its context are shared.
        if not _CALL_LOCK.acquire(timeout=self._timeout):
            raise LLMError(f"the local model stayed busy for {self._timeout:g} s")
        try:
            body = server.handle_chat_completions(request)
        except Exception as exc:  # noqa: BLE001 - llama.cpp errors come as plain exceptions
            raise LLMError(f"the local model failed ({exc})") from None
        finally:
            _CALL_LOCK.release()
        if isinstance(body, dict) and "error" in body:
            raise LLMError(f"the local model refused the request ({body['error']})")
        if isinstance(body, dict) and isinstance(body.get("timings"), dict):
            self.last_timings = dict(body["timings"])  # tokens/s for bench/bench_llm.py
        return reply_text(body)
