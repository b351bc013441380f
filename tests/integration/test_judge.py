"""The shipped judge, loaded from the installed package: what it must get right on any text."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.judge import CONTRADICTS, ENTAILS, NEUTRAL, WEIGHTS, CrossJudge, load_judge

pytestmark = pytest.mark.integration

SENTENCE = (
    "Iran's parliament voted on Wednesday to suspend cooperation with the International Atomic "
    "Energy Agency, with 221 lawmakers in favour."
)


@pytest.fixture(scope="module")
def judge() -> CrossJudge:
    loaded = load_judge()
    assert isinstance(loaded, CrossJudge)
    return loaded


def test_weights_ship_in_the_package_and_are_small():
    weights = WEIGHTS / "judge.safetensors"
    assert weights.is_file()
    assert weights.stat().st_size < 50_000_000
    assert (WEIGHTS / "judge.json").is_file()


def test_a_sentence_entails_itself(judge):
    probs = judge.compare(SENTENCE, [SENTENCE])
    assert probs.shape == (1, 3)
    assert np.isclose(probs.sum(), 1.0, atol=1e-4)
    assert int(np.argmax(probs[0])) == ENTAILS


def test_a_number_swap_is_a_contradiction(judge):
    claim = SENTENCE.replace("221", "95")
    probs = judge.compare(claim, [SENTENCE])
    assert int(np.argmax(probs[0])) == CONTRADICTS


def test_an_unrelated_sentence_is_neutral(judge):
    other = "The home side scored twice in the second half to win the cup final in Madrid."
    probs = judge.compare(SENTENCE, [other])
    assert int(np.argmax(probs[0])) == NEUTRAL


def test_the_answering_sentence_outscores_a_related_one(judge):
    question = "How many lawmakers voted to suspend cooperation with the IAEA?"
    related = "The International Atomic Energy Agency has inspected Iranian sites for years."
    p = judge.answers(question, [SENTENCE, related])
    assert p.shape == (2,)
    assert p[0] > p[1]
    assert p[0] > 0.5


def test_the_onnx_export_reads_pairs_as_the_torch_model_does(judge, tmp_path):
    exported = CrossJudge.load(cache_dir=tmp_path)
    assert exported.onnx is not None and exported.model is None
    assert list(tmp_path.glob("judge-*.onnx"))
    claim = SENTENCE.replace("221", "95")
    texts = [SENTENCE, "The home side scored twice to win the cup final in Madrid.", claim]
    assert np.allclose(exported.compare(claim, texts), judge.compare(claim, texts), atol=1e-4)
    question = "How many lawmakers voted to suspend cooperation with the IAEA?"
    long_text = " ".join([SENTENCE] * 12)  # cut to the pair limit the same way on both paths
    assert np.allclose(
        exported.answers(question, [SENTENCE, long_text]),
        judge.answers(question, [SENTENCE, long_text]),
        atol=1e-4,
    )
    # Opened again, the cached export is used as it is.
    again = CrossJudge.load(cache_dir=tmp_path)
    assert again.onnx is not None


def test_an_unusable_export_leaves_the_torch_model_in_charge(tmp_path):
    from retrieval.judge.onnx import export_path

    target = export_path(WEIGHTS / "judge.safetensors", tmp_path)
    target.write_bytes(b"not an onnx file")
    fallback = CrossJudge.load(cache_dir=tmp_path)
    assert fallback.onnx is None and fallback.model is not None
    assert fallback.answers("How many lawmakers voted?", [SENTENCE]).shape == (1,)


def test_rules_setting_turns_the_judge_off():
    assert load_judge("rules") is None


def test_an_unknown_judge_is_refused():
    with pytest.raises(ValueError, match="unknown judge"):
        load_judge("oracle")


def test_a_missing_weights_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="judge weights missing"):
        load_judge("learned", tmp_path)


def test_the_card_says_how_it_was_made(judge):
    assert judge.card["trained"] and judge.card["pairs"]
    assert judge.card["held_out"] is None


@pytest.fixture(scope="module")
def learned_engine(minilm, tmp_path_factory):
    from helpers import copy_seed_corpus, settings_for

    from retrieval import Engine

    base = tmp_path_factory.mktemp("learned")
    settings = settings_for(copy_seed_corpus(base / "corpus"), base / "store", judge="learned")
    with Engine(settings, embedder=minilm) as engine:
        engine.reload()
        yield engine


def _seed_questions() -> list[dict]:
    import json

    from helpers import SEED_QUESTIONS

    return [json.loads(line) for line in SEED_QUESTIONS.read_text().splitlines() if line]


@pytest.mark.parametrize("item", _seed_questions(), ids=lambda q: q["id"])
def test_learned_mode_keeps_every_answer_invariant(learned_engine, item):
    answer = learned_engine.ask(item["question"])
    assert learned_engine.judge is not None
    assert answer.status in ("answered", "not_in_sources")
    assert 0.0 <= answer.confidence <= 1.0
    numbers = {c.n for c in answer.citations}
    assert numbers == set(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        body = learned_engine.source(c.article_id).body
        assert [body[s:e] for s, e in c.spans] == list(c.quotes)
    for flag in answer.flags:
        assert set(flag.citations) <= numbers


def test_learned_mode_checks_claims_with_verbatim_evidence(learned_engine):
    result = learned_engine.check("The treaty includes a mutual defence clause.")
    assert result.verdict in ("supported", "contradicted", "not_enough_evidence", "conflicting")
    for e in result.evidence:
        assert learned_engine.source(e.article_id).body[e.start : e.end] == e.quote
