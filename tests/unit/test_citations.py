"""One number per article (DESIGN §4): citations group an article's quotes; names for sources."""

from __future__ import annotations

import pytest

from bot.render.text import render_answer
from retrieval import Answer, Citation, ClaimCheck, EvidenceQuote, Flag, source_name
from retrieval.answer import flag_premise

BODY = "Putin met Araghchi in Moscow. He said the attack had no justification. Russia is ready."
S1, S2, S3 = (
    "Putin met Araghchi in Moscow.",
    "He said the attack had no justification.",
    "Russia is ready.",
)


def at(sentence: str) -> tuple[int, int]:
    start = BODY.index(sentence)
    return start, start + len(sentence)


def cite(n: int, start: int, end: int, article_id: str = "cna", **kw) -> Citation:
    fields = dict(title="Putin meets Araghchi", outlet="CNA", published="2025-06-23", url=None)
    return Citation(
        n=n, article_id=article_id, quote=BODY[start:end], start=start, end=end, **{**fields, **kw}
    )


def test_a_citation_holds_its_first_quote_when_built_with_one():
    c = cite(1, *at(S1))
    assert c.quotes == (S1,) and c.spans == ((0, 29),)
    assert c.to_json()["quotes"] == [c.quote]
    assert "spans" not in c.to_json() and "start" not in c.to_json()


def test_with_quote_adds_a_second_quote_once_and_keeps_the_first_first():
    c = cite(1, *at(S1)).with_quote(S2, *at(S2))
    assert c.quotes == (S1, S2) and c.quote == S1
    assert c.with_quote(S2[:10], at(S2)[0], at(S2)[0] + 10) is c  # already inside a held quote
    assert c.to_json()["quotes"] == [S1, S2]


def test_quotes_and_spans_must_agree():
    with pytest.raises(ValueError):
        Citation(1, "a", "t", None, None, None, "q", 0, 1, quotes=("q", "r"), spans=((0, 1),))


def test_premise_evidence_from_a_cited_article_joins_its_number():
    answer = Answer("Why did Russia strike Iran?", "answered", "“x” [1]", (cite(1, *at(S1)),))
    refuting = EvidenceQuote(
        n=1,
        article_id="cna",
        title="Putin meets Araghchi",
        outlet="CNA",
        published="2025-06-23",
        url=None,
        quote=S2,
        stance="refutes",
        start=at(S2)[0],
        end=at(S2)[1],
    )
    other = EvidenceQuote(
        n=2,
        article_id="reuters",
        title="Other",
        outlet="Reuters",
        published=None,
        url=None,
        quote="Russia did not strike.",
        stance="refutes",
    )
    verdict = ClaimCheck("Russia struck Iran", "contradicted", "refuted", (refuting, other))
    flagged = flag_premise(answer, "Russia struck Iran", verdict)
    assert [c.article_id for c in flagged.citations] == ["cna", "reuters"]
    assert flagged.citations[0].quotes == (S1, S2)
    assert flagged.flags[0].kind == "premise" and flagged.flags[0].citations == (1, 2)


@pytest.mark.parametrize(
    ("outlet", "url", "name"),
    [
        ("Reuters", "https://www.cna.com/x", "Reuters"),
        ("  Asharq  Al-Awsat ", None, "Asharq Al-Awsat"),
        (None, "https://www.reuters.com/world/x", "reuters.com"),
        (None, "https://m.yahoo.com/news", "yahoo.com"),
        ("", "https://news.example.org/a", "news.example.org"),
        (None, "https://www.com/", "www.com"),
        (None, "https://xn--80ak6aa92e.com/", "аррӏе.com"),
        (None, None, None),
        (None, "not a url", None),
    ],
)
def test_source_name_is_the_outlet_else_the_site(outlet, url, name):
    assert source_name(outlet, url) == name


def test_terminal_answer_shows_each_source_once_with_its_quotes_under_it():
    first = cite(1, 0, 29, url="https://www.channelnewsasia.com/x", also_reported_by=("Reuters",))
    grouped = first.with_quote(S2, *at(S2))
    second = cite(2, *at(S3), article_id="anon", outlet=None, url="https://www.yahoo.com/n")
    third = cite(3, *at(S3), article_id="bare", outlet=None, published=None)
    text = f"“{S1}” [1]\n“{S3}” [2]\n“{S2}” [1]\n“{S3}” [3]"
    answer = Answer("Why?", "answered", text, (grouped, second, third))
    out = render_answer(answer)
    lines = out.splitlines()
    assert sum(line.startswith("[1] ") for line in lines) == 1
    one = lines.index("[1] CNA · 2025-06-23 · Putin meets Araghchi")
    assert lines[one + 1 : one + 5] == [
        f"    “{S1}”",
        f"    “{S2}”",
        "    https://www.channelnewsasia.com/x",
        "    also reported by: Reuters",
    ]
    assert "[2] yahoo.com · 2025-06-23 · Putin meets Araghchi" in lines
    assert "[3] undated · Putin meets Araghchi" in lines
    assert "unnamed outlet" not in out
    # The extractive text is the quotes: shown under their sources, not twice.
    assert out.count(S1) == 1


def test_terminal_prose_answer_keeps_its_text_and_the_quotes_behind_it():
    answer = Answer(
        "Why?",
        "answered",
        "Putin said the attack was unjustified [1].",
        (cite(1, *at(S2)),),
        (Flag("unsupported", "Russia will send troops.", (1,)),),
        mode="llm",
    )
    out = render_answer(answer)
    assert "Putin said the attack was unjustified [1]." in out
    assert f"    “{S2}”" in out
    assert "⚠ UNSUPPORTED: Russia will send troops. [1]" in out
