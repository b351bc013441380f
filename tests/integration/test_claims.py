"""Claim verification with the real model on the seed corpus: every verdict kind, the premise
flag on answers, and the quote invariant for evidence."""

from __future__ import annotations

import json

import pytest
from helpers import FIXTURES, YAHOO, collapse

pytestmark = pytest.mark.integration


def _load(name: str) -> list[dict]:
    path = FIXTURES / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


SEED_CLAIMS = _load("seed_claims.jsonl")
EXTRA_CLAIMS = _load("seed_claims_extra.jsonl")


@pytest.mark.parametrize("item", SEED_CLAIMS, ids=lambda c: c["id"])
def test_seed_claim_gets_its_verdict_and_evidence(real_engine, item):
    result = real_engine.check(item["claim"])
    assert result.verdict == item["label"], result.to_json()
    if item["evidence_any"]:
        quotes = [collapse(e.quote) for e in result.evidence if e.stance != "related"]
        assert any(collapse(x) in q for q in quotes for x in item["evidence_any"]), result


def test_extra_claims_are_mostly_right_and_never_falsely_contradicted(real_engine):
    results = [(item, real_engine.check(item["claim"])) for item in EXTRA_CLAIMS]
    right = sum(r.verdict == item["label"] for item, r in results)
    false_contradicted = [
        item["id"]
        for item, r in results
        if r.verdict == "contradicted" and item["label"] != "contradicted"
    ]
    assert not false_contradicted
    assert right / len(results) >= 0.85, [(i["id"], r.verdict) for i, r in results]


def test_evidence_quotes_are_verbatim_and_numbered(real_engine):
    for item in SEED_CLAIMS + EXTRA_CLAIMS:
        result = real_engine.check(item["claim"])
        assert [e.n for e in result.evidence] == list(range(1, len(result.evidence) + 1))
        for e in result.evidence:
            assert e.quote in real_engine.source(e.article_id).body
            assert e.stance in {"supports", "refutes", "related"}


def test_fact_check_rating_refutes_the_claim_it_checks(real_engine):
    result = real_engine.check("Russia withdrew its support for Iran in June 2025.")
    assert result.verdict == "contradicted"
    assert result.evidence[0].article_id == YAHOO
    assert result.evidence[0].stance == "refutes"


def test_conflicting_sources_give_a_conflicting_verdict(
    real_engine, tmp_path, make_settings, minilm, seed_corpus
):
    (seed_corpus / "other-2025-06-24-treaty.md").write_text(
        "---\nid: other-treaty\ntitle: Treaty terms\noutlet: Other Wire\n"
        "published: 2025-06-24\n---\n\n"
        "The strategic cooperation treaty that Putin signed with Iran in January includes a "
        "mutual defence clause, officials said on Tuesday.\n",
        encoding="utf-8",
    )
    from retrieval import Engine

    settings = make_settings(seed_corpus, tmp_path / "store")
    engine = Engine(settings, embedder=minilm)
    engine.reload()
    result = engine.check(
        "The strategic cooperation treaty Putin signed with Iran in January includes a mutual "
        "defence clause."
    )
    engine.close()
    assert result.verdict == "conflicting", result.to_json()
    stances = {e.stance for e in result.evidence}
    assert {"supports", "refutes"} <= stances


def test_false_premise_question_is_answered_with_a_premise_flag(real_engine):
    answer = real_engine.ask("Why did Russia withdraw its support for Iran?")
    assert answer.citations
    premise = [f for f in answer.flags if f.kind == "premise"]
    assert premise, answer.to_json()
    numbers = {c.n for c in answer.citations}
    assert premise[0].citations and set(premise[0].citations) <= numbers
    cited = {c.article_id for c in answer.citations if c.n in premise[0].citations}
    assert YAHOO in cited


def test_plain_question_gets_no_premise_flag(real_engine):
    answer = real_engine.ask("Why isn't Russia helping Iran?")
    assert not [f for f in answer.flags if f.kind in ("premise", "contradicted")]


def test_a_wrong_count_is_contradicted_though_the_number_occurs_elsewhere(real_engine):
    # The sources: "two days after ... to strike Iran's three main nuclear sites".
    check = real_engine.check(
        "Putin met the Iranian foreign minister three days after the US strikes."
    )
    assert check.verdict == "contradicted"
    assert "two days after" in check.evidence[0].quote


@pytest.mark.parametrize("verb", ["refused to", "failed to"])
def test_a_verb_that_negates_is_read_as_a_negation(real_engine, verb):
    # The sources: "Peskov condemned the US attacks."
    check = real_engine.check(f"Peskov {verb} condemn the US attacks.")
    assert check.verdict == "contradicted"
    assert any("Peskov condemned the US attacks" in e.quote for e in check.evidence)


