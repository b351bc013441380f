"""The engine composes swappable steps: each can be replaced on its own in a test."""

from __future__ import annotations

import dataclasses

import pytest
from helpers import FakeEmbedder

from retrieval import Answer, ClaimCheck, Engine
from retrieval.pipeline import ClaimVerifier, ExtractiveAnswerer, HybridRetriever, Pipeline


@pytest.fixture
def engine(seed_corpus, tmp_path, make_settings):
    with Engine(make_settings(seed_corpus, tmp_path / "store"), embedder=FakeEmbedder()) as eng:
        eng.reload()
        yield eng


class RecordingAnswerer:
    def __init__(self):
        self.seen = []

    def answer(self, question, state, evidence):
        self.seen.append((question, len(evidence.candidates)))
        return Answer(question=question, status="not_in_sources", answer="swapped")


class FixedVerifier:
    def __init__(self, verdict):
        self.verdict = verdict
        self.claims = []

    def check(self, claim, state, evidence):
        self.claims.append(claim)
        return ClaimCheck(claim=claim, verdict=self.verdict, reason="fixed")


def test_default_pipeline_is_the_hybrid_extractive_one(engine):
    assert isinstance(engine.pipeline, Pipeline)
    assert isinstance(engine.pipeline.retriever, HybridRetriever)
    assert isinstance(engine.pipeline.answerer, ExtractiveAnswerer)
    assert isinstance(engine.pipeline.verifier, ClaimVerifier)


def test_the_answerer_can_be_swapped_and_gets_the_retrieved_evidence(engine):
    fake = RecordingAnswerer()
    engine.pipeline = dataclasses.replace(engine.pipeline, answerer=fake)
    answer = engine.ask("  Why is Putin not helping Iran?  ")
    assert answer.answer == "swapped"
    assert fake.seen and fake.seen[0][0] == "Why is Putin not helping Iran?"
    assert fake.seen[0][1] > 0


def test_the_verifier_judges_the_premise_of_an_answer(engine):
    verifier = FixedVerifier("contradicted")
    engine.pipeline = dataclasses.replace(engine.pipeline, verifier=verifier)
    answer = engine.ask("Why did Russia withdraw its support for Iran?")
    assert verifier.claims == ["Russia withdraw its support for Iran"]
    assert answer.flags[0].kind == "premise"


def test_a_question_without_a_premise_is_not_verified(engine):
    verifier = FixedVerifier("contradicted")
    engine.pipeline = dataclasses.replace(engine.pipeline, verifier=verifier)
    engine.ask("What did Putin say about Iran?")
    assert verifier.claims == []


def test_check_goes_through_the_verifier(engine):
    verifier = FixedVerifier("supported")
    engine.pipeline = dataclasses.replace(engine.pipeline, verifier=verifier)
    assert engine.check("Putin met Araghchi.").verdict == "supported"
    assert verifier.claims == ["Putin met Araghchi."]


def test_the_engine_closes_as_a_context_manager(seed_corpus, tmp_path, make_settings):
    with Engine(make_settings(seed_corpus, tmp_path / "s"), embedder=FakeEmbedder()) as eng:
        eng.reload()
        assert eng.ask("Why is Putin not helping Iran?").citations
        assert eng.serving
    assert not eng.serving
