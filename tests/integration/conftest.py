"""Fixtures shared by the integration tests that fetch from a real server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from webserver import LoopbackServer

from retrieval import Settings


@pytest.fixture
def server():
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def settings(tmp_path: Path, server: LoopbackServer) -> Settings:
    """A tmp corpus and store, allowed to fetch from the loopback server (and only it)."""
    return Settings(
        corpus_dir=tmp_path / "corpus",
        store_dir=tmp_path / "store",
        fetch_allow_hosts=(f"127.0.0.1:{server.port}",),
        fetch_timeout_seconds=5.0,
    )
