"""The steps an answer goes through, each behind one seam, composed in one place.

    retrieve → (judge) → answer → verify the premise        ``Pipeline.ask``
    retrieve → (judge) → verify                              ``Pipeline.check``

A ``Retriever`` fuses dense and lexical search into scored sentence candidates; the ``Judge``
(retrieval/judge) reads pairs of texts, and is used by the answerer (reranking, answerability)
and the verifier (claims, premises); an ``Answerer`` turns candidates into an Answer (extractive
today); a ``Verifier`` gives a claim its verdict. Each is a small protocol: a test, or a new
capability, swaps one with ``dataclasses.replace(engine.pipeline, answerer=...)``.

Plain protocols rather than LlamaIndex's ``BaseRetriever`` / node postprocessors / synthesizer:
a candidate here is a sentence *span* with its offsets into the article (the quote invariant
rests on them) and several scores, and the vector store is read for vectors by id as well as by
query; LlamaIndex nodes would be converted back and forth at every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .answer import compose_answer, flag_premise
from .embedding import Embedder
from .judge import Judge
from .retrieve import Evidence, retrieve_evidence
from .state import CorpusState
from .store import VectorIndex
from .types import Answer, ClaimCheck
from .verify import check as check_claim
from .verify import premise_of


class Retriever(Protocol):
    def retrieve(self, state: CorpusState, text: str) -> Evidence: ...


class Answerer(Protocol):
    def answer(self, question: str, state: CorpusState, evidence: Evidence) -> Answer: ...


class Verifier(Protocol):
    def check(self, claim: str, state: CorpusState, evidence: Evidence) -> ClaimCheck: ...


@dataclass(frozen=True)
class HybridRetriever:
    """Dense passages and sentences (Chroma) and BM25 passages, fused and scored per sentence."""

    vectors: VectorIndex
    embedder: Embedder

    def retrieve(self, state: CorpusState, text: str) -> Evidence:
        return retrieve_evidence(state, self.vectors, self.embedder, text)


@dataclass(frozen=True)
class ExtractiveAnswerer:
    """Verbatim quotes, reranked and decided on by the judge when there is one."""

    judge: Judge | None
    max_citations: int
    max_quote_chars: int

    def answer(self, question: str, state: CorpusState, evidence: Evidence) -> Answer:
        return compose_answer(
            question, state, evidence, self.max_citations, self.max_quote_chars, self.judge
        )


@dataclass(frozen=True)
class ClaimVerifier:
    """Stances per evidence sentence (the judge's, or the rules'), aggregated across stories."""

    judge: Judge | None
    embedder: Embedder
    max_quote_chars: int

    def check(self, claim: str, state: CorpusState, evidence: Evidence) -> ClaimCheck:
        return check_claim(state, evidence, claim, self.max_quote_chars, self.embedder, self.judge)


@dataclass(frozen=True)
class Pipeline:
    retriever: Retriever
    answerer: Answerer
    verifier: Verifier

    def ask(self, state: CorpusState, question: str) -> Answer:
        evidence = self.retriever.retrieve(state, question)
        answer = self.answerer.answer(question, state, evidence)
        premise = premise_of(question)
        if premise:
            verdict = self.verifier.check(premise, state, self.retriever.retrieve(state, premise))
            answer = flag_premise(answer, premise, verdict)
        return answer

    def check(self, state: CorpusState, claim: str) -> ClaimCheck:
        return self.verifier.check(claim, state, self.retriever.retrieve(state, claim))
