"""What a quote may be: a statement, never a question the article asks its readers."""

from __future__ import annotations

from helpers import seed_engine_with

from retrieval.text import asks

FAQ = """---
id: "faq-airport-lanes"
title: "Faster security lanes: what to know"
outlet: "Example Times"
published: 2025-08-15
---

The new security lanes open at 15 airports this month.

Which airlines are participating in the faster security lanes?

American Airlines, Delta Air Lines, United Airlines and Alaska Airlines are the first carriers to
use the faster security lanes.
"""


def test_a_question_in_an_article_is_never_quoted_as_an_answer(minilm, tmp_path):
    with seed_engine_with(minilm, tmp_path, **{"faq-airport-lanes": FAQ}) as engine:
        answer = engine.ask("Which airlines are participating in the faster security lanes?")
    quotes = [q for c in answer.citations for q in c.quotes]
    assert answer.status == "answered"
    assert any("Delta Air Lines" in q for q in quotes)
    # Neither alone nor merged with the answer after it.
    assert not any("Which airlines are participating" in q for q in quotes)


def test_asks_tells_a_question_from_a_statement():
    assert asks("Which airlines are participating?")
    assert asks('He said: "Why now?"')
    assert not asks('"Why now?" he asked.')
    assert not asks("Delta Air Lines is participating.")


BEATS = """---
id: "beats-headphones"
title: "Beats unveils new wireless headphones"
outlet: "Example Tech"
published: 2025-05-02
---

Beats, which was acquired by Apple in 2014, unveiled a new pair of wireless headphones on
Thursday. The headphones will cost $199 and go on sale next month in the United States and
Europe.

The company said the new model has a battery that lasts 40 hours. Sales of headphones rose 12%
last year, according to industry figures.
"""


def test_a_verdict_quotes_the_text_it_was_decided_on(minilm, tmp_path):
    with seed_engine_with(minilm, tmp_path, **{"beats-headphones": BEATS}) as engine:
        battery = engine.check("The battery of the new Beats headphones lasts 40 hours.")
        acquired = engine.check("Apple acquired Beats in 2014.")
    assert battery.verdict == "supported"
    # Judged with the sentence before it, the support is quoted with it.
    assert "battery that lasts 40 hours" in " ".join(battery.evidence[0].quote.split())
    assert acquired.verdict == "supported"
    assert "acquired by Apple in 2014" in acquired.evidence[0].quote
