"""True claims in other wording are never called contradicted; false ones still are (a doer
swapped in either voice, an antonym or another kind of the same thing in the same slot).

The article's sentences carry negations about other things ("without dropping a set", "had not
lost a final"), a "No." before a number and the loser named beside the winner: each of these
once made a true claim "contradicted"."""

from __future__ import annotations

import pytest
from helpers import seed_engine_with

TENNIS = """---
id: "tennis-final"
title: "Sinner wins the final in straight sets"
outlet: "Example Sport"
published: 2025-07-13
---

Jannik Sinner won the Wimbledon final on Sunday without dropping a set, beating Carlos Alcaraz
in under three hours. Alcaraz, the No. 2 seed, had not lost a final since 2023.

The ceasefire between the two clubs' fans held, although no formal agreement was ever signed.
Ticket prices rose 8% this year, organisers said. The purchase of the old stadium was
delayed again.
"""


MONROE = """---
id: "early-presidents"
title: "Presidents who died on Independence Day"
outlet: "Example History"
published: 2025-07-04
---

Thomas Jefferson and John Adams both died on July 4, 1826. Five years later, on the same
date, former president James Monroe died.

Another early president, James Monroe, died on July 4, 1831. He served two terms, more than
most of his successors.
"""


# Names written as some pages write them: "McAllen", "OpenAI", an accent decomposed
# ("Jua\u0301rez"), and a second minister three paragraphs from the meeting he did not attend.
TALKS = """---
id: "border-talks"
title: "Border talks end without a deal"
outlet: "Example Wire"
published: 2025-03-02
---

Rep. Vicente Gonzalez of McAllen met OpenAI executives in Jua\u0301rez on Friday, the first such
visit to the United States border this year.

Foreign Minister Sergei Lavrov met Antony Blinken in Geneva on Saturday.

The talks lasted four hours. No date was set for another round.

President Vladimir Putin later spoke to reporters in Moscow about the economy.
"""


# Who did what to whom (a passive, a sentence before naming someone else), an antonym of a
# WordNet pair, a "cannot".
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

Electric buses from the council will run from next year.
"""


# Kinds of one thing (a homicide, a formation of rock), and a word that the claim puts for the
# source's that the corpus has elsewhere: "purchase" is the claim's rarest term, and its
# key term once had to be in the sentence that supports it.
COURT = """---
id: "clifftop-case"
title: "Guilty plea over a death in Sydney"
outlet: "Example Courts"
published: 2023-02-23
---

An Australian pleaded guilty on Thursday to manslaughter in the death of an American who fell
from a Sydney cliff in 1988.

The council will buy electric buses next year, a spokesperson said.
"""


@pytest.fixture(scope="module")
def engine(minilm, tmp_path_factory):
    with seed_engine_with(
        minilm,
        tmp_path_factory.mktemp("wording"),
        **{
            "tennis-final": TENNIS,
            "early-presidents": MONROE,
            "border-talks": TALKS,
            "headphone-deals": DEALS,
            "clifftop-case": COURT,
        },
    ) as e:
        yield e


@pytest.mark.parametrize(
    "claim",
    [
        "Sinner won the Wimbledon final.",
        "Alcaraz lost the Wimbledon final to Sinner.",
        "Sinner beat Alcaraz at Wimbledon.",
        "The ceasefire between the fans held.",
        "Alcaraz is the No. 2 seed.",
        # a sentence of the article, whatever its names
        "Rep. Vicente Gonzalez of McAllen met OpenAI executives in Ju\u00e1rez on Friday.",
        "Foreign Minister Sergei Lavrov met Antony Blinken in Geneva on Saturday.",
        # the article's roles and words, in its voice or the active one
        "Apple acquired Beats in 2014.",
        "El Al flew a direct route to Mumbai for the first time on Sunday.",
        "Lavrov called the strikes a grave violation of international law.",
        "Under the constitution, the governor cannot seek a third term in office.",
        # WordNet's synonym for the source's word, where the corpus has it elsewhere
        "The council will purchase electric buses next year.",
    ],
)
def test_a_true_claim_is_not_contradicted(engine, claim):
    assert engine.check(claim).verdict == "supported"


@pytest.mark.parametrize(
    "claim",
    [
        "Sinner dropped a set in the Wimbledon final.",
        "A formal agreement between the fans was signed.",
        "Alcaraz had lost a final in 2024.",
        "Ticket prices fell this year.",
    ],
)
def test_a_false_claim_is_still_contradicted(engine, claim):
    assert engine.check(claim).verdict == "contradicted"


def test_the_loser_named_as_winner_is_not_supported(engine):
    # Every word of it is in the sentence ("Sinner won the final ..., beating Alcaraz").
    check = engine.check("Alcaraz won the Wimbledon final.")
    assert check.verdict != "supported"
    assert check.verdict != "contradicted"  # who else may have won something is not known


def test_a_wrong_day_is_contradicted_not_supported_by_a_sentence_without_it(engine):
    # "on the same date, ... Monroe died" does not give the day, so it supports neither day
    assert engine.check("James Monroe died on July 5.").verdict == "contradicted"
    assert engine.check("James Monroe died on July 4.").verdict == "supported"


def test_a_name_from_elsewhere_in_the_article_swapped_in_is_not_supported(engine):
    # "Putin" is in the article, three paragraphs away: the meeting was Lavrov's.
    assert engine.check("Vladimir Putin met Antony Blinken in Geneva on Saturday.").verdict != (
        "supported"
    )


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
        # another kind of the same thing, in the same slot
        (
            "An Australian pleaded guilty to murder in the death of an American who fell from a"
            " Sydney cliff in 1988.",
            "manslaughter, not murder",
        ),
        (
            "An Australian pleaded guilty to manslaughter in the death of an American who fell"
            " from a Sydney beach in 1988.",
            "cliff, not beach",
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
