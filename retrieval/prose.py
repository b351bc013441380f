"""Prose answers from an LLM, gated sentence by sentence by the claim verifier.

Retrieval and evidence selection are the extractive answer's; the model gets the question and
the numbered quotes (never whole articles) and writes 1-4 sentences citing ``[n]``. Nothing it
writes is shown unchecked:

- a citation to a number that does not exist is removed (and counted in the log);
- each sentence is checked against the quotes it cites: the rule verifier's verdict on the
  sentence over the cited articles' sentences, or, when that is undecided, grounding (every
  number and name of the sentence in its quotes, most of its words too);
- a sentence supported so stays; one a cited quote refutes is dropped from the prose and gets a
  ``contradicted`` flag; one nothing supports is dropped and gets an ``unsupported`` flag (the
  reader sees what the model claimed and that the sources do not back it, never as the answer);
- prose that cites no quote, draws on none (another language, an ignored prompt), is empty or
  malformed, or keeps no sentence, falls back to the extractive answer (``mode: "extractive"``)
  with the reason logged.

Article text that tries to instruct the model can only change the prose it is quoted in, and
that prose passes the same gate; flags and citations come from the gate, never the model.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .llm import LLM, LLMError
from .llm.prompts import Prompts
from .retrieve import Evidence, coverage, question_terms
from .signals import entities, mismatch, numbers
from .state import CorpusState
from .text import content_terms, normalize, sentence_spans
from .tuning import TUNING
from .types import Answer, Citation, ClaimCheck, Flag, source_name

if TYPE_CHECKING:
    from .pipeline import Answerer, Retriever, Verifier

log = logging.getLogger(__name__)

_MARKER = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_PREAMBLE = re.compile(r"^\s*(?:answer|response)\s*:\s*", re.I)
_NO_ANSWER = re.compile(
    r"\b(?:do(?:es)?n[o']?t|cannot|can't|no)\b.{0,40}\b(?:answer|say|mention|state|address)",
    re.I,
)


@dataclass(frozen=True)
class Gated:
    prose: str | None  # None: fall back to the extractive answer
    flags: tuple[Flag, ...]
    reason: str  # why it fell back, or what was dropped


def _source(c: Citation) -> str:
    when = f", {c.published[:10]}" if c.published else ""
    return f"{source_name(c.outlet, c.url) or 'source'}{when}"


def quote_block(citations: tuple[Citation, ...]) -> str:
    """One line per quote, each under its source's number (an article quoted twice has two
    lines with the same number)."""
    return "\n".join(
        f"[{c.n}] ({_source(c)}) {' '.join(q.split())}" for c in citations for q in c.quotes
    )


def _quoted(citations: list[Citation] | tuple[Citation, ...]) -> str:
    return " ".join(q for c in citations for q in c.quotes)


@dataclass(frozen=True)
class ProseAnswerer:
    """The extractive answerer's evidence, written up by ``llm``, gated by ``verifier``."""

    extractive: Answerer
    llm: LLM
    prompts: Prompts
    retriever: Retriever
    verifier: Verifier
    max_tokens: int

    def answer(self, question: str, state: CorpusState, evidence: Evidence) -> Answer:
        base = self.extractive.answer(question, state, evidence)
        if base.status != "answered" or not base.citations:
            return base
        messages = self.prompts.messages(
            "answer", quotes=quote_block(base.citations), question=question
        )
        try:
            reply = self.llm.complete(messages, self.max_tokens)
        except LLMError as exc:
            log.warning("LLM answer unavailable (%s): extractive answer instead", exc)
            return base
        gated = gate(reply, question, base, state, self.retriever, self.verifier)
        if gated.prose is None:
            log.warning("LLM prose not used (%s): extractive answer instead", gated.reason)
            return base
        if gated.reason:
            log.info("LLM prose: %s", gated.reason)
        return dataclasses.replace(
            base, answer=gated.prose, flags=base.flags + gated.flags, mode="llm"
        )


