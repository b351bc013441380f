"""Corpus loading (DESIGN §2): fields, dates, and broken files reported by path and skipped."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from helpers import REUTERS, SEED_IDS, YAHOO

from retrieval import load_corpus
from retrieval.corpus import MAX_FIELD_CHARS


def _write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _article(
    id_: str | None = "good",
    title: str = "A good article",
    published: str = "2025-06-23",
    body: str = "First paragraph of the body.\n\nSecond paragraph.",
) -> str:
    lines = ["---"]
    if id_ is not None:
        lines.append(f"id: {id_}")
    lines += [
        f'title: "{title}"',
        "outlet: Example",
        f"published: {published}",
        "---",
        "",
        body,
        "",
    ]
    return "\n".join(lines)


def test_seed_corpus_loads_every_article_without_errors(seed_corpus):
    articles, errors = load_corpus(seed_corpus)
    assert errors == []
    assert {a.id for a in articles} == SEED_IDS


def test_front_matter_fields_are_parsed(seed_corpus):
    articles = {a.id: a for a in load_corpus(seed_corpus)[0]}
    reuters = articles[REUTERS]
    assert (
        reuters.title
        == "Putin tells Iranian foreign minister there was no justification for US attack"
    )
    assert reuters.outlet == "Reuters"
    assert reuters.published == "2025-06-23"
    assert reuters.url is None
    assert reuters.path == f"{REUTERS}.md"
    assert reuters.body.startswith("MOSCOW, June 23 (Reuters)")
    assert "---" not in reuters.body[:10] and "title:" not in reuters.body
    assert reuters.content_hash


def test_unknown_front_matter_keys_are_kept_as_metadata(seed_corpus):
    yahoo = {a.id: a for a in load_corpus(seed_corpus)[0]}[YAHOO]
    assert dict(yahoo.metadata).get("kind") == "fact-check"


def test_quoted_and_bare_values_parse_alike(tmp_path):
    _write(
        tmp_path,
        "q.md",
        '---\nid: "same-a"\ntitle: "Bare or quoted"\noutlet: "Reuters"\n---\nBody.\n',
    )
    _write(
        tmp_path, "b.md", "---\nid: same-b\ntitle: Bare or quoted\noutlet: Reuters\n---\nBody.\n"
    )
    articles, errors = load_corpus(tmp_path)
    assert errors == []
    by_id = {a.id: a for a in articles}
    assert (by_id["same-a"].title, by_id["same-a"].outlet) == (
        by_id["same-b"].title,
        by_id["same-b"].outlet,
    )


@pytest.mark.parametrize(
    ("raw", "expected_instant"),
    [
        ("2025-06-23T10:30:00", dt.datetime(2025, 6, 23, 10, 30, tzinfo=dt.UTC)),
        ("2025-06-23T10:30:00+03:00", dt.datetime(2025, 6, 23, 7, 30, tzinfo=dt.UTC)),
        ('"2025-06-23T10:30:00Z"', dt.datetime(2025, 6, 23, 10, 30, tzinfo=dt.UTC)),
        ("2025-06-23 10:30:00", dt.datetime(2025, 6, 23, 10, 30, tzinfo=dt.UTC)),
    ],
)
def test_published_datetime_becomes_timezone_aware_iso(tmp_path, raw, expected_instant):
    _write(tmp_path, "a.md", _article(published=raw))
    (article,), errors = load_corpus(tmp_path)
    assert errors == []
    parsed = dt.datetime.fromisoformat(article.published)
    assert parsed.tzinfo is not None
    assert parsed == expected_instant


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-06-23", "2025-06-23"),
        ('"2025-06-23"', "2025-06-23"),
        ("2025-06", "2025-06"),
        ('"2025-06"', "2025-06"),
        ("2025", "2025"),
    ],
)
def test_published_dates_and_partial_dates_are_kept_as_iso(tmp_path, raw, expected):
    _write(tmp_path, "a.md", _article(published=raw))
    (article,), errors = load_corpus(tmp_path)
    assert errors == []
    assert article.published == expected


def test_published_is_optional(tmp_path):
    _write(tmp_path, "a.md", "---\nid: a\ntitle: No date\n---\nBody text.\n")
    (article,), errors = load_corpus(tmp_path)
    assert errors == []
    assert article.published is None


BAD_FILES = {
    "broken_yaml": _article().replace('title: "A good article"', 'title: "unterminated\n  : [x'),
    "no_front_matter": "Just a body with no front matter at all.\n",
    "unclosed_front_matter": "---\nid: open\ntitle: Never closed\n\nBody.\n",
    "empty_body": "---\nid: empty\ntitle: Nothing below\n---\n\n   \n",
    "missing_title": "---\nid: untitled\noutlet: Reuters\n---\nBody text here.\n",
    "front_matter_not_a_mapping": "---\n- just\n- a list\n---\nBody text.\n",
    "invalid_utf8": _article(id_="latin1").encode("utf-8") + b"caf\xe9 \xff\xfe broken bytes\n",
    "unparseable_published": _article(id_="bad-date", published='"next Tuesday"'),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_file_is_reported_by_path_and_reason_and_the_rest_load(tmp_path, kind):
    _write(tmp_path, "good.md", _article())
    _write(tmp_path, "sub/bad.md", BAD_FILES[kind])
    articles, errors = load_corpus(tmp_path)
    assert [a.id for a in articles] == ["good"]
    assert len(errors) == 1
    assert errors[0].path == "sub/bad.md"
    assert errors[0].reason.strip()


def test_duplicate_id_is_reported_and_first_file_wins(tmp_path):
    _write(tmp_path, "a.md", _article(id_="dup", title="First"))
    _write(tmp_path, "b.md", _article(id_="dup", title="Second"))
    _write(tmp_path, "c.md", _article(id_="other"))
    articles, errors = load_corpus(tmp_path)
    assert sorted(a.id for a in articles) == ["dup", "other"]
    assert [e.path for e in errors] == ["b.md"]
    assert "dup" in errors[0].reason
    assert next(a for a in articles if a.id == "dup").path == "a.md"


def test_id_is_derived_from_path_when_missing(tmp_path):
    _write(tmp_path, "World News/Putin Meets FM.md", _article(id_=None))
    _write(tmp_path, "other.md", _article(id_=None))
    articles, errors = load_corpus(tmp_path)
    assert errors == []
    ids = {a.path: a.id for a in articles}
    assert len(set(ids.values())) == 2
    derived = ids["World News/Putin Meets FM.md"]
    assert re.fullmatch(r"[a-z0-9-]+", derived)
    assert "putin-meets-fm" in derived


@pytest.mark.parametrize(
    "raw",
    [
        _article().replace("\n", "\r\n").encode("utf-8"),
        b"\xef\xbb\xbf" + _article().encode("utf-8"),
    ],
    ids=["crlf", "bom"],
)
def test_crlf_and_bom_files_load(tmp_path, raw):
    _write(tmp_path, "a.md", raw)
    (article,), errors = load_corpus(tmp_path)
    assert errors == []
    assert article.title == "A good article"
    assert "\r" not in article.body
    assert article.body.startswith("First paragraph")


def test_missing_corpus_folder_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_corpus(tmp_path / "nope")


# --- hostile names, links and fields -------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_reported_and_the_rest_load(tmp_path):
    _write(tmp_path, "good.md", _article())
    with open(os.path.join(os.fsencode(tmp_path), b"bad-\xff\xfe.md"), "wb") as fh:
        fh.write(_article("other").encode())
    articles, errors = load_corpus(tmp_path)
    assert [a.id for a in articles] == ["good"]
    [error] = errors
    assert error.path == "bad-\\xff\\xfe.md" and "not valid UTF-8" in error.reason
    error.path.encode("utf-8")  # printable and storable


def test_links_out_of_the_corpus_folder_are_skipped_files_and_folders_alike(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    _write(corpus, "good.md", _article())
    _write(outside, "secret.md", _article("secret", title="Outside"))
    _write(outside, "deep/more.md", _article("more", title="Outside too"))
    os.symlink(outside / "secret.md", corpus / "linked.md")
    os.symlink(outside / "deep", corpus / "linked-folder")
    articles, errors = load_corpus(corpus)
    assert [a.id for a in articles] == ["good"]
    assert sorted(e.path for e in errors) == ["linked-folder", "linked.md"]
    assert all("symbolic link to outside the corpus folder" in e.reason for e in errors)
    # Allowed by the setting: both are followed.
    articles, errors = load_corpus(corpus, follow_links=True)
    assert sorted(a.id for a in articles) == ["good", "more", "secret"] and not errors


def test_a_link_inside_the_corpus_folder_counts_its_file_once(tmp_path):
    _write(tmp_path, "a/good.md", _article())
    os.symlink(tmp_path / "a" / "good.md", tmp_path / "alias.md")
    os.symlink(tmp_path / "a", tmp_path / "b")
    articles, errors = load_corpus(tmp_path)
    assert [a.id for a in articles] == ["good"] and not errors


def test_a_link_loop_ends(tmp_path):
    _write(tmp_path, "good.md", _article())
    os.symlink(tmp_path, tmp_path / "loop")
    articles, _ = load_corpus(tmp_path, follow_links=True)
    assert [a.id for a in articles] == ["good"]


def test_titles_outlets_and_authors_are_capped_and_stripped_of_controls(tmp_path):
    long_title = "Putin " + "very " * 100_000 + "long"
    _write(
        tmp_path,
        "long.md",
        f'---\ntitle: "{long_title}"\noutlet: "Wire\\e]0;x\\a Desk"\nauthor: "{"A" * 1000}"\n'
        "---\n\nBody text.\n",
    )
    [article], errors = load_corpus(tmp_path)
    assert not errors
    assert len(article.title) == MAX_FIELD_CHARS and article.title.endswith("…")
    assert article.outlet == "Wire ]0;x Desk"  # controls become spaces, runs collapse
    assert len(article.author) == MAX_FIELD_CHARS


@pytest.mark.parametrize("body", ["\u200b\u200b", "\u3000 \u200b\n\n\u2060", "\u00a0\ufeff"])
def test_a_body_of_invisible_characters_is_not_an_article(tmp_path, body):
    _write(tmp_path, "blank.md", _article(body=body))
    articles, [error] = load_corpus(tmp_path)
    assert articles == [] and "no visible text" in error.reason
