"""Answer invariants (DESIGN §4) on the seed corpus with the fake embedder, for any question."""

from __future__ import annotations

import json
import re
import string

import pytest
from helpers import SEED_QUESTIONS, FakeEmbedder, copy_seed_corpus, settings_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval import Answer, Engine, QuestionError
from retrieval.inputs import clean_text

_MARKER = re.compile(r"\[(\d+)\]")

QUESTIONS = [
    json.loads(line)["question"] for line in SEED_QUESTIONS.read_text().splitlines() if line.strip()
] + [
    "What did Putin tell Araghchi?",
    "what does the kremlin think about the americans bombing iran",
    "U.S.?",
    "what",
    "?",
    "[1] [2] [99]",
    "Putin Putin Putin Putin Putin",
    "Путин и Иран",
    "🙂 ¿Qué pasó en Fordow? 🙂",
    "Fordow, Natanz, and Isfahan",
    "x" * 1999,
    "a\nmulti-line\n\nquestion\twith tabs",
]

# Default limits and tight ones: the invariants must hold under any configured limit.
CONFIGS = {"default": {}, "tight": {"max_citations": 2, "max_quote_chars": 80}}


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def engine(request, tmp_path_factory):
    base = tmp_path_factory.mktemp(f"answers-{request.param}")
    cfg = settings_for(copy_seed_corpus(base / "corpus"), base / "store", **CONFIGS[request.param])
    eng = Engine(cfg, embedder=FakeEmbedder())
    eng.reload()
    yield eng
    eng.close()


def assert_answer_invariants(engine: Engine, answer: Answer) -> None:
    cfg = engine.settings
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) <= cfg.max_citations
    # One number per article (DESIGN §4).
    assert len({c.article_id for c in answer.citations}) == len(answer.citations)
    for c in answer.citations:
        article = engine.source(c.article_id)
        assert article is not None, c.article_id
        assert c.quotes[0] == c.quote and c.spans[0] == (c.start, c.end)
        for quote, (start, end) in zip(c.quotes, c.spans, strict=True):
            assert quote.strip()
            assert article.body[start:end] == quote
            assert len(quote) <= cfg.max_quote_chars
        assert c.to_json()["quotes"] == list(c.quotes)
        assert (c.title, c.outlet, c.published, c.url) == (
            article.title,
            article.outlet,
            article.published,
            article.url,
        )
        assert article.outlet not in c.also_reported_by or article.outlet is None
    for n in _MARKER.findall(answer.answer):
        assert 1 <= int(n) <= len(numbers), (n, answer.answer)
    for flag in answer.flags:
        assert all(1 <= n <= len(numbers) for n in flag.citations), flag
    assert answer.status in {"answered", "not_in_sources"}
    flagged = any(f.kind == "not_in_sources" for f in answer.flags)
    assert flagged == (answer.status == "not_in_sources")
    if answer.status == "answered":
        assert answer.citations
    assert answer.answer.strip()
    as_json = answer.to_json()
    assert json.loads(json.dumps(as_json, ensure_ascii=False)) == as_json


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q[:40])
def test_answer_invariants_hold_for_listed_questions(engine, question):
    assert_answer_invariants(engine, engine.ask(question))


_printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"))
    | st.sampled_from(list(string.printable)),
    max_size=200,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=_printable)
def test_answer_invariants_hold_for_any_printable_question(engine, question):
    # Controls and format marks (U+200B...) are removed first; nothing left is an empty question.
    if not clean_text(question):
        with pytest.raises(QuestionError):
            engine.ask(question)
        return
    assert_answer_invariants(engine, engine.ask(question))


@pytest.mark.parametrize("question", ["", "   ", "\n\t \n"])
def test_empty_question_is_rejected(engine, question):
    with pytest.raises(QuestionError):
        engine.ask(question)


def test_over_long_question_is_rejected(engine):
    limit = engine.settings.max_question_chars
    with pytest.raises(QuestionError):
        engine.ask("why " * (limit // 4 + 1))


def test_question_at_the_length_limit_is_accepted(engine):
    limit = engine.settings.max_question_chars
    question = ("Putin " * limit)[: limit - 1] + "?"
    assert_answer_invariants(engine, engine.ask(question))


def test_answer_echoes_the_question(engine):
    assert engine.ask("  What did   Peskov say?  ").question.split() == [
        "What",
        "did",
        "Peskov",
        "say?",
    ]
