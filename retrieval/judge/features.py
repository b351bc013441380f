"""The rule signals the judge reads beside the two texts: negation, opposites, numbers, dates,
names, reported or hypothetical speech, fact-check ratings. Rules used to decide on these alone;
now they are inputs. Corpus-independent, so a pair scores the same in training and in service.
"""

from __future__ import annotations

import math

import numpy as np

from ..signals import (
    FALSE_RATING,
    HYPOTHETICAL,
    REPORTED_CLAIM,
    calendar,
    entities,
    negated,
    numbers,
    opposite,
)
from ..text import terms_of_words, words

PAIR_SIGNALS = (
    "negation_differs",
    "opposite",
    "number_differs",
    "number_missing",
    "date_differs",
    "names_missing",
    "terms_covered",
    "evidence_is_question",
    "evidence_reports_claim",
    "evidence_hypothetical",
    "evidence_rates_false",
    "length_ratio",
)


# A question or claim with one evidence sentence (or a sentence and its neighbour) fits.
MAX_PAIR_TOKENS = 160
# What the first text of a pair starts with, by task.
PREFIX = {"nli": "claim: ", "qa": "question: "}


def pair_signals(a: str, b: str) -> np.ndarray:
    """The rule signals for claim/question ``a`` against evidence ``b``, as floats."""
    a_words, b_words = words(a), words(b)
    a_terms, b_terms = set(terms_of_words(a_words)), set(terms_of_words(b_words))
    a_nums, b_nums = numbers(a), numbers(b)
    a_cal, b_cal = calendar(a), calendar(b)
    names = entities(a)
    b_set = set(b_words)
    return np.array(
        [
            float(negated(a_words) != negated(b_words)),
            float(opposite(a_terms, b_terms)),
            float(bool(a_nums - b_nums) and bool(b_nums - a_nums)),
            float(bool(a_nums - b_nums)),
            float(bool(a_cal) and bool(b_cal) and not (a_cal & b_cal)),
            len(names - b_set) / len(names) if names else 0.0,
            len(a_terms & b_terms) / len(a_terms) if a_terms else 0.0,
            float(b.rstrip().endswith("?")),
            float(bool(REPORTED_CLAIM.search(b))),
            float(bool(HYPOTHETICAL.search(b)) and not HYPOTHETICAL.search(a)),
            float(bool(FALSE_RATING.search(b))),
            math.log((len(b_words) + 1) / (len(a_words) + 1)),
        ],
        dtype=np.float32,
    )
