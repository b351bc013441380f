"""Each claim-verification signal on small hand-made pairs."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from retrieval.signals import (
    active_forms,
    antonym_pairs,
    calendar,
    entities,
    mismatch,
    negated,
    numbers,
    other_side,
    quantities,
    swapped_kinds,
    swapped_names,
    swapped_opposites,
    synonyms,
    unmentioned_names,
    unstated,
)
from retrieval.text import stem, words
from retrieval.tuning import TUNING
from retrieval.types import ClaimCheck, EvidenceQuote
from retrieval.verify import (
    _swapped_entities,
    claim_parts,
    clause_windows,
    combine_checks,
    premise_of,
)


@pytest.mark.parametrize(
    ("claim", "sentence", "why"),
    [
        (
            "The treaty includes a mutual defence clause.",
            "That agreement did not include a mutual defence clause.",
            "negation",
        ),
        (
            "Trump told Putin in detail about the strikes.",
            "Peskov said Trump had not told Putin in detail about the strikes.",
            "negation",
        ),
        (
            "Trump accepted the offer to mediate.",
            "Trump rejected the offer to mediate.",
            "opposite",
        ),
        (
            "Muslims make up 25% of the population.",
            "Muslims make up 15% of the population.",
            "number",
        ),
        (
            "The post had more than 9 million views.",
            "The post had more than 6.1 million views.",
            "number",
        ),
        (
            "Russia ratified the treaty in June 2025.",
            "In April 2025, Russia ratified the treaty.",
            "date",
        ),
        ("He arrived on Friday.", "He arrived on Monday.", "date"),
        ("Russia ratified the treaty in 2024.", "Russia ratified the treaty in 2025.", "date"),
    ],
)
def test_mismatch_names_the_difference(claim, sentence, why):
    assert mismatch(claim, sentence, sentence) == why


@pytest.mark.parametrize(
    ("claim", "sentence"),
    [
        ("About two million people live in Israel.", "Almost two million people reside in Israel."),
        ("Muslims make up 15% of the population.", "He said Muslims make up 15% of it."),
        ("Russia ratified the treaty in April 2025.", "In April 2025, Russia ratified the treaty."),
        ("Putin condemned the strikes.", "Putin condemned the strikes on Monday."),
    ],
)
def test_matching_statements_have_no_mismatch(claim, sentence):
    assert mismatch(claim, sentence, sentence) is None


def test_negation_is_presence_not_parity():
    assert negated(words("It has no basis and no justification."))
    assert not negated(words("It has a basis and a justification."))
    assert negated(words("He didn't go."))


def test_numbers_scale_and_skip_years():
    assert numbers("more than 6.1 million views in 2025") == {6_100_000.0}
    assert numbers("almost two million people") == {2_000_000.0}
    assert numbers("15% of the population") == {15.0}


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Lincoln signed the Emancipation Proclamation on Jan. 1, 1863.", {"1863"}),
        ("In 1803 the territory changed hands.", {"1803"}),
        ("1803: The Louisiana Purchase was completed.", {"1803"}),
        ("The Civil War lasted from 1861 to 1865.", {"1861", "1865"}),
    ],
)
def test_a_year_before_1900_written_as_a_year_is_a_date_not_a_number(text, years):
    assert numbers(text) == set()
    assert years <= calendar(text)


def test_a_four_digit_count_is_still_a_number():
    assert numbers("Some 1500 troops arrived.") == {1500.0}
    assert numbers("The law of 1790 says so.") == {1790.0}
    assert calendar("Some 1500 troops arrived.") == set()


def test_a_negated_more_than_is_the_bound_an_only_states():
    source = (
        'The 22nd Amendment says: "No person shall be elected to the office of the President '
        'more than twice."'
    )
    same = "Under the 22nd Amendment a person serving as president can only hold the office twice."
    assert mismatch(same, source, source) is None
    # without the bound, the "no" still denies
    denied = (
        "Under the 22nd Amendment a person can be elected to the office of the President more "
        "than twice."
    )
    assert mismatch(denied, source, source) == "negation"
    # "only ... more than 200" is no bound, and a "not" in another clause bounds nothing
    source = "All servers are private, and only channels with more than 200 members are listed."
    claim = "All servers are not private, and only channels with more than 200 members are listed."
    assert mismatch(claim, source, source) == "negation"


def test_a_historical_year_the_source_does_not_give_is_no_number_mismatch():
    claim = "President Abraham Lincoln had signed the Emancipation Proclamation on Jan. 1, 1863."
    source = (
        "All enslaved people in the state were free, more than two years after President "
        "Abraham Lincoln signed the Emancipation Proclamation."
    )
    assert mismatch(claim, source, source) is None
    # said with another year, it is a date mismatch
    claim = "Lincoln signed the Emancipation Proclamation in 1863."
    other = "Lincoln signed the Emancipation Proclamation in 1862."
    assert mismatch(claim, other, other) == "date"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Seventy stores closed.", 70),
        ("Twenty-five people came.", 25),
        ("two hundred and five cars", 205),
        ("three million people", 3_000_000),
        ("two dozen eggs", 24),
        ("Fourteen were hurt.", 14),
    ],
)
def test_numbers_in_words_are_read_whole(text, value):
    assert numbers(text) == {float(value)}


def test_a_claims_not_that_meets_the_source_only_in_names_is_no_mismatch():
    claim = "Putin explained why Russia is not intervening between Iran and the United States."
    sentence = "Putin said the U.S. bombing of Iran was wrong and that Moscow was trying to help."
    clause = "that Moscow was trying to help."
    assert mismatch(claim, clause, sentence) is None
    assert mismatch("Russia is not helping Iran.", clause, sentence) == "negation"
    menu = "Taco Bell is going after younger consumers with fresh drinks."
    assert mismatch("This isn't Taco Bell's first attempt at cheaper food.", menu, menu) is None


def test_a_claims_not_that_the_source_says_outside_the_aligned_clause_is_no_mismatch():
    claim = "He couldn't plan much in jail, but I think she was the one to put the plan together."
    sentence = "He couldn't plan much in jail. I think she was the one to put the plan together."
    clause = "I think she was the one to put the plan together."
    assert mismatch(claim, clause, sentence) is None
    assert mismatch(claim, clause, clause) == "negation"


def test_one_alone_is_no_number_but_a_number_in_words_is_compared():
    assert numbers("she was the one to plan it") == set()
    assert numbers("one hundred days") == {100.0}
    said = "Seventy stores closed in its first quarter."
    assert mismatch("The company closed 70 stores in its first quarter.", said, said) is None
    assert mismatch("The company closed 80 stores in its first quarter.", said, said) == "number"


def test_calendar_finds_months_weekdays_and_years():
    assert calendar("On Monday, June 23, 2025") == {"monday", "june", "2025", "june 23"}


def test_entities_skip_a_sentence_opening_common_word():
    assert entities("Officials said Trump had not told Putin.") == {"trump", "putin"}
    assert entities("He left. Then Obama won Iowa.") == {"obama", "iowa"}


def test_names_are_read_whole_and_folded_as_the_text_is():
    # "Mc" of "McAllen" was a name of its own, and "United States" two names that the folded
    # text ("us") never contains: a verbatim sentence was "names differ" from itself.
    sentence = "Rep. Vicente Gonzalez of McAllen met DeSantis in the United States."
    assert entities(sentence) == {"vicente", "gonzalez", "mcallen", "desantis", "us"}
    assert _swapped_entities(sentence, sentence) == ""
    assert _swapped_entities(sentence, "Gonzalez of McAllen met DeSantis in the U.S.") == "vicente"
    assert entities("The NBA and NASA met.") == set()  # acronyms are not names here
    accents = "She won the Ballon d\u2019Or and opened a Live M\u00e1s caf\u00e9 in Ju\u00e1rez."
    assert entities(accents) == {"ballon", "live", "mas", "juarez"}
    assert _swapped_entities(accents, accents) == ""
    decomposed = unicodedata.normalize("NFD", accents)  # as some pages come
    assert entities(decomposed) == entities(accents)
    assert _swapped_entities(decomposed, decomposed) == ""


def test_clause_windows_are_verbatim_sub_spans():
    body = "Putin said there was no justification, and that Moscow was trying to help the people."
    spans = clause_windows(body, 0, len(body))
    assert spans
    assert all(0 <= s < e <= len(body) for s, e in spans)
    assert any("Moscow was trying to help" in body[s:e] for s, e in spans)
    assert clause_windows("A single clause only.", 0, 21) == []


@pytest.mark.parametrize(
    ("question", "premise"),
    [
        ("Why did Russia withdraw its support for Iran?", "Russia withdraw its support for Iran"),
        ("When did Russia ratify the treaty with Iran?", "Russia ratify the treaty with Iran"),
        ("Why isn't Russia helping Iran?", None),
        ("What did Putin say?", None),
        ("Did Trump accept the offer?", None),
    ],
)
def test_premise_of_wh_questions(question, premise):
    assert premise_of(question) == premise


def test_a_number_is_compared_with_what_it_counts_not_with_any_number_nearby():
    source = (
        "Putin hosted Araqchi in Moscow two days after Trump sent bombers to strike Iran's three"
        " main nuclear sites."
    )
    # "three" is in the source, but it counts sites, not days.
    assert mismatch("Putin met Araqchi three days after the strikes.", source, source) == "number"
    assert mismatch("Putin met Araqchi two days after the strikes.", source, source) is None
    assert quantities(source) == {"day": {2.0}, "main": {3.0}, "nuclear": {3.0}}


def test_a_number_followed_by_a_function_word_counts_nothing_named():
    # "seven in a pool house": the seven are people; "two games of pool" counts games.
    claim = "Police killed the gunman who executed seven in a pool house massacre."
    source = "Police killed a gunman who slaughtered seven after losing two games of pool."
    assert quantities(claim) == {}
    assert mismatch(claim, source, source) is None
    assert quantities("more than 6.1 million views, a 15% rise") == {
        "view": {6_100_000.0},
        "percent": {15.0},
        "rise": {15.0},
    }


@pytest.mark.parametrize(
    ("claim", "source", "why"),
    [
        # a verb that says "not" on its own reads as a negation, on either side
        ("The team did not get the question right.", "The team failed to get it right.", None),
        (
            "The treaty lacks a defence clause.",
            "The treaty did not include a defence clause.",
            None,
        ),
        ("The team failed to win the final.", "The team won the final.", "negation"),
        ("Peskov refused to condemn the attacks.", "Peskov condemned the attacks.", "negation"),
        ("He denied the charges.", "He pleaded not guilty to the charges.", None),
        ("He took the money.", "He denied taking the money.", "negation"),
        # "No." before a number is not "no"
        ("Sinner, the No. 1 seed, won the title.", "Sinner, the top seed, won the title.", None),
        # an antonym with the two sides swapped says the same thing
        ("Alcaraz lost to Sinner in the final.", "Sinner won the final against Alcaraz.", None),
        (
            "Sinner lost to Alcaraz in the final.",
            "Sinner won the final against Alcaraz.",
            "opposite",
        ),
        ("Alcaraz won the final.", "Alcaraz lost the final.", "opposite"),
    ],
)
def test_rule_misfires_on_other_wording_are_gone(claim, source, why):
    assert mismatch(claim, source, source) == why


@pytest.mark.parametrize(
    ("claim", "source", "why"),
    [
        ("The program ran in 2020.", "The program ran from 2019 to 2021.", None),
        ("Unemployment fell in 2022.", "Unemployment fell in 2021-2023, the report said.", None),
        ("The talks were held in April.", "The talks were held between March and June.", None),
        ("It ran in January.", "It ran from November to February.", None),
        ("He served in 2010.", "He served from 2001 to 2005.", "date"),
        ("The strike began in March.", "The strike began in June.", "date"),
    ],
)
def test_a_time_span_covers_every_year_and_month_in_it(claim, source, why):
    assert mismatch(claim, source, source) == why


@pytest.mark.parametrize(
    ("claim", "source", "why"),
    [
        ("The deal is worth $1.2 billion.", "The $1.2bn deal was signed on Monday.", None),
        ("The club paid £50 million for him.", "The £50m signing arrived.", None),
        ("The club paid £60 million for him.", "The £50m signing arrived.", "number"),
        ("The fund holds $3 trillion.", "The $3,000bn fund grew.", None),
        ("Turnout was 60%.", "Turnout was 60 per cent.", None),
        ("Turnout was 60%.", "Turnout was 70 per cent.", "number"),
        # without a currency sign, "5m" is not five million
        ("The wall is 5 metres high.", "The 5m-high wall fell.", None),
    ],
)
def test_written_on_scales_are_read_as_their_words(claim, source, why):
    assert mismatch(claim, source, source) == why


@pytest.mark.parametrize(
    ("claim", "source", "why"),
    [
        # a "not" about something the claim does not speak of says nothing against it
        ("Sinner won the final.", "Sinner won the final without dropping a set.", None),
        ("The ceasefire held.", "The ceasefire held, although no agreement was ever signed.", None),
        (
            "Alcaraz is the No. 2 seed.",
            "Alcaraz, the No. 2 seed, had not lost a final since 2023.",
            None,
        ),
        # a "not" about what the claim says does
        (
            "Sinner dropped a set in the final.",
            "Sinner won the final without dropping a set.",
            "negation",
        ),
        (
            "An agreement was signed.",
            "The ceasefire held, although no agreement was ever signed.",
            "negation",
        ),
        ("Sinner did not drop a set.", "Sinner won the final without dropping a set.", None),
    ],
)
def test_a_negation_counts_only_about_what_the_other_text_says(claim, source, why):
    assert mismatch(claim, source, source) == why


@pytest.mark.parametrize(
    ("claim", "source", "why"),
    [
        # "had not ... since" / "not ... until" bound the negation to a span: the event at its
        # edge is what the sentence reports
        ("Alcaraz lost the final.", "Alcaraz had not lost a final since 2023.", None),
        ("The envoy arrived in Doha.", "The envoy did not arrive in Doha until Monday.", None),
        # a claim that pins its own time inside the span is still contradicted
        ("Alcaraz lost a final in 2024.", "Alcaraz had not lost a final since 2023.", "negation"),
        (
            "The envoy arrived in Doha on Sunday.",
            "The envoy did not arrive in Doha until Monday.",
            "date",
        ),
        # nor is "not lost" the opposite of "won"
        ("Alcaraz won the final.", "Alcaraz had not lost a final since 2023.", None),
        # an unbounded negation is unchanged
        ("Alcaraz lost the final.", "Alcaraz has never lost a final.", "negation"),
    ],
)
def test_a_negation_bounded_in_time_leaves_the_event_at_its_edge(claim, source, why):
    assert mismatch(claim, source, source) == why


@pytest.mark.parametrize(
    ("claim", "sides"),
    [
        ("Alcaraz won the Wimbledon final.", "alcaraz / sinner"),
        ("Sinner won the Wimbledon final.", ""),
        ("Alcaraz lost the Wimbledon final to Sinner.", ""),
        ("Sinner beat Alcaraz at Wimbledon.", ""),
        ("Djokovic won the final.", ""),  # not named in the evidence: a different question
    ],
)
def test_a_contest_won_by_the_other_side_is_told(claim, sides):
    source = "Jannik Sinner won the Wimbledon final on Sunday, beating Carlos Alcaraz."
    assert other_side(claim, source) == sides


_NO_BASIS = '"The unprovoked aggression has no basis and no justification," Putin told Araghchi.'


@pytest.mark.parametrize(
    ("claim", "source", "why"),
    [
        # a "not" ends with its clause, and a source's "not" must be about what the claim says
        ("Putin called the attack unprovoked aggression.", _NO_BASIS, None),
        ("Putin said the attack was justified.", _NO_BASIS, "negation"),  # justif(ied|ication)
        # a bound or an estimate is met by a number inside it
        (
            "A post was viewed over 6 million times.",
            "One post had more than 6.1 million views.",
            None,
        ),
        ("About 15 percent of Russians are Muslim.", "Muslims make up 15% of Russians.", None),
        ("About 25 percent of Russians are Muslim.", "Muslims make up 15% of Russians.", "number"),
        ("Fewer than 200 people came.", "Some 150 people came.", None),
        ("Over 20 people came.", "Some 150 people came.", "number"),  # that would be said
        # a date counts against the same event only
        (
            "Russia signed the treaty with Iran in January.",
            "In April, Russia ratified the treaty.",
            None,
        ),
        ("Russia ratified the treaty in January.", "In April, Russia ratified the treaty.", "date"),
    ],
)
def test_clauses_bounds_and_events_keep_true_claims_from_being_contradicted(claim, source, why):
    assert mismatch(claim, source, source) == why


@pytest.mark.parametrize(
    ("claim", "source", "why"),
    [
        # "not just" and "not only" affirm
        (
            "Elizabeth was head of state in 14 countries besides the UK.",
            "Elizabeth was head of state not just in the UK but in 14 other realms.",
            None,
        ),
        # a "not" in a condition states nothing
        (
            "The president sent the National Guard to Los Angeles.",
            'He wrote that "if we didn\'t send the National Guard, Los Angeles would burn."',
            None,
        ),
        (
            "The president sent the National Guard.",
            "He did not send the National Guard.",
            "negation",
        ),
        # ... unless the other side supposes too
        (
            "If you were not busy on Friday, you can still save on iPads.",
            "If you were busy on Friday, you can still save on iPads.",
            "negation",
        ),
        # both say "not", of different things, and one states what the other negates
        (
            "Because FTX had not grown so much, he could no longer run both companies.",
            "Because FTX had grown so much, he could no longer run both companies.",
            "negation",
        ),
        (
            "Because FTX had grown so much, he could no longer run both companies.",
            "Because FTX had not grown so much, he could no longer run both companies.",
            "negation",
        ),
        ("He did not attend the meeting.", "He was not present at the meeting.", None),
        # a claim's "not" whose head is a name meets a source about that name
        (
            "Oman opened its airspace to Israeli carriers, but not El Al.",
            "Oman opened its airspace to all carriers, El Al among them.",
            "negation",
        ),
        (
            "The treaty lacks a defence clause.",
            "The treaty did not include a defence clause.",
            None,
        ),
    ],
)
def test_a_not_that_affirms_or_only_supposes_is_no_negation(claim, source, why):
    assert mismatch(claim, source, source) == why


_REFRESCAS = "The Agua Refrescas cost $3.99 for a 20-ounce drink; the Rockstar ones cost $4.49."


@pytest.mark.parametrize(
    ("claim", "source", "why"),
    [
        # a day of the month is a date, not a quantity
        ("Monroe died on July 4.", "Five years later, on the same date, Monroe died.", None),
        ("Monroe died on July 5.", "Monroe died on July 4, 1831.", "date"),
        ("Monroe died on the 4th of July.", "Monroe died on July 4, 1831.", None),
        # a number counting what the source counts nothing of is not its other numbers
        ("Rockstar Refrescas contain 200 mg of caffeine.", _REFRESCAS, None),
        ("Bermuda has seven main islands.", "Nearly 64,000 people live on Bermuda.", None),
        ("A gunman killed six people.", "A gunman killed seven after losing two games.", "number"),
        ("The Agua Refrescas cost $2.99.", _REFRESCAS, "number"),
        # ... and then only with one said of the same thing
        (
            "Swift, who led the pack with 10 nominations, won the first award.",
            "Swift took home the most statues with seven and set a record with 30.",
            None,
        ),
        (
            "Medicaid insures 83 million people, including 40% of children.",
            "Medicaid insures 83 million people, or more than 1 in 5 Americans.",
            None,
        ),
        # a bound in the source is met by a number past it, not by a bound past it
        ("Roosevelt served four terms.", "He was the only one to serve more than two terms.", None),
    ],
)
def test_numbers_are_compared_with_what_they_count(claim, source, why):
    assert mismatch(claim, source, source) == why


def test_a_support_must_give_the_claims_numbers_and_dates():
    assert unstated("Monroe died on July 5.", "On the same date, Monroe died.") == "july 5"
    assert unstated("Monroe died on July 4, 1831.", "Monroe died on July 4, 1831.") is None
    assert unstated("Over 6 million people saw it.", "6.1 million people saw it.") is None
    assert unstated("Seven people died.", "Several people died.") == "7"


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ("Sales in the unit fell 2% to $1.57 billion.", "opposite"),
        ("Sales in the unit dropped 2% to $1.57 billion.", "opposite"),
        ("Sales in the unit grew 2% to $1.57 billion.", None),
    ],
)
def test_a_trend_going_down_is_the_opposite_of_one_going_up(claim, why):
    source = "Sales in its unit came in 2% higher at $1.57 billion."
    assert mismatch(claim, source, source) == why


@pytest.mark.parametrize(
    ("claim", "parts"),
    [
        ("Russia signed a treaty with Iran.", ["Russia signed a treaty with Iran."]),
        (
            "Russia signed a treaty with Iran. It has no mutual defence clause.",
            ["Russia signed a treaty with Iran.", "It has no mutual defence clause."],
        ),
        # a fragment too short to check joins its neighbour
        (
            "Breaking: Russia signed a treaty with Iran.",
            ["Breaking: Russia signed a treaty with Iran."],
        ),
        (
            "Breaking news. Russia signed a treaty with Iran. Really.",
            ["Breaking news. Russia signed a treaty with Iran. Really."],
        ),
        # lines are statements too; "U.S. officials" does not end one
        (
            "U.S. officials met Araghchi in Oslo\nThe talks ended without a deal",
            ["U.S. officials met Araghchi in Oslo", "The talks ended without a deal"],
        ),
        # ... but a wrapped sentence goes on
        (
            "U.S. officials met Araghchi\nin Oslo on Monday and the talks\nended without a deal",
            ["U.S. officials met Araghchi\nin Oslo on Monday and the talks\nended without a deal"],
        ),
    ],
)
def test_claim_parts_are_its_sentences(claim, parts):
    assert claim_parts(claim) == parts


def test_claim_parts_stop_at_the_cap():
    claim = " ".join(f"Statement number {i} names a different city." for i in range(1, 10))
    parts = claim_parts(claim)
    assert len(parts) == TUNING.claim_max_parts
    assert parts[-1].endswith("number 9 names a different city.")


def _quote(n, article, stance, text="q"):
    return EvidenceQuote(
        n=n,
        article_id=article,
        title="t",
        outlet=None,
        published=None,
        url=None,
        quote=f"{text} {article}",
        stance=stance,
    )


def test_combined_verdict_is_the_weakest_statement_and_numbers_quotes_once():
    shared = _quote(2, "a", "related")
    first = ClaimCheck(
        "A.", "supported", "A source states it.", (_quote(1, "b", "supports"), shared)
    )
    second = ClaimCheck(
        "B.",
        "contradicted",
        "A source says otherwise: x.",
        (_quote(1, "c", "refutes"), _quote(2, "a", "related")),
    )
    result = combine_checks("A. B.", [first, second])
    assert result.verdict == "contradicted"
    assert result.reason == "Statement 2 of 2 contradicted: A source says otherwise: x."
    # The decisive statement's quotes come first; the shared quote is numbered once.
    assert [(e.n, e.article_id) for e in result.evidence] == [(1, "c"), (2, "a"), (3, "b")]
    assert [[e.n for e in p.evidence] for p in result.parts] == [[3, 2], [1, 2]]
    assert result.to_json()["parts"][0] == {
        "claim": "A.",
        "verdict": "supported",
        "reason": "A source states it.",
        "citations": [3, 2],
    }
    both = combine_checks("A. B.", [first, dataclasses.replace(second, verdict="supported")])
    assert both.verdict == "supported" and both.reason.startswith("A source states each of its 2")
    unknown = dataclasses.replace(second, verdict="not_enough_evidence", reason="none.")
    assert combine_checks("A. B.", [first, unknown]).verdict == "not_enough_evidence"
    conflict = dataclasses.replace(second, verdict="conflicting")
    assert (
        combine_checks(
            "A. B.", [conflict, dataclasses.replace(first, verdict="contradicted")]
        ).verdict
        == "contradicted"
    )


def test_a_number_written_on_to_a_name_is_part_of_the_name():
    assert numbers("COVID-19 cases and SARS-CoV-2 tests on 40 F-16 jets") == {40.0}
    assert numbers("a top-10 defense") == {10.0}
    # ... and is compared as a name: another number there is another name
    source = "Alarms keep going off in the COVID-19 unit as hospitals deal with a surge."
    edited = source.replace("COVID-19", "COVID-38")
    assert swapped_names(edited, source, source) == [("COVID-38", "COVID-19")]
    assert unmentioned_names(edited, source) == {"38"}
    source = "Revenues from its COVID-19 vaccines fell, with vaccine sales down in 2023."
    claim = "The company reported lower SARS-CoV-2 vaccine sales in 2023."
    assert mismatch(claim, source, source) is None


def test_a_count_may_name_what_it_counts_later_in_its_clause():
    source = (
        "In total, 870 people worldwide have been infected, and 457 deaths have been reported."
        " But in the last seven years there were only around 170 infections."
    )
    assert mismatch("Around 870 infections have been reported.", source, source) is None
    assert mismatch("Around 270 infections have been reported.", source, source) == "number"


def test_an_antonym_undone_by_its_verb_is_no_opposite():
    source = "Oman will open its airspace to all carriers, effectively ending the ban on El Al."
    assert mismatch("Oman is allowing El Al to use its airspace.", source, source) is None
    kept = "Oman kept its ban on El Al flights over its airspace."
    assert mismatch("Oman is allowing El Al flights over its airspace.", kept, kept) == "opposite"


def test_a_not_the_source_says_of_the_same_thing_in_other_words_is_no_mismatch():
    before = "Bird flu was not deemed to be a threat to humans until a 1997 outbreak in Hong Kong."
    sentence = "However, there have been fears that the virus could spread between people."
    claim = "Bird flu was not considered to be a risk to humans until 1997."
    assert mismatch(claim, sentence, f"{before} {sentence}") is None
    plain = "Bird flu was deemed to be a threat to humans after a 1997 outbreak in Hong Kong."
    assert mismatch(claim, sentence, f"{plain} {sentence}") == "negation"


@pytest.mark.parametrize(
    ("claim", "source", "swap"),
    [
        (
            "The founder of the digital start-up UFO Media was arrested on fraud charges.",
            "The founder of the digital start-up Ozy Media was arrested Thursday on fraud charges.",
            ("UFO", "Ozy"),
        ),
        # at the end of both, after words they share
        (
            "On the eve of the anniversary of Russia's invasion of Syria, activists protested.",
            "The protest comes on the eve of the anniversary of Russia's invasion of Ukraine.",
            ("Syria", "Ukraine"),
        ),
        (
            "Lavrov met Blinken in Geneva on Friday.",
            "Lavrov met Wang Yi in Geneva on Friday.",
            ("Blinken", "Wang Yi"),
        ),
        # at the start of both, before words they share
        (
            "Joe Biden met Xi Jinping in Bali.",
            "On Monday, Donald Trump met Xi Jinping in Bali.",
            ("Joe Biden", "Donald Trump"),
        ),
        # the words after it may be few ("..., Thurber said.")
        (
            "The discovery of so much life was unanticipated, Olympics said.",
            "The discovery of so much life was unanticipated, Thurber said.",
            ("Olympics", "Thurber"),
        ),
        # two countries are never one spelled two ways
        (
            "The talks on the reactor in Iraq resumed in Vienna.",
            "The talks on the reactor in Iran resumed in Vienna.",
            ("Iraq", "Iran"),
        ),
        # one name spelled two ways
        (
            "Gauff has two younger brothers, Cody and Cameron.",
            "Gauff has two younger brothers, Codey and Cameron.",
            None,
        ),
        # a sentence's first word may be no name ("Officials said ...")
        ("Officials met Xi Jinping in Bali.", "Donald Trump met Xi Jinping in Bali.", None),
        # ... but one that is no common word is: the claim's subject swapped
        (
            "Peskov met Xi Jinping in Bali.",
            "Donald Trump met Xi Jinping in Bali.",
            ("Peskov", "Donald Trump"),
        ),
        # the same roles in the other voice
        (
            "Samsung acquired Beats in 2014.",
            "Beats, which was acquired by Apple in 2014, unveiled new headphones.",
            ("Samsung", "Apple"),
        ),
        (
            "Samsung acquired Beats in 2014.",
            "Beats was acquired by Apple in 2014.",
            ("Samsung", "Apple"),
        ),
        # a country and a person may be one actor; a capital is its country
        (
            "On the eve of the anniversary of Putin's invasion of Ukraine, activists protested.",
            "The protest comes on the eve of the anniversary of Russia's invasion of Ukraine.",
            None,
        ),
        ("Moscow condemned the strikes on Iran.", "Russia condemned the strikes on Iran.", None),
        # a name added, not swapped; a name the article gives elsewhere
        (
            "Putin met Araghchi in Moscow on Monday.",
            "Putin met Iran's foreign minister in Moscow on Monday.",
            None,
        ),
    ],
)
def test_a_name_swapped_into_the_same_slot(claim, source, swap):
    assert swapped_names(claim, source, source) == ([swap] if swap else [])


@pytest.mark.parametrize(
    ("claim", "source", "swap"),
    [
        # WordNet's antonyms, beyond the hand-written list
        (
            "The new rules exclude dairy products, the agency said.",
            "The new rules include dairy products, the agency said.",
            ("exclude", "include"),
        ),
        (
            "The flight took an indirect route to Lisbon on Monday.",
            "The flight took a direct route to Lisbon on Monday.",
            ("indirect", "direct"),
        ),
        (
            "Its popularity has increased over the past decade.",
            "Its unpopularity has increased over the past decade.",
            ("popularity", "unpopularity"),
        ),
        # a "not" on either side may undo the opposite
        ("Prices did not increase in May.", "Prices decreased in May.", None),
        # words that differ without being opposites
        (
            "Activists dumped paint on the road in front of the embassy.",
            "Protesters poured paint on the road in front of the embassy.",
            None,
        ),
        # the claim has both words: no swap
        (
            "Exports increased while imports decreased in May.",
            "Exports decreased while imports increased in May.",
            None,
        ),
        # not in the same slot: the opposite word is somewhere else in the source
        (
            "The company said profits increased in the first quarter.",
            "Losses decreased, the company said of its results in the first quarter.",
            None,
        ),
    ],
)
def test_an_antonym_in_the_same_slot(claim, source, swap):
    assert swapped_opposites(claim, source) == ([swap] if swap else [])


def test_antonym_pairs_hold_wordnet_and_the_hand_list_as_stems():
    pairs = antonym_pairs()
    assert frozenset(("includ", "exclud")) in pairs  # WordNet and the hand list
    assert frozenset(("voluntari", "involuntari")) in pairs  # WordNet only
    assert frozenset(("popular", "unpopular")) in pairs
    assert all(len(pair) == 2 for pair in pairs)
    # stems this short are too ambiguous to oppose
    assert not any(min(len(w) for w in pair) < 3 for pair in pairs)


def test_a_sentence_opening_name_the_article_writes_as_a_name_elsewhere_is_one():
    # "trump" is a common word (a card), so only the article tells that Trump is a name
    source = "Trump called the strikes a spectacular military success."
    article = f"{source} The remarks by Donald Trump came on Sunday."
    claim = "Peskov called the strikes a spectacular military success."
    assert swapped_names(claim, source, source) == []
    assert swapped_names(claim, source, article) == [("Peskov", "Trump")]


def test_with_openings_a_common_word_opening_the_claim_may_be_a_swapped_name():
    source = "Ryabkov said the treaty would stand on Friday."
    claim = "Trump said the treaty would stand on Friday."
    assert swapped_names(claim, source, source) == []
    assert swapped_names(claim, source, source, openings=True) == [("Trump", "Ryabkov")]
    # a function word opening it is still none
    assert swapped_names("Since then, the treaty stood.", source, source, openings=True) == []


def test_entities_keep_an_opening_word_only_when_it_is_no_common_word():
    assert entities("Peskov said the talks failed.") == {"peskov"}
    assert entities("Officials said the talks failed.") == set()
    assert entities("Trump said the talks failed.") == set()
    assert entities("The talks failed, Peskov said.") == {"peskov"}
    # function words are no names either (WordNet lists none of them)
    assert entities("Since then, 870 people have been infected.") == set()
    assert entities("Although Putin agreed, everyone left.") == {"putin"}


def test_active_forms_turn_a_passive_between_names_around():
    assert active_forms("WhatsApp, which was bought by Facebook for $19 billion, grew.") == [
        "Facebook bought WhatsApp for $19 billion, grew."
    ]
    assert active_forms("The deal was approved by regulators.") == []


def test_a_name_the_article_gives_elsewhere_is_no_swap():
    source = "Lavrov met Wang Yi in Geneva on Friday."
    article = f"{source} Blinken was in Geneva too."
    assert swapped_names("Lavrov met Blinken in Geneva on Friday.", source, article) == []


def test_acronyms_are_names_met_by_their_spelled_out_form_and_countries_by_capitals():
    context = "The Food and Drug Administration and activists in London met Ozy Media."
    assert unmentioned_names("The FDA and U.K. activists met UFO Media and NATO.", context) == {
        "ufo",
        "nato",
    }
    # a capital is not met by its country
    assert unmentioned_names("Activists in London protested.", "U.K. activists protested.") == {
        "london"
    }


@pytest.mark.parametrize(
    ("claim", "source", "swap"),
    [
        # WordNet's first senses are kinds of one thing: a homicide, a geological formation
        (
            "He pleaded guilty to murder in the death of an American.",
            "He pleaded guilty to manslaughter in the death of an American.",
            ("murder", "manslaughter"),
        ),
        (
            "He fell from a beach known as a meeting place.",
            "He fell from a cliff known as a meeting place.",
            ("beach", "cliff"),
        ),
        (
            "They threw green and blue paint on the road.",
            "They threw yellow and blue paint on the road.",
            ("green", "yellow"),
        ),
        # a plural is read as its noun
        (
            "The beaches were closed on Monday.",
            "The cliffs were closed on Monday.",
            ("beaches", "cliffs"),
        ),
        # synonyms, or one a kind of the other, are no other kind
        ("The company bought the firm in May.", "The company bought the business in May.", None),
        (
            "Police arrested a lesbian activist on Monday.",
            "Police arrested a gay activist on Monday.",
            None,
        ),
        ("They threw paint on the road.", "They threw paint on the street.", None),
        # a "not" may undo it; names are swapped_names'
        (
            "He did not plead guilty to murder in the death.",
            "He pleaded guilty to manslaughter in the death.",
            None,
        ),
        ("Apple bought the firm in May.", "Google bought the firm in May.", None),
        # stopwords are no kinds, though WordNet has "as" (arsenic) and "is" as nouns
        (
            "He was awarded the Golden Ball as the best player in the tournament.",
            "The Golden Ball is the best player in the tournament award.",
            None,
        ),
    ],
)
def test_another_kind_of_the_same_thing_in_the_same_slot(claim, source, swap):
    assert swapped_kinds(claim, source) == ([swap] if swap else [])


def test_synonyms_are_most_frequent_senses_of_one_synset_as_stems():
    assert synonyms(stem("decease"), stem("death"))
    assert synonyms(stem("purchase"), stem("buy"))
    # "take" is "consider" only in a rare sense of it
    assert not synonyms(stem("consider"), stem("take"))
    assert not synonyms(stem("murder"), stem("manslaughter"))


def test_another_kind_under_a_not_is_no_opposite_but_still_not_the_same():
    claim = "The storm was not a threat to the beaches on Monday."
    source = "The storm was not a threat to the cliffs on Monday."
    assert swapped_kinds(claim, source) == []
    assert swapped_kinds(claim, source, negated=True) == [("beaches", "cliffs")]
