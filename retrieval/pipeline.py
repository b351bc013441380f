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

import dataclasses
import logging
from dataclasses import dataclass
from typing import Protocol

from .answer import compose_answer, flag_premise
from .embedding import Embedder
from .judge import Judge
from .llm import LLM, LLMError
from .llm.prompts import Prompts
from .retrieve import Evidence, retrieve_evidence
from .state import CorpusState
from .types import Answer, ClaimCheck
from .vectors import VectorIndex
from .verify import check as check_claim
from .verify import claim_parts, combine_checks, premise_of

log = logging.getLogger(__name__)


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
class LLMCheckedVerifier:
    """The verifier's verdict, with the model asked as one more judge. It can only confirm a
    verdict or move it to ``not_enough_evidence``: never turn one verdict into its opposite,
    and never make one where the verifier found too little."""

    inner: Verifier
    llm: LLM
    prompts: Prompts

    def check(self, claim: str, state: CorpusState, evidence: Evidence) -> ClaimCheck:
        verdict = self.inner.check(claim, state, evidence)
        if verdict.verdict not in ("supported", "contradicted") or not verdict.evidence:
            return verdict
        quotes = "\n".join(f"[{e.n}] {' '.join(e.quote.split())}" for e in verdict.evidence)
        try:
            reply = self.llm.complete(self.prompts.messages("claim", quotes=quotes, claim=claim), 8)
        except LLMError as exc:
            log.warning("LLM claim judge unavailable (%s): the verifier's verdict stands", exc)
            return verdict
        said = (reply.strip().split() or [""])[0].strip(".,:;!*").upper()
        agrees = {"supported": "SUPPORTED", "contradicted": "CONTRADICTED"}[verdict.verdict]
        if said == agrees:
            return verdict
        return dataclasses.replace(
            verdict,
            verdict="not_enough_evidence",
            reason=f"{verdict.reason}; the model did not confirm it ({said or 'no answer'})",
            evidence=tuple(dataclasses.replace(e, stance="related") for e in verdict.evidence),
        )


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
        """Each statement of the claim on its own evidence, then one verdict on them all."""
        parts = claim_parts(claim)
        checks = [self.verifier.check(p, state, self.retriever.retrieve(state, p)) for p in parts]
        if len(checks) == 1:
            return dataclasses.replace(checks[0], claim=claim)
        return combine_checks(claim, checks)


def build_pipeline(settings, vectors: VectorIndex, embedder: Embedder, judge, llm) -> Pipeline:
    """The steps the settings ask for: extractive by default; with a model, prose gated by the
    verifier, and, with ``llm_claim_judge``, the model as one more claim judge. Prompts are
    loaded and checked here, so a broken prompt file stops the start, naming the file."""
    retriever = HybridRetriever(vectors, embedder)
    answerer: Answerer = ExtractiveAnswerer(judge, settings.max_citations, settings.max_quote_chars)
    verifier: Verifier = ClaimVerifier(judge, embedder, settings.max_quote_chars)
    if llm is not None:
        from .llm.prompts import load_prompts
        from .prose import ProseAnswerer

        prompts = load_prompts(settings.llm_prompts_dir)
        answerer = ProseAnswerer(
            answerer, llm, prompts, retriever, verifier, settings.llm_max_tokens
        )
        if settings.llm_claim_judge:
            verifier = LLMCheckedVerifier(verifier, llm, prompts)
    return Pipeline(retriever=retriever, answerer=answerer, verifier=verifier)
