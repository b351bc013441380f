"""Discord rendering: limits, inert text, markers that always point at a listed source."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import (
    add_embed,
    answer_embed,
    article_embed,
    check_embed,
    corpus_embed,
    error_text,
    excerpt_messages,
    reload_embed,
    reload_progress_text,
    sources_embed,
)
from bot.render.markdown import ELLIPSIS, escape, fit, safe_url, share
from retrieval import (
    AddedItem,
    AddFailure,
    AddReport,
    Answer,
    Article,
    Citation,
    ClaimCheck,
    CorpusStats,
    EvidenceQuote,
    Flag,
    IndexReport,
    LoadError,
    SourceHit,
)

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NASTY = [
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@!456>",
    "<@&123>",
    "<#42>",
    "</ask:1234>",
    "<t:1700000000:R>",
    "<:pepe:123>",
    "**bold**",
    "__under__",
    "~~strike~~",
    "||spoiler||",
    "`code`",
    "```block```",
    "\n# heading",
    "\n-# subtext",
    "\n> quote",
    "\n>>> quote",
    "\n- item",
    "\n1. item",
    "[link](https://evil.example)",
    "](https://evil.example)",
    "https://example.com/a_b_(c)",
    "\\",
    "[3]",
    "[99]",
    "\u200d",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇺🇸🇫🇷",
    "🏳️\u200d🌈",
    "👍🏽",
    "e\u0301",
    "a\u0308\u0301",
    "שלום עולם",
    "مرحبا بالعالم",
    "中文字符测试",
    "\u202e",
    "\t",
]
LONG_WORD = st.integers(40, 500).map(lambda n: "x" * n)
TOKEN = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=16), LONG_WORD)
TEXT = st.lists(TOKEN, max_size=10).map(" ".join)
NAMES = st.lists(st.one_of(st.sampled_from(["CNA", "Asharq Al-Awsat", "@here"]), TEXT), max_size=4)
# Long text by repetition: generating thousands of random characters is what makes these slow.
LONG_TEXT = st.one_of(
    TEXT, st.tuples(TEXT, st.integers(2, 60)).map(lambda tn: " ".join([tn[0]] * tn[1])[:9000])
)
OPTIONAL = st.one_of(st.none(), TEXT)
URLS = st.one_of(
    st.none(),
    st.just("https://www.reuters.com/world/a b (c)/?q=[x]&r=1"),
    st.just("javascript:alert(1)"),
    st.just("http://"),
    st.text(max_size=40),
    st.just("https://example.com/" + "p" * 3000),
)
# An escaped character, or a [n] that is not the label of a masked link.
MARKER = re.compile(r"\\.|\[([0-9]+)\](?!\()", re.DOTALL)
LISTED = re.compile(r"\*\*\[([0-9]+)\]\*\*")


def citation(n: int, **kw) -> Citation:
    base = dict(
        article_id=f"a{n}",
        title=f"Title {n}",
        outlet="Reuters",
        published="2025-06-23",
        url=f"https://example.com/{n}",
        quote=f"Quote number {n}.",
        start=0,
        end=10,
    )
    return Citation(n=n, **{**base, **kw})


def answer_with(citations=(), flags=(), status="answered", text=None, question="Why?") -> Answer:
    if text is None:
        text = "\n".join(f"\u201c{c.quote}\u201d [{c.n}]" for c in citations)
    return Answer(question, status, text, tuple(citations), tuple(flags), "extractive", 0.83)


def article(**kw) -> Article:
    base = dict(
        id="reuters-1",
        title="Putin meets Araqchi",
        body="Lead sentence one. Lead two.\n\nSecond paragraph.",
        path="corpus/reuters-1.md",
        content_hash="h",
        outlet="Reuters",
        published="2025-06-23",
        url="https://www.reuters.com/x",
        author="Guy Faulconbridge",
    )
    return Article(**{**base, **kw})


def texts(embed: discord.Embed) -> list[str]:
    out = [embed.title or "", embed.description or ""]
    return out + [f.name for f in embed.fields] + [f.value for f in embed.fields]


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert field.name.strip() and len(field.name) <= 256
        assert field.value.strip() and len(field.value) <= 1024
    assert len(embed.footer.text or "") <= 2048
    assert len(embed.author.name or "") <= 256
    assert len(embed) <= 6000
    assert embed.title or embed.description or embed.fields
    assert all(t is None or t.strip() for t in (embed.title, embed.description, embed.footer.text))
    if embed.url:
        parts = urlsplit(embed.url)
        assert parts.scheme in ("http", "https") and parts.hostname and len(embed.url) <= 2048
        assert not re.search(r"[\s()<>]", embed.url)


def markers(text: str) -> set[int]:
    """Numbers in unescaped [n] markers, as Discord would show them."""
    return {int(m[1]) for m in MARKER.finditer(text) if m[1]}


def listed_sources(embed: discord.Embed) -> set[int]:
    return {int(n) for f in embed.fields for n in LISTED.findall(f.value)}


def pings_or_formats(text: str) -> list[str]:
    """Mentions Discord would resolve, and markdown it would apply, in escaped corpus text."""
    found = re.findall(r"@everyone|@here|<[@#/:]|<t:|<a:", text)
    bare = re.sub(r"\\.", "\x00", text, flags=re.DOTALL)  # an escaped character is inert
    found += re.findall(r"[*_~|`]|\[[^\]]*\]\(", bare)
    found += re.findall(r"(?m)^\s*(?:#|>|-\s|\d+\.\s)", bare)
    return found


@st.composite
def citations(draw, max_size=10):
    count = draw(st.integers(0, max_size))
    return [
        Citation(
            n=n,
            article_id=draw(st.text(max_size=30)),
            title=draw(TEXT),
            outlet=draw(OPTIONAL),
            published=draw(st.one_of(st.none(), st.just("2025-06-23T10:00:00+00:00"), TEXT)),
            url=draw(URLS),
            **grouped(draw(st.lists(LONG_TEXT, min_size=1, max_size=4))),
            also_reported_by=tuple(draw(NAMES)),
        )
        for n in range(1, count + 1)
    ]


def grouped(quotes: list[str]) -> dict:
    """Citation fields for one article quoted once or several times (one number per article)."""
    spans = tuple((10 * i, 10 * i + 1) for i in range(len(quotes)))
    return dict(quote=quotes[0], start=0, end=1, quotes=tuple(quotes), spans=spans)


@st.composite
def answers(draw):
    cits = draw(citations())
    flags = draw(
        st.lists(
            st.builds(
                Flag,
                st.sampled_from(
                    ["not_in_sources", "unsupported", "contradicted", "conflicting", "premise"]
                ),
                LONG_TEXT,
                st.lists(st.integers(1, 14), max_size=6).map(tuple),
            ),
            max_size=5,
        )
    )
    lines = [f"\u201c{c.quote}\u201d [{c.n}]" for c in cits]
    extra = draw(st.lists(st.sampled_from(["[12]", "[1](https://evil)", "[2]"]), max_size=3))
    return Answer(
        question=draw(TEXT),
        status=draw(st.sampled_from(["answered", "not_in_sources"])),
        answer="\n".join(lines + extra),
        citations=tuple(cits),
        flags=tuple(flags),
        mode=draw(st.sampled_from(["extractive", "llm"])),
        confidence=draw(st.floats(0, 1)),
    )


# --- escape ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["@everyone", "@here", "<@456>", "<@!456>", "<@&123>", "<#42>", "</ask:1>", "<t:1700000000:R>"],
)
def test_escape_neutralises_mention(raw):
    assert pings_or_formats(escape(f"hi {raw} there")) == []


@pytest.mark.parametrize(
    "raw",
    [
        "**bold**",
        "__under__",
        "*it*",
        "~~strike~~",
        "||spoiler||",
        "`code`",
        "```py\nx\n```",
        "# heading",
        "## heading",
        "-# subtext",
        "> quote",
        ">>> quote",
        "- item",
        "  - item",
        "* item",
        "1. item",
        "[link](https://evil)",
        "[**b**](https://evil)",
        "snake_case_name",
    ],
)
def test_escape_neutralises_markdown(raw):
    assert pings_or_formats(escape(raw)) == []


def test_escape_leaves_bare_urls_intact():
    assert escape("see https://example.com/a_b_c now") == "see https://example.com/a_b_c now"


def test_escape_leaves_plain_prose_alone():
    prose = "Putin met Iran's foreign minister, Abbas Araqchi, in Moscow on Monday."
    assert escape(prose) == prose


def test_escape_escapes_backslashes_so_they_cannot_unescape_ours():
    assert escape("\\*x*") == "\\\\\\*x\\*"


# --- fit --------------------------------------------------------------------------------------


def test_fit_returns_text_that_fits_unchanged():
    assert fit("short text", 100) == "short text"


def test_fit_cuts_at_a_word_boundary_with_an_ellipsis():
    assert fit("the quick brown fox jumps", 16) == "the quick brown…"


def test_fit_prefers_a_sentence_end_when_asked():
    text = "First sentence here. Second one goes on and on."
    assert fit(text, 40, sentence=True) == "First sentence here. …"


def test_fit_drops_a_dangling_comma_before_the_ellipsis():
    assert fit("alpha, beta gamma delta", 10) == "alpha…"


def test_fit_keeps_combining_marks_with_their_base_in_a_long_word():
    out = fit("e\u0301" * 100, 21, str)
    assert out.endswith(ELLIPSIS) and out[:-1] == "e\u0301" * 10


def test_fit_keeps_a_zwj_emoji_sequence_whole_in_a_long_word():
    family = "👨\u200d👩\u200d👧\u200d👦"
    out = fit(family * 20, 30, str)
    assert out[:-1] == family * (len(out[:-1]) // len(family))


def test_fit_keeps_flag_pairs_whole_in_a_long_word():
    out = fit("🇺🇸" * 20, 10, str)
    assert len(out[:-1]) % 2 == 0


def test_fit_never_splits_an_escape_sequence():
    out = fit("*" * 100, 11)
    assert out == "\\*" * 5 + ELLIPSIS


@PROPERTY
@given(text=LONG_TEXT, limit=st.integers(1, 500))
def test_fit_never_cuts_mid_word(text, limit):
    out = fit(text, limit, str)
    assert len(out) <= limit
    if out == text or not out.endswith(ELLIPSIS):
        return
    kept = out.removesuffix(ELLIPSIS).removesuffix(" ")
    assert text.startswith(kept)
    lead = len(text) - len(text.lstrip())
    first_word = lead + len((text.split() or [""])[0])
    if text[len(kept)].isalnum():  # the one exception: a first word longer than the room
        assert len(kept) < first_word
        assert first_word > limit - len(ELLIPSIS)


@PROPERTY
@given(text=LONG_TEXT, limit=st.integers(1, 500))
def test_fit_output_is_the_rendering_of_a_raw_prefix(text, limit):
    out = fit(text, limit)
    assert len(out) <= limit
    if out.endswith(ELLIPSIS) and out != escape(text):
        core = out.removesuffix(ELLIPSIS).removesuffix(" ")
        assert any(escape(text[:k]).startswith(core) for k in range(len(text) + 1))


def test_share_gives_every_section_what_it_needs_when_there_is_room():
    assert share([10, 20], 100) == [10, 20]


def test_share_fills_evenly_above_the_floors():
    assert share([100, 100, 10], 120, [5, 5, 5]) == [55, 55, 10]


# --- answer_embed -----------------------------------------------------------------------------


@PROPERTY
@given(answer=answers())
def test_answer_embed_stays_within_every_limit(answer):
    assert_within_limits(answer_embed(answer))


@PROPERTY
@given(answer=answers())
def test_answer_embed_markers_refer_to_listed_sources(answer):
    embed = answer_embed(answer)
    listed = listed_sources(embed)
    assert listed == {c.n for c in answer.citations}
    for text in texts(embed):
        assert markers(text) <= listed


@PROPERTY
@given(answer=answers())
def test_answer_embed_shows_every_flag(answer):
    lines = (answer_embed(answer).description or "").split("\n")
    if lines[0].startswith("**Question:**"):
        lines = lines[2:]
    assert len(lines) >= len(answer.flags)
    for line in lines[: len(answer.flags)]:
        assert line.startswith(("⚠️", "🚫", "❗", "❌", "⚖️"))


VOCABULARY = ["a", "an", "iran", "moscow", "minister", "justification", "ceasefire", "z" * 10]
WORDS = st.tuples(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=20), st.integers(1, 40)
).map(lambda wn: " ".join(wn[0] * wn[1]))


@PROPERTY
@given(
    titles=st.lists(WORDS, min_size=1, max_size=10),
    quotes=st.lists(WORDS, min_size=1, max_size=10),
    flag_texts=st.lists(WORDS, max_size=5),
    question=WORDS,
)
def test_answer_embed_shortens_only_at_word_boundaries(titles, quotes, flag_texts, question):
    cits = [
        citation(n, title=t, quote=q, outlet=t[:80], also_reported_by=tuple(q.split()[:30]))
        for n, (t, q) in enumerate(zip(titles, quotes, strict=False), 1)
    ]
    flags = [Flag("unsupported", t, (1,)) for t in flag_texts]
    vocabulary = set(" ".join([*titles, *quotes, *flag_texts, question]).split())
    embed = answer_embed(answer_with(cits, flags, question=question))
    for text in texts(embed):
        for word in re.findall(r"([a-z]+)" + ELLIPSIS, text):
            assert word in vocabulary


def test_answer_with_mentions_and_markdown_renders_inert():
    nasty = (
        "@everyone @here <@&123> <@456> **bold** [link](https://evil) `tick` ||spoil||\n# heading"
    )
    cit = citation(1, title=nasty, outlet=nasty, quote=nasty, also_reported_by=(nasty,))
    embed = answer_embed(answer_with([cit], question=nasty))
    body = (embed.description or "").replace("[1]", "")
    assert pings_or_formats(body) == []
    assert pings_or_formats(embed.title or "") == []
    field = embed.fields[0].value
    assert "@everyone" not in field and "<@&" not in field and "<@4" not in field
    assert "**bold**" not in field and "[link](https://evil)" not in field


def test_flags_come_before_the_answer_text():
    cits = [citation(1), citation(2)]
    flags = [Flag("premise", "The sources contradict the premise", (2,))]
    description = answer_embed(answer_with(cits, flags)).description
    assert description.index("🚫 **Premise contradicted**") < description.index("Quote number 1")
    assert "The sources contradict the premise [2]" in description


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("not_in_sources", "⚠️ **Not in sources**"),
        ("premise", "🚫 **Premise contradicted**"),
        ("unsupported", "❗ **Unsupported**"),
        ("contradicted", "❌ **Contradicted**"),
        ("conflicting", "⚖️ **Sources conflict**"),
    ],
)
def test_flag_kind_has_its_emoji_and_label(kind, label):
    embed = answer_embed(answer_with([citation(1)], [Flag(kind, "claim text", (1,))]))
    assert f"{label}: claim text [1]" in embed.description


def test_also_reported_by_appears_under_its_source():
    cit = citation(1, also_reported_by=("CNA", "Asharq Al-Awsat"))
    value = answer_embed(answer_with([cit])).fields[0].value
    assert "↳ also reported by: CNA, Asharq Al-Awsat" in value


def test_source_line_has_number_outlet_date_and_linked_title():
    cit = citation(1, published="2025-06-23T10:00:00+00:00")
    value = answer_embed(answer_with([cit])).fields[0].value
    assert value == "**[1]** Reuters · 2025-06-23 · [Title 1](https://example.com/1)"


def test_source_line_names_the_site_when_the_outlet_is_missing():
    cit = citation(1, outlet=None, published=None, url="https://www.reuters.com/world/x")
    value = answer_embed(answer_with([cit])).fields[0].value
    assert value == "**[1]** reuters.com · [Title 1](https://www.reuters.com/world/x)"


def test_source_line_omits_missing_outlet_without_url_and_date():
    value = answer_embed(answer_with([citation(1, outlet=None, published=None, url=None)]))
    assert value.fields[0].value == "**[1]** Title 1"
    assert "unnamed" not in value.fields[0].value


@pytest.mark.parametrize(
    "url", [None, "", "javascript:alert(1)", "ftp://x.org/a", "http://", "nope"]
)
def test_source_title_is_unlinked_without_an_http_url(url):
    value = answer_embed(answer_with([citation(1, url=url)])).fields[0].value
    assert value == "**[1]** Reuters · 2025-06-23 · Title 1"


def test_source_url_with_spaces_and_parentheses_is_percent_encoded():
    cit = citation(1, url="https://example.com/a b (c)")
    value = answer_embed(answer_with([cit])).fields[0].value
    assert "[Title 1](https://example.com/a%20b%20%28c%29)" in value


def test_url_that_cannot_be_made_safe_is_dropped():
    assert safe_url("https://exa mple.com/") is None


def test_not_in_sources_answer_says_the_sources_do_not_cover_it():
    flag = Flag("not_in_sources", "Why?", (1,))
    answer = answer_with(
        [citation(1)],
        [flag],
        status="not_in_sources",
        text="The sources do not answer this question. Closest sources: [1].",
    )
    embed = answer_embed(answer)
    assert embed.title == "📭 The sources don't cover this"
    assert embed.fields[0].name == "Closest sources"
    assert "⚠️ **Not in sources** [1]" in embed.description


def test_marker_of_a_source_that_is_not_listed_is_not_shown():
    embed = answer_embed(answer_with([citation(1)], text="\u201cQuote\u201d [1] [7]"))
    assert markers(embed.description) == {1}


def test_marker_followed_by_a_parenthesis_does_not_become_a_link():
    embed = answer_embed(answer_with([citation(1)], text="x [1](https://evil)"))
    assert "[1](" not in embed.description


def test_many_citations_list_every_source_within_limits():
    cits = [
        citation(n, title="long title " * 40, also_reported_by=("CNA",) * 9) for n in range(1, 31)
    ]
    embed = answer_embed(answer_with(cits))
    assert_within_limits(embed)
    assert listed_sources(embed) == set(range(1, 31))


def test_footer_shows_mode_and_confidence():
    assert answer_embed(answer_with([citation(1)])).footer.text == "extractive · confidence 0.83"


@pytest.mark.parametrize(
    ("status", "kinds", "colour"),
    [
        ("answered", [], discord.Colour.green()),
        ("answered", ["unsupported"], discord.Colour.orange()),
        ("answered", ["conflicting"], discord.Colour.gold()),
        ("answered", ["premise"], discord.Colour.red()),
        ("answered", ["contradicted", "unsupported"], discord.Colour.red()),
        ("not_in_sources", ["not_in_sources"], discord.Colour.dark_grey()),
    ],
)
def test_answer_colour_follows_status_and_flags(status, kinds, colour):
    flags = [Flag(k, "x", (1,)) for k in kinds]
    assert answer_embed(answer_with([citation(1)], flags, status=status)).colour == colour


# --- excerpt_messages -------------------------------------------------------------------------


def test_excerpt_messages_respect_message_limits_with_25_long_citations():
    cits = [citation(n, quote="word " * 900, title="title " * 60) for n in range(1, 26)]
    messages = excerpt_messages(answer_with(cits))
    assert sum(len(m) for m in messages) == 25
    for message in messages:
        assert 1 <= len(message) <= 10
        assert sum(len(e) for e in message) <= 6000
        for embed in message:
            assert_within_limits(embed)


def test_an_article_quoted_twice_is_one_source_with_both_quotes():
    first, second = "Putin said there was no justification.", "Russia is ready to help Iran."
    cit = citation(1, **grouped([first, second]))
    answer = answer_with([cit], text=f"\u201c{first}\u201d [1]\n\u201c{second}\u201d [1]")
    embed = answer_embed(answer)
    assert listed_sources(embed) == {1}
    assert sum(f.value.count("**[1]**") for f in embed.fields) == 1
    [[excerpt]] = excerpt_messages(answer)
    assert excerpt.description.count("**[1]**") == 1
    assert excerpt.description.index(first) < excerpt.description.index(second)


@PROPERTY
@given(cits=citations(max_size=3))
def test_excerpts_show_every_quote_of_a_source_within_limits(cits):
    embeds = [e for m in excerpt_messages(answer_with(cits)) for e in m]
    for embed in embeds:
        assert_within_limits(embed)
    if cits:
        for cit, embed in zip(cits, embeds, strict=True):
            # Each quote has its own pair of quotation marks after the source line.
            assert embed.description.count("\u201c") >= len(cit.quotes)


def test_excerpt_holds_the_full_quote_and_its_source_line():
    quote = "Putin said there was no justification for the attack on Iran."
    embed = excerpt_messages(answer_with([citation(1, quote=quote)]))[0][0]
    assert f"\u201c{quote}\u201d" in embed.description
    assert embed.description.startswith("**[1]** Reuters · 2025-06-23 · [Title 1]")


@PROPERTY
@given(cits=citations(max_size=12))
def test_excerpt_messages_stay_within_limits(cits):
    for message in excerpt_messages(answer_with(cits)):
        assert 1 <= len(message) <= 10 and sum(len(e) for e in message) <= 6000
        for embed in message:
            assert_within_limits(embed)


# --- check_embed ------------------------------------------------------------------------------


def evidence(n: int, stance="refutes", **kw) -> EvidenceQuote:
    base = dict(
        article_id=f"a{n}",
        title=f"Title {n}",
        outlet="Reuters",
        published="2025-06-23",
        url=f"https://example.com/{n}",
        quote=f"Evidence {n}.",
    )
    return EvidenceQuote(n=n, stance=stance, **{**base, **kw})


@pytest.mark.parametrize(
    ("verdict", "title", "colour"),
    [
        ("supported", "✅ Supported", discord.Colour.green()),
        ("contradicted", "❌ Contradicted", discord.Colour.red()),
        ("not_enough_evidence", "⚠️ Not enough evidence", discord.Colour.orange()),
        ("conflicting", "⚖️ Sources conflict", discord.Colour.gold()),
    ],
)
def test_check_verdict_sets_title_and_colour(verdict, title, colour):
    embed = check_embed(ClaimCheck("Russia left.", verdict, "Because.", (evidence(1),)))
    assert (embed.title, embed.colour) == (title, colour)


def test_check_shows_claim_reason_and_evidence_with_stance():
    check = ClaimCheck("Russia left.", "contradicted", "Two sources refute it.", (evidence(1),))
    embed = check_embed(check)
    assert embed.description == "**Claim:** Russia left.\n\nTwo sources refute it."
    assert embed.fields[0].value == (
        "**[1]** 🔴 refutes · Reuters · 2025-06-23 · [Title 1](https://example.com/1)\n"
        "\u201cEvidence 1.\u201d"
    )


def test_check_without_evidence_says_so():
    embed = check_embed(ClaimCheck("x", "not_enough_evidence", "Nothing close."))
    assert "No passage in the sources speaks to this claim." in embed.description


def test_check_of_several_statements_lists_each_with_its_verdict_and_quotes():
    ev = (evidence(1), evidence(2, stance="supports"))
    parts = (
        ClaimCheck("Putin met Araqchi.", "supported", "A source states it.", ev[1:]),
        ClaimCheck("The treaty has a defence clause.", "contradicted", "Not so.", ev[:1]),
    )
    check = ClaimCheck(
        "Putin met Araqchi. The treaty has a defence clause.",
        "contradicted",
        "Statement 2 of 2 contradicted: Not so.",
        ev,
        parts,
    )
    description = check_embed(check).description
    assert description.endswith(
        "\n\n✅ 1. Putin met Araqchi. [2]\n❌ 2. The treaty has a defence clause. [1]"
    )


@PROPERTY
@given(
    claim=LONG_TEXT,
    reason=LONG_TEXT,
    quotes=st.lists(st.tuples(LONG_TEXT, TEXT, URLS), max_size=25),
    statements=st.lists(LONG_TEXT, max_size=6),
)
def test_check_embed_stays_within_every_limit(claim, reason, quotes, statements):
    ev = tuple(evidence(n, quote=q, title=t, url=u) for n, (q, t, u) in enumerate(quotes, 1))
    parts = tuple(ClaimCheck(s, "not_enough_evidence", reason, ev[:3]) for s in statements)
    embed = check_embed(ClaimCheck(claim, "conflicting", reason, ev, parts))
    assert_within_limits(embed)
    for text in texts(embed):
        assert markers(text) <= set(range(1, len(ev) + 1))


# --- sources_embed / article_embed -----------------------------------------------------------


def test_sources_embed_numbers_hits_from_start():
    hits = [SourceHit(article(id=f"a{i}"), 1.0, "snippet") for i in range(2)]
    description = sources_embed("putin", hits, page=2, pages=3, start=5).description
    assert description.startswith("**6.** [Putin meets Araqchi](https://www.reuters.com/x)")
    assert "**7.**" in description and "`a1`" in description and "> snippet" in description


def test_sources_embed_shows_page_in_footer():
    hits = [SourceHit(article(), 1.0, "s")]
    assert sources_embed("q", hits, page=2, pages=3, start=5).footer.text == "page 2/3"


def test_sources_embed_without_hits_says_nothing_matched():
    embed = sources_embed("@everyone", [], page=1, pages=1, start=0)
    assert embed.description == "No articles match this search. Try fewer or different words."
    assert pings_or_formats(embed.title.replace("“", "")) == []


@PROPERTY
@given(
    query=LONG_TEXT,
    hits=st.lists(st.tuples(TEXT, OPTIONAL, URLS, LONG_TEXT, st.text(max_size=60)), max_size=10),
)
def test_sources_embed_stays_within_every_limit(query, hits):
    found = [SourceHit(article(title=t, outlet=o, url=u, id=i), 1.0, s) for t, o, u, s, i in hits]
    assert_within_limits(sources_embed(query, found, page=1, pages=1, start=0))


def test_article_embed_links_title_and_lists_metadata():
    embed = article_embed(article())
    assert embed.url == "https://www.reuters.com/x"
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Outlet"] == "Reuters" and fields["Author"] == "Guy Faulconbridge"
    assert fields["ID"] == "`reuters-1`" and fields["Published"] == "2025-06-23"
    assert embed.description == "Lead sentence one. Lead two."


def test_article_embed_cuts_a_long_lead_at_a_sentence_boundary():
    body = " ".join(f"Sentence number {i} is here." for i in range(200))
    lead = article_embed(article(body=body)).description
    assert lead.endswith("is here. …") and len(lead) <= 1200


def test_article_embed_without_http_url_has_no_link():
    embed = article_embed(article(url="javascript:alert(1)"))
    assert embed.url is None
    assert "not a usable web link" in {f.name: f.value for f in embed.fields}["URL"]


@PROPERTY
@given(
    title=LONG_TEXT,
    body=LONG_TEXT,
    outlet=OPTIONAL,
    author=OPTIONAL,
    url=URLS,
    ident=st.text(max_size=300),
)
def test_article_embed_stays_within_every_limit(title, body, outlet, author, url, ident):
    a = article(title=title, body=body, outlet=outlet, author=author, url=url, id=ident)
    embed = article_embed(a)
    assert_within_limits(embed)


# --- corpus / reload / add / errors ----------------------------------------------------------


def stats(**kw) -> CorpusStats:
    base = dict(
        articles=5,
        outlets=(("Reuters", 3), ("CNA", 2)),
        earliest="2025-06-01",
        latest="2025-06-23",
        stories=3,
        last_reload="2025-06-23T10:00:00+00:00",
        can_rollback=True,
    )
    return CorpusStats(**{**base, **kw})


def test_corpus_embed_shows_counts_dates_reload_and_rollback():
    fields = {f.name: f.value for f in corpus_embed(stats()).fields}
    assert fields["Articles"] == "5" and fields["Stories"] == "3" and fields["Outlets"] == "2"
    assert fields["Dates"] == "2025-06-01 → 2025-06-23"
    assert fields["Last reload"] == "<t:1750672800:R>"
    assert fields["Rollback"] == "available"
    assert fields["Top outlets"] == "Reuters · 3\nCNA · 2"


def test_corpus_embed_with_500_outlets_lists_the_top_and_how_many_more():
    outlets = tuple((f"Outlet {i} " + "x" * 200, 500 - i) for i in range(500))
    embed = corpus_embed(stats(outlets=outlets, last_reload=None, earliest=None, latest=None))
    assert_within_limits(embed)
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Top outlets"].endswith("…and 488 more")
    assert fields["Last reload"] == "never" and fields["Dates"] == "undated"


def report_with_errors(count: int) -> IndexReport:
    errors = tuple(
        LoadError(f"corpus/{i}/@everyone_**{'deep/' * 40}file.md", "bad front matter " * 20)
        for i in range(count)
    )
    return IndexReport(added=3, updated=1, removed=0, unchanged=40, seconds=2.5, errors=errors)


def test_reload_embed_with_500_skipped_files_stays_within_limits():
    embed = reload_embed(report_with_errors(500))
    assert_within_limits(embed)
    assert "**Skipped 500 files:**" in embed.description
    assert re.search(r"…and \d+ more$", embed.description)


def test_reload_embed_escapes_skipped_paths_and_reasons():
    description = reload_embed(report_with_errors(1)).description
    assert "@everyone" not in description and "**{" not in description
    assert pings_or_formats(description.split(":**", 1)[1]) == []


def test_reload_embed_shows_counts_and_time():
    embed = reload_embed(IndexReport(added=2, updated=1, removed=3, unchanged=4, seconds=1.25))
    assert [(f.name, f.value) for f in embed.fields] == [
        ("Added", "2"),
        ("Updated", "1"),
        ("Removed", "3"),
        ("Unchanged", "4"),
    ]
    assert embed.description == "Took 1.2 s." and embed.title == "✅ Index reloaded"


def test_add_embed_lists_fetched_items_and_failures():
    report = AddReport(
        (AddedItem("https://x.org/a", "x-a", "corpus/x-a.md", "A title", "added"),),
        (AddFailure("https://bad.example", "HTTP 404"),),
        1.5,
    )
    embed = add_embed(report)
    assert embed.title == "📥 1 added · 0 updated · 0 unchanged · 1 failed"
    assert "🆕 added · [A title](https://x.org/a) · `x-a`" in embed.description
    assert "❌ https://bad.example: HTTP 404" in embed.description
    assert embed.colour == discord.Colour.orange() and embed.footer.text == "took 1.5 s"


def test_add_embed_with_500_items_and_failures_stays_within_limits():
    item = AddedItem("https://x.org/" + "a" * 200, "id", "p", "@everyone " * 30, "updated")
    failure = AddFailure("https://bad.example/" + "b" * 300, "reason " * 50)
    embed = add_embed(AddReport((item,) * 500, (failure,) * 500, 3.0))
    assert_within_limits(embed)
    assert embed.description.count("more") == 2
    assert "@everyone" not in embed.description


def test_add_embed_with_nothing_says_so():
    assert add_embed(AddReport((), (), 0.1)).description == "Nothing was fetched."


def test_error_text_is_prefixed_and_within_2000_characters():
    out = error_text("word " * 1000 + "@everyone")
    assert out.startswith("⚠️ ") and len(out) <= 2000 and out.endswith(ELLIPSIS)


def test_error_text_is_escaped():
    assert error_text("bad **id** @here") == "⚠️ bad \\*\\*id\\*\\* @\u200bhere"


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (0, 10, "⏳ embedding ▱▱▱▱▱▱▱▱▱▱▱▱ 0/10 (0%)"),
        (5, 10, "⏳ embedding ▰▰▰▰▰▰▱▱▱▱▱▱ 5/10 (50%)"),
        (15, 10, "⏳ embedding ▰▰▰▰▰▰▰▰▰▰▰▰ 10/10 (100%)"),
        (1500, 3000, "⏳ embedding ▰▰▰▰▰▰▱▱▱▱▱▱ 1,500/3,000 (50%)"),
        (0, 0, "⏳ embedding…"),
    ],
)
def test_reload_progress_text_shows_a_bar_and_the_count(done, total, expected):
    assert reload_progress_text(done, total, "embedding") == expected


@PROPERTY
@given(phase=LONG_TEXT, done=st.integers(-5, 10**9), total=st.integers(-5, 10**9))
def test_reload_progress_text_is_one_short_line(phase, done, total):
    out = reload_progress_text(done, total, phase)
    assert len(out) <= 2000 and "\n" not in out


SKIPPED = st.lists(st.tuples(LONG_TEXT, LONG_TEXT), max_size=40)
STATUSES = st.sampled_from(["added", "updated", "unchanged", "odd"])


@PROPERTY
@given(skipped=SKIPPED)
def test_reload_embed_stays_within_every_limit(skipped):
    report = IndexReport(errors=tuple(LoadError(p, r) for p, r in skipped))
    assert_within_limits(reload_embed(report))


@PROPERTY
@given(
    items=st.lists(
        st.tuples(st.one_of(TEXT, URLS.filter(bool)), TEXT, TEXT, STATUSES), max_size=30
    ),
    failures=SKIPPED,
)
def test_add_embed_stays_within_every_limit(items, failures):
    report = AddReport(
        tuple(AddedItem(u, i, "p", t, s) for u, i, t, s in items),
        tuple(AddFailure(u, r) for u, r in failures),
        0.5,
    )
    assert_within_limits(add_embed(report))
