"""The Chroma server path (``WIRECHECK_CHROMA_HOST``) against a real ``chroma run`` that the
tests start on 127.0.0.1: one writer at a time through a lease row on the server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from chroma_server import ChromaServer, free_port
from helpers import FakeEmbedder, settings_for

from retrieval import Engine, ReloadInProgress, StoreUnavailable
from retrieval.vectors import open_chroma
from retrieval.writer import ServerLease

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server.host, server.port
    server.stop()


def lease(server, prefix: str, ttl: float = 60.0) -> ServerLease:
    host, port = server
    return ServerLease(open_chroma(Path("."), host, port), prefix, ttl=ttl, settle=0.1)


def test_the_lease_admits_one_writer_and_names_it(chroma_server):
    first, second = lease(chroma_server, "lease-a"), lease(chroma_server, "lease-a")
    first.acquire("reloading")
    try:
        with pytest.raises(ReloadInProgress) as caught:
            second.acquire("reloading", wait=0.5)
        assert f"pid {__import__('os').getpid()}" in str(caught.value)
        assert "reloading" in (caught.value.holder or "")
    finally:
        first.release()
    second.acquire("reloading", wait=0.5)  # free once released
    second.release()
    assert first.holder() is None


def test_a_lease_whose_holder_died_expires(chroma_server):
    host, port = chroma_server
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(TESTS.parent)!r})
        from pathlib import Path
        from retrieval.vectors import open_chroma
        from retrieval.writer import ServerLease
        lease = ServerLease(open_chroma(Path("."), {host!r}, {port}), "lease-b", ttl=2, settle=0.1)
        lease.acquire("reloading")
        print("held", flush=True)
        time.sleep(120)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    mine = lease(chroma_server, "lease-b")
    with pytest.raises(ReloadInProgress):
        mine.acquire("reloading", wait=0.3)  # renewed while its holder lives
    holder.kill()
    holder.wait()
    mine.acquire("reloading", wait=10)  # expired within its ttl of the kill
    mine.release()


def test_engines_on_two_machines_share_the_servers_writer_rule(chroma_server, tmp_path):
    """Two store folders (two machines) on one server: a reload on one refuses the other."""
    host, port = chroma_server
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "---\ntitle: Harbor bridge vote\n---\n\nThe Harbor council voted to repair the bridge.\n",
        encoding="utf-8",
    )
    common = {"chroma_host": host, "chroma_port": port, "collection_prefix": "machines"}
    one = settings_for(corpus, tmp_path / "one", writer_wait_seconds=0.3, **common)
    two = settings_for(corpus, tmp_path / "two", writer_wait_seconds=0.3, **common)
    with Engine(one, embedder=FakeEmbedder()) as first:
        assert first.reload().added == 1
    third = lease(chroma_server, "machines")  # a third machine, mid-reload
    third.acquire("reloading")
    with Engine(two, embedder=FakeEmbedder()) as other:
        try:
            with pytest.raises(ReloadInProgress, match="a reload is already running .*reloading"):
                other.reload()
            # It serves what the first machine published, from its own empty store folder.
            assert other.ask("Did the Harbor council vote on the bridge?").citations
        finally:
            third.release()
        report = other.reload()  # nothing to embed: the manifest it adopted has the article
        assert (report.added, report.unchanged) == (0, 1)


def test_an_absent_server_is_a_clear_error(tmp_path):
    settings = settings_for(
        tmp_path / "corpus", tmp_path / "store", chroma_host="127.0.0.1", chroma_port=free_port()
    )
    with pytest.raises(StoreUnavailable, match="Chroma server at 127.0.0.1:.* cannot be reached"):
        Engine(settings, embedder=FakeEmbedder())
