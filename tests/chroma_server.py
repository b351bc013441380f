"""A real ``chroma run`` on 127.0.0.1 for the scale-out tests: started, stopped and restarted
on the same data folder and port by the tests themselves."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    def __init__(self, data: Path) -> None:
        if not CHROMA.exists() and shutil.which("chroma") is None:
            pytest.fail("the chroma CLI (shipped with chromadb) is missing from the environment")
        self.data = data
        self.host = "127.0.0.1"
        self.port = free_port()
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> None:
        from retrieval.vectors import open_chroma

        self._proc = subprocess.Popen(
            [
                str(CHROMA if CHROMA.exists() else "chroma"),
                "run",
                "--path",
                str(self.data),
                "--host",
                self.host,
                "--port",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                open_chroma(self.data, self.host, self.port).heartbeat()
                return
            except Exception:
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self._proc.kill()
                    pytest.fail("chroma run did not start")
                time.sleep(0.2)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