def gate(reply: str, question: str, base: Answer, state: CorpusState, retriever, verifier) -> Gated:
    numbers_known = {c.n for c in base.citations}
    text = _PREAMBLE.sub("", (reply or "").strip().strip("`").strip())
    if not text:
        return Gated(None, (), "the model's reply is empty")
    spans = sentence_spans(text)[: TUNING.prose_max_sentences]
    sentences = [text[s:e] for s, e in spans]
    dangling = 0
    parsed: list[tuple[str, str, tuple[int, ...]]] = []  # (shown, plain, refs)
    for sentence in sentences:
        refs: list[int] = []

        def keep_known(m: re.Match, refs: list[int] = refs) -> str:
            nonlocal dangling
            found = [int(x) for x in re.split(r"[,;]", m.group(1))]
            good = [n for n in found if n in numbers_known]
            dangling += len(found) - len(good)
            refs.extend(n for n in good if n not in refs)
            return "".join(f"[{n}]" for n in good)

        shown = " ".join(_MARKER.sub(keep_known, sentence).split())
        plain = " ".join(_MARKER.sub("", sentence).split())
        if plain:
            parsed.append((shown, plain, tuple(refs)))
    notes = [f"removed {dangling} citation(s) to quotes that do not exist"] if dangling else []
    if not any(refs for _, _, refs in parsed):
        if any(_NO_ANSWER.search(plain) for _, plain, _ in parsed):
            return Gated(None, (), "the model found no answer in the quotes")
        if dangling:
            return Gated(None, (), "the prose cites only quotes that do not exist")
        # No marker at all (small models often forget them): each sentence is attributed to
        # the quote it restates best, then checked against that quote like any citation.
        parsed = [_attributed(shown, plain, base.citations, state) for shown, plain, _ in parsed]
        if not any(refs for _, _, refs in parsed):
            return Gated(None, (), "the prose cites none of the quotes")
        notes.append("the prose had no citations: each sentence attributed to its closest quote")
    quotes_text = _quoted(base.citations)
    if _overlap(" ".join(p for _, p, _ in parsed), f"{quotes_text} {question}") < (
        TUNING.prose_min_overlap
    ):
        return Gated(None, (), "the prose does not draw on the quotes (another language?)")
    kept: list[str] = []
    flags: list[Flag] = []
    by_n = {c.n: c for c in base.citations}
    for shown, plain, refs in parsed:
        cited = [by_n[n] for n in refs]
        stance = _stance(plain, cited, state, retriever, verifier) if cited else "unsupported"
        if stance == "supported":
            kept.append(shown)
        else:
            flags.append(Flag(stance, plain, refs))
    if not kept:
        return Gated(None, (), "no sentence is supported by the quotes it cites")
    if flags:
        notes.append(f"dropped {len(flags)} sentence(s) the quotes do not support")
    return Gated(" ".join(kept), tuple(flags), "; ".join(notes))


def _attributed(
    shown: str, plain: str, citations: tuple[Citation, ...], state: CorpusState
) -> tuple[str, str, tuple[int, ...]]:
    terms = question_terms(plain)
    scored = [(coverage(state, terms, {}, _quoted([c])), c.n) for c in citations]
    best, n = max(scored, default=(0.0, 0))
    if best < TUNING.prose_grounded_cover:
        return shown, plain, ()
    body, end = (plain[:-1], plain[-1]) if plain[-1:] in ".!?" else (plain, "")
    return f"{body} [{n}]{end}", plain, (n,)


def _overlap(prose: str, source: str) -> float:
    terms = set(content_terms(prose))
    if not terms:
        return 0.0
    return len(terms & set(content_terms(source))) / len(terms)


def _stance(sentence: str, cited: list[Citation], state: CorpusState, retriever, verifier) -> str:
    """supported | contradicted | unsupported, for ``sentence`` against its cited quotes."""
    evidence = retriever.retrieve(state, sentence)
    inside = tuple(
        c
        for c in evidence.candidates
        if any(
            c.article_id == q.article_id and s < c.end and c.start < e
            for q in cited
            for s, e in q.spans
        )
    )
    if inside:
        verdict: ClaimCheck = verifier.check(
            sentence, state, dataclasses.replace(evidence, candidates=inside)
        )
        if verdict.verdict == "contradicted":
            return "contradicted"
        if verdict.verdict == "supported":
            return "supported"
    quotes = _quoted(cited)
    if mismatch(sentence, quotes, quotes) == "negation":
        return "unsupported"
    folded = normalize(quotes)
    if not numbers(sentence) <= numbers(quotes) or any(
        name not in folded for name in entities(sentence)
    ):
        return "unsupported"
    terms = question_terms(sentence)
    if coverage(state, terms, {}, quotes) >= TUNING.prose_grounded_cover:
        return "supported"
    return "unsupported"
