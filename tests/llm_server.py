"""A fake OpenAI-compatible endpoint on 127.0.0.1 that answers from a script.

``script`` is a list of steps consumed one per request (the last one repeats); a step is a
``Step`` or a callable taking the request's JSON body and returning one. Requests are kept
(body and headers) for the tests to inspect.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    declared_length: int | None = None  # a Content-Length that lies: a truncated body


def completion(text: str) -> Step:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
        ],
    }
    return Step(body=json.dumps(body).encode())


def quotes_of(request: dict[str, Any]) -> dict[int, str]:
    """The numbered quotes the engine put in the prompt: n -> the source's first quote."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    out: dict[int, str] = {}
    for m in re.finditer(r"^\[(\d+)\] \([^)]*\) (.+)$", user, re.M):
        out.setdefault(int(m.group(1)), m.group(2))
    return out


Responder = Step | Callable[[dict[str, Any]], Step]


class FakeLLM:
    def __init__(self, *script: Responder) -> None:
        self.script: list[Responder] = list(script)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def next_step(self, request: dict[str, Any], headers: dict[str, str]) -> Step:
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)
            step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return step(request) if callable(step) else step

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that gave up (the timeout tests) is expected; no traceback on stderr."""


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            if self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            step = fake.next_step(request, dict(self.headers))
            if step.delay:
                time.sleep(step.delay)
            try:
                self.send_response(step.status)
                self.send_header("Content-Type", "application/json")
                for k, v in step.headers.items():
                    self.send_header(k, v)
                declared = step.declared_length
                self.send_header("Content-Length", str(declared or len(step.body)))
                self.end_headers()
                self.wfile.write(step.body)
                if declared:
                    self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