@pytest.mark.parametrize(
    "claim",
    [
        # "over 6 million" against "more than 6.1 million views"
        "A post on X claiming Russia abandoned Iran was viewed over 6 million times.",
        # "in April 2025, Russia ratified ..." dates the ratification, not the signing
        "Russia signed a strategic partnership treaty with Iran in January.",
        # the quote's "no basis and no justification" is not about calling it aggression
        "Putin called the attack on Iran unprovoked aggression.",
    ],
)
def test_true_claims_in_other_words_are_not_contradicted(real_engine, claim):
    assert real_engine.check(claim).verdict != "contradicted"


def test_the_opposite_of_the_kremlin_quote_is_still_contradicted(real_engine):
    assert real_engine.check("Putin said the US strikes on Iran were justified.").verdict == (
        "contradicted"
    )


def test_a_claim_of_several_sentences_is_checked_sentence_by_sentence(real_engine):
    # The first sentence is in the sources; the second is the opposite of what they say.
    supported = "Putin said there was no justification for the US attack on Iran."
    false = "The Russia-Iran strategic partnership treaty includes a mutual defence clause."
    alone = real_engine.check(supported)
    assert alone.verdict == "supported" and not alone.parts
    result = real_engine.check(f"{supported} {false}")
    assert result.verdict == "contradicted", result.to_json()
    assert [p.claim for p in result.parts] == [supported, false]
    assert [p.verdict for p in result.parts] == ["supported", "contradicted"]
    assert result.reason.startswith("Statement 2 of 2 contradicted")
    # One numbering: every part cites the claim's own evidence list, which stays verbatim.
    assert [e.n for e in result.evidence] == list(range(1, len(result.evidence) + 1))
    for e in result.evidence:
        assert e.quote in real_engine.source(e.article_id).body
    numbers = {e.n for e in result.evidence}
    data = result.to_json()
    assert all(p["citations"] and set(p["citations"]) <= numbers for p in data["parts"])
    refuting = result.parts[1].evidence[0]
    assert refuting.stance == "refutes" and "did not include a mutual defen" in refuting.quote


def test_a_compound_claim_is_supported_only_when_every_sentence_is(real_engine):
    supported = "Putin said there was no justification for the US attack on Iran."
    unknown = "Russia delivered forty fighter jets to Venezuela last spring."
    result = real_engine.check(f"{supported}\n{unknown}")
    assert [p.verdict for p in result.parts][0] == "supported"
    assert result.verdict == "not_enough_evidence", result.to_json()
    assert "Statement 2 of 2 not stated" in result.reason


def test_a_name_swapped_into_the_same_slot_is_contradicted(real_engine):
    # The sources: "... two days after US President Donald Trump sent US bomber planes ..."
    swapped = real_engine.check(
        "Putin hosted Araghchi in Moscow two days after French President Emmanuel Macron sent"
        " bomber planes to strike Iran's three main nuclear sites."
    )
    assert swapped.verdict == "contradicted", swapped.to_json()
    assert "Donald Trump" in swapped.evidence[0].quote
    assert "Donald Trump, not Emmanuel Macron" in swapped.reason
    # ... and the same claim with the right name is not
    right = real_engine.check(
        "Putin hosted Araghchi in Moscow two days after US President Donald Trump sent"
        " bomber planes to strike Iran's three main nuclear sites."
    )
    assert right.verdict == "supported", right.to_json()


def test_a_story_written_alike_about_another_name_does_not_dispute_a_supported_claim(
    tmp_path, make_settings, minilm
):
    from retrieval import Engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    guides = [
        ("Barbarian", "Game Wire", "Whirlwind and Hammer of the Ancients lead the list."),
        ("Sorcerer", "Play Daily", "Frozen Orb remains strong after the patch in October."),
    ]
    for n, (kind, outlet, more) in enumerate(guides):
        (corpus / f"guide-{n}.md").write_text(
            f"---\nid: guide-{n}\ntitle: Best {kind} builds\noutlet: {outlet}\n"
            f"published: 2023-10-0{n + 1}\n---\n\n"
            f"In this guide, we have gathered the best Diablo 4 {kind} builds for season 2. "
            f"{more}\n",
            encoding="utf-8",
        )
    with Engine(make_settings(corpus, tmp_path / "store"), embedder=minilm) as engine:
        engine.reload()
        right = engine.check("We have gathered the best Diablo 4 Barbarian builds for season 2.")
        wrong = engine.check("We have gathered the best Diablo 4 Necromancer builds for season 2.")
    assert right.verdict == "supported", right.to_json()
    # with no story for it, the other names in its place refute it
    assert wrong.verdict == "contradicted", wrong.to_json()
