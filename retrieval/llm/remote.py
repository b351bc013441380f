"""Any OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server, hosted APIs) over httpx.

``POST {base}/chat/completions``. Retried, with tenacity, on connection failures, 429 and 5xx
only, honouring ``Retry-After``; the whole call, waits included, stays within twice the
request timeout. A request that gets no reply within the timeout is not retried: the caller
falls back to the extractive answer rather than keep a reader waiting. The API key goes in the
Authorization header only and never into a message, log line or error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import tenacity

from ..fetch import retry_after_seconds
from . import LLMError, reply_text

log = logging.getLogger(__name__)

ATTEMPTS = 3
MAX_REPLY_BYTES = 2_000_000


class _Retryable(LLMError):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class RemoteLLM:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.name = f"{model or 'default model'} at {urlsplit(base_url).netloc}"
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._timeout = timeout
        self._sleep = sleep
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # trust_env=False: no proxy from the environment sees the prompt or the key.
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout), headers=headers, trust_env=False
        )

    def close(self) -> None:
        self._client.close()

    def complete(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        deadline = time.monotonic() + 2 * self._timeout

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            pause = getattr(exc, "retry_after", None)
            if pause is None:
                pause = min(0.5 * 2 ** (state.attempt_number - 1), 4.0)
            if time.monotonic() + pause >= deadline:
                raise LLMError(f"{exc}; retrying would outlast the time limit")
            return pause

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(ATTEMPTS),
            wait=wait,
            retry=tenacity.retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(messages, max_tokens)
        except _Retryable as exc:
            raise LLMError(f"{exc} (after {ATTEMPTS} attempts)") from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _once(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        payload = {"messages": messages, "max_tokens": max_tokens, "temperature": 0}
        if self._model:
            payload["model"] = self._model
        try:
            response = self._client.post(self._url, json=payload)
        except httpx.TimeoutException:
            raise LLMError(f"no reply within {self._timeout:g} s") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
            raise _Retryable(f"could not reach the model ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise LLMError(f"the request failed ({type(exc).__name__})") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retryable(
                f"the model answered HTTP {status}",
                retry_after_seconds(response.headers.get("retry-after")),
            )
        if status >= 400:
            raise LLMError(f"the model refused the request (HTTP {status})")
        if len(response.content) > MAX_REPLY_BYTES:
            raise LLMError("the reply is too large")
        try:
            body = response.json()
        except ValueError:
            raise LLMError("the reply is not JSON (empty, truncated or another format)") from None
        return reply_text(body)
