"""True claims in other wording are never called contradicted; false ones still are.

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
Ticket prices rose 8% this year, organisers said.
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


@pytest.fixture(scope="module")
def engine(minilm, tmp_path_factory):
    with seed_engine_with(
        minilm,
        tmp_path_factory.mktemp("wording"),
        **{"tennis-final": TENNIS, "early-presidents": MONROE, "border-talks": TALKS},
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
