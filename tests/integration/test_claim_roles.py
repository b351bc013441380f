"""Who did what to whom, and words that mean the opposite: a claim that swaps the doer (in
either voice) or puts in an antonym is contradicted; the same claim with the article's words
is supported."""

from __future__ import annotations

import pytest
from helpers import seed_engine_with

DEALS = """---
id: "headphone-deals"
title: "Beats unveils new headphones"
outlet: "Example Tech"
published: 2025-05-02
---

Beats, which was acquired by Apple in 2014, unveiled a new pair of wireless headphones on
Thursday. The headphones go on sale next month.

El Al flew a direct route to Mumbai for the first time on Sunday, the airline said.

Kremlin spokesman Dmitry Peskov said Moscow was ready to help. Lavrov called the strikes a
grave violation of international law on Monday.

Ryabkov said the treaty would stand, and the talks would go on in Geneva on Friday.

Under the constitution, the governor cannot seek a third term in office.
"""


@pytest.fixture(scope="module")
def engine(minilm, tmp_path_factory):
    with seed_engine_with(
        minilm, tmp_path_factory.mktemp("roles"), **{"headphone-deals": DEALS}
    ) as e:
        yield e


@pytest.mark.parametrize(
    "claim",
    [
        "Apple acquired Beats in 2014.",
        "El Al flew a direct route to Mumbai for the first time on Sunday.",
        "Lavrov called the strikes a grave violation of international law.",
        "Under the constitution, the governor cannot seek a third term in office.",
    ],
)
def test_the_articles_roles_and_words_are_supported(engine, claim):
    assert engine.check(claim).verdict == "supported"


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        # the doer swapped, the source in the passive voice
        ("Samsung acquired Beats in 2014.", "Apple, not Samsung"),
        # WordNet's antonym, in the same slot
        (
            "El Al flew an indirect route to Mumbai for the first time on Sunday.",
            "direct, not indirect",
        ),
        # the subject opening the claim, a name no common word spells
        (
            "Shoigu said the treaty would stand, and the talks would go on in Geneva on Friday.",
            "Ryabkov, not Shoigu",
        ),
        # "cannot" is "can not"
        ("Under the constitution, the governor can seek a third term in office.", "negation"),
    ],
)
def test_a_swapped_role_or_an_antonym_is_contradicted(engine, claim, reason):
    check = engine.check(claim)
    assert check.verdict == "contradicted", check.to_json()
    assert reason in check.reason


def test_a_name_the_sentence_before_gives_is_not_the_doer_of_this_one(engine):
    # Peskov is in the article (and the sentence before), so this is no contradiction; but
    # the sentence says Lavrov called the strikes that, so it is no support either.
    check = engine.check("Peskov called the strikes a grave violation of international law.")
    assert check.verdict == "not_enough_evidence", check.to_json()


@pytest.mark.parametrize("who", ["Trump", "Officials"])
def test_a_claim_opening_with_a_common_word_for_another_doer_is_not_supported(engine, who):
    # "trump" and "officials" are common words, so neither is contradicted by "Ryabkov said";
    # but the sentence says Ryabkov said it, so neither is supported either
    claim = f"{who} said the treaty would stand, and the talks would go on in Geneva on Friday."
    assert engine.check(claim).verdict == "not_enough_evidence"
