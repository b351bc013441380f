"""Text primitives: sentence spans with verbatim offsets, token folding, name variants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.lexical import BM25Index
from retrieval.text import content_terms, phonetic_key, sentence_spans, words


def _sentences(body: str) -> list[str]:
    return [body[s:e] for s, e in sentence_spans(body)]


def test_sentence_offsets_are_verbatim_and_stripped():
    body = "  First one here.   Second one follows!\n\n  Third, in a new paragraph?  "
    spans = sentence_spans(body)
    assert [body[s:e] for s, e in spans] == [
        "First one here.",
        "Second one follows!",
        "Third, in a new paragraph?",
    ]
    for s, e in spans:
        assert body[s:e] == body[s:e].strip()


@pytest.mark.parametrize(
    "sentence",
    [
        "U.S. President Donald Trump sent bomber planes to Iran.",
        "He met Mr. Smith and Dr. Jones in Moscow on Monday.",
        'Peskov said: "It all depends on what Iran needs." he added later.',
        "The St. Petersburg International Economic Forum opened.",
        "J. Smith wrote the report.",
        "Alcaraz, the No. 2 seed, lost in the final.",
        "The memo lists Nos. 3 and 4 as unpaid.",
        "On Oct. 21, the recall expanded to 72,240 pounds.",
        "It was signed Sept. 11, 2001, in Washington.",
    ],
)
def test_abbreviations_and_initials_do_not_split_a_sentence(sentence):
    body = f"Before this one. {sentence} After this one."
    assert sentence in _sentences(body)


def test_a_lowercase_no_before_a_number_still_ends_a_sentence():
    assert _sentences("The answer was no. 40 people voted against it.") == [
        "The answer was no.",
        "40 people voted against it.",
    ]


def test_paragraphs_always_split_even_without_punctuation():
    body = "What's the story\n\nRussian President Vladimir Putin has clarified why"
    assert _sentences(body) == [
        "What's the story",
        "Russian President Vladimir Putin has clarified why",
    ]


def test_bulleted_lines_split_into_their_own_units():
    body = "Key points:\n- first point\n- second point"
    got = _sentences(body)
    assert any(s.endswith("first point") and "second" not in s for s in got)


# News-like fragments: abbreviations, quotes, paragraph breaks and bullets mixed at random.
_prose = st.lists(
    st.sampled_from(
        [
            "Putin",
            "said",
            "Mr.",
            "U.S.",
            "J.",
            "no.",
            "5",
            "\u201chi.\u201d",
            "'ok!'",
            ".",
            "?",
            "!",
            ")",
            ",",
            "a",
            "B",
            "\n",
            "\n\n",
            "\n- ",
            " \n \n",
            "\t",
            "  ",
            "\u2014",
            "e.g.",
            "...",
            "(Jun 23)",
        ]
    ),
    max_size=60,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), _prose))
def test_sentence_spans_are_ordered_disjoint_in_bounds_and_non_empty(body):
    spans = sentence_spans(body)
    prev_end = 0
    for s, e in spans:
        assert 0 <= prev_end <= s < e <= len(body)
        assert body[s:e].strip()
        assert body[s:e] == body[s:e].strip()
        prev_end = e


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), _prose))
def test_sentence_spans_lose_no_visible_text(body):
    covered = [False] * len(body)
    for s, e in sentence_spans(body):
        for i in range(s, e):
            covered[i] = True
    lost = [ch for ch, c in zip(body, covered, strict=True) if not c and not ch.isspace()]
    assert lost == []


@pytest.mark.parametrize(
    "text", ["U.S.", "US", "United States", "the u.s.", "America", "Americans"]
)
def test_us_spellings_fold_to_one_token(text):
    assert "us" in words(text)


def test_us_and_united_states_give_the_same_content_terms():
    assert content_terms("U.S. bombers struck") == content_terms("United States bombers struck")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("isn't", ["is", "not"]),
        ("Isn’t", ["is", "not"]),
        ("won't", ["will", "not"]),
        ("doesn't", ["does", "not"]),
        ("cannot", ["can", "not"]),
    ],
)
def test_contractions_keep_their_negation(text, expected):
    assert words(text) == expected


def test_accents_are_folded():
    assert words("Erdoğan café") == words("Erdogan cafe")


def test_content_terms_drop_stopwords_and_stem():
    terms = content_terms("What did the ministers say about the strikes?")
    assert "the" not in terms and "what" not in terms
    assert content_terms("strikes") == content_terms("strike")


@pytest.mark.parametrize(("a", "b"), [("araghchi", "araqchi"), ("tehran", "teheran")])
def test_transliterated_names_share_a_phonetic_key(a, b):
    assert phonetic_key(a) == phonetic_key(b)


def test_araghchi_and_araqchi_are_lexical_variants():
    index = BM25Index(
        [content_terms("Abbas Araqchi visited Moscow"), content_terms("Sergei Lavrov stayed home")]
    )
    (araghchi,) = content_terms("Araghchi")
    (araqchi,) = content_terms("Araqchi")
    assert araqchi in index.variants(araghchi)


def test_unrelated_names_are_not_variants():
    index = BM25Index([content_terms("Peskov Lavrov Putin Moscow")])
    (araghchi,) = content_terms("Araghchi")
    assert index.variants(araghchi) == []


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Iraqi officials said", "iraq"),
        ("the Filipinos voted", "philippin"),
        ("Dutch farmers protested", "netherland"),
        ("two Afghans were held", "afghanistan"),
        ("the American envoy", "us"),
    ],
)
def test_a_demonym_reads_as_its_country(text, term):
    assert term in content_terms(text)


def test_a_word_that_is_mostly_a_language_is_not_a_country():
    assert "english" in content_terms("He spoke English")


def test_a_percent_sign_and_per_cent_are_the_word_percent():
    assert content_terms("15% of voters") == content_terms("15 per cent of voters")
    assert content_terms("15% of voters") == content_terms("15 percent of voters")
