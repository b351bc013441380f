"""The scale-out setup on a real ``chroma run``: an indexer process (``wirecheck index``) and two
serving processes with their own empty store folders, as on three machines (README
"Scale-out")."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from chroma_server import ChromaServer
from helpers import copy_seed_corpus

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parents[1]
WIRECHECK = Path(sys.executable).with_name("wirecheck")
PREFIX = "scaleout"
FLAGSHIP = "Why isn't Russia helping Iran?"
NEW = (
    "---\nid: harbor-bridge\ntitle: Harbor council votes to repair the old bridge\n"
    "outlet: Test Wire\npublished: 2025-06-24\n---\n\n"
    "The Harbor council voted on Tuesday to repair the old stone bridge over the Vesna river.\n\n"
    "Repairs will cost 4 million euros and start in September, the council said.\n"
)


class Worker:
    """One serving process; commands in, one JSON line out."""

    def __init__(self, corpus: Path, store: Path, server: ChromaServer) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(TESTS / "serve_worker.py"),
                str(corpus),
                str(store),
                server.host,
                str(server.port),
                PREFIX,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ready = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        assert line, f"the serving process exited ({self.proc.poll()})"
        return json.loads(line)

    def send(self, command: str) -> dict:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=60)


def index(corpus: Path, store: Path, server: ChromaServer) -> dict:
    env = os.environ | {
        "WIRECHECK_CHROMA_HOST": server.host,
        "WIRECHECK_CHROMA_PORT": str(server.port),
        "WIRECHECK_COLLECTION_PREFIX": PREFIX,
    }
    done = subprocess.run(
        [str(WIRECHECK), "index", "--json", "--corpus", str(corpus), "--store", str(store)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("scale-out")
    server = ChromaServer(base / "chroma")
    server.start()
    corpus = copy_seed_corpus(base / "corpus")
    first = index(corpus, base / "indexer", server)
    workers = [Worker(corpus, base / f"bot-{n}", server) for n in (1, 2)]
    yield base, server, corpus, first, workers
    for worker in workers:
        worker.close()
    server.stop()


def test_serving_processes_with_empty_stores_serve_without_embedding(setup):
    _, _, _, first, workers = setup
    assert first["added"] == 5
    for worker in workers:
        # Their store folders were empty: the manifest came from the server, the vectors too.
        assert worker.ready["articles"] == 5
        assert worker.ready["added"] == 0 and worker.ready["embedded"] == 0
        answer = worker.send(f"ask {FLAGSHIP}")
        assert answer["status"] == "answered" and answer["quotes_ok"], answer


def test_both_serving_processes_follow_a_reload_made_by_a_third(setup):
    base, server, corpus, _, workers = setup
    (corpus / "harbor-bridge.md").write_text(NEW, encoding="utf-8")
    report = index(corpus, base / "indexer", server)
    assert (report["added"], report["unchanged"]) == (1, 5)
    for worker in workers:
        assert worker.send("refresh") == {"refreshed": True, "articles": 6}
        answer = worker.send("ask How much will the Harbor bridge repairs cost?")
        assert answer["status"] == "answered" and "harbor-bridge" in answer["articles"], answer


def test_a_new_indexer_machine_builds_on_what_was_published(setup, tmp_path):
    base, server, corpus, _, _ = setup
    report = index(corpus, tmp_path / "another-indexer", server)
    # Nothing re-embedded: its empty store took the published manifest first.
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 6)


def test_a_server_restart_mid_service_is_a_clear_error_then_service_again(setup):
    _, server, _, _, workers = setup
    worker = workers[0]
    server.stop()
    try:
        down = worker.send(f"ask {FLAGSHIP}")
        assert down["kind"] == "unavailable", down
        assert f"Chroma server at {server.host}:{server.port} is not answering" in down["error"]
    finally:
        server.start()
    again = worker.send(f"ask {FLAGSHIP}")
    assert again.get("status") == "answered" and again["quotes_ok"], again


def test_the_cli_refuses_to_start_without_the_server(tmp_path):
    from chroma_server import free_port

    env = os.environ | {
        "WIRECHECK_CHROMA_HOST": "127.0.0.1",
        "WIRECHECK_CHROMA_PORT": str(free_port()),
    }
    corpus = copy_seed_corpus(tmp_path / "corpus")
    done = subprocess.run(
        [str(WIRECHECK), "ask", FLAGSHIP, "--corpus", str(corpus), "--store", str(tmp_path / "s")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "Chroma server at 127.0.0.1" in done.stderr and "cannot be reached" in done.stderr
    assert "Traceback" not in done.stderr
    shutil.rmtree(tmp_path / "s", ignore_errors=True)
