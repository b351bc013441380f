"""The command line (DESIGN §3, §4) in-process: real MiniLM (cached) and a real Chroma store."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest
from helpers import REUTERS, SEED_IDS, WIRE_IDS, collapse, copy_seed_corpus

from bot.cli import main

pytestmark = pytest.mark.integration

ANSWER_KEYS = {"question", "status", "answer", "citations", "flags", "mode"}
CITATION_KEYS = {
    "n",
    "article_id",
    "title",
    "outlet",
    "published",
    "url",
    "quote",
    "also_reported_by",
}
INDEX_KEYS = {"added", "updated", "removed", "unchanged", "seconds"}


def _clean_env(mp: pytest.MonkeyPatch, cwd: Path) -> None:
    """No WIRECHECK_* variables and no wirecheck.toml may leak in from the outside."""
    for key in list(os.environ):
        if key.startswith("WIRECHECK_"):
            mp.delenv(key)
    mp.chdir(cwd)


@pytest.fixture(scope="module")
def cli_store(minilm, tmp_path_factory):
    """A seed corpus indexed once through `wirecheck index --json`; the first run's report."""
    base = tmp_path_factory.mktemp("cli")
    corpus = copy_seed_corpus(base / "corpus")
    store = base / "store"
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        _clean_env(mp, base)
        with contextlib.redirect_stdout(out):
            rc = main(["index", "--json", "--corpus", str(corpus), "--store", str(store)])
    assert rc == 0
    return corpus, store, json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    _clean_env(monkeypatch, tmp_path)


def run(capsys, *argv: str, corpus: Path, store: Path) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([*argv, "--corpus", str(corpus), "--store", str(store)])
    out, err = capsys.readouterr()
    return rc, out, err


def _json_lines(out: str) -> list:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _assert_answer_json(obj: dict) -> None:
    assert set(obj) >= ANSWER_KEYS, obj
    assert obj["status"] in {"answered", "not_in_sources"}
    assert obj["mode"] in {"extractive", "llm"}
    for i, c in enumerate(obj["citations"], 1):
        assert set(c) >= CITATION_KEYS, c
        assert c["n"] == i
        assert isinstance(c["also_reported_by"], list)
        assert c["quotes"] and c["quotes"][0] == c["quote"]
    # One number per article: an article quoted twice shares its number (DESIGN §4).
    assert len({c["article_id"] for c in obj["citations"]}) == len(obj["citations"])
    for f in obj["flags"]:
        assert {"kind", "text", "citations"} <= set(f)


def test_first_index_run_adds_the_seed_corpus(cli_store):
    _, _, report = cli_store
    assert set(report) >= INDEX_KEYS
    assert (report["added"], report["updated"], report["removed"]) == (5, 0, 0)


def test_second_index_run_reports_all_unchanged(capsys, cli_store):
    corpus, store, _ = cli_store
    rc, out, _err = run(capsys, "index", "--json", corpus=corpus, store=store)
    assert rc == 0
    (report,) = _json_lines(out)
    assert set(report) >= INDEX_KEYS
    assert (report["added"], report["updated"], report["removed"]) == (0, 0, 0)
    assert report["unchanged"] == 5
    assert isinstance(report["seconds"], int | float)


def test_ask_json_prints_exactly_one_answer_object(capsys, cli_store):
    corpus, store, _ = cli_store
    question = "What did Kremlin spokesman Peskov say Russia was ready to do for Tehran?"
    rc, out, _err = run(capsys, "ask", question, "--json", corpus=corpus, store=store)
    assert rc == 0
    assert len(out.strip().splitlines()) == 1
    obj = json.loads(out)
    assert isinstance(obj, dict)
    _assert_answer_json(obj)
    assert obj["question"] == question
    assert obj["status"] == "answered"
    quotes = [collapse(q) for c in obj["citations"] for q in c["quotes"]]
    assert any("It all depends on what Iran needs" in q for q in quotes)
    wire = [c for c in obj["citations"] if c["article_id"] in WIRE_IDS]
    assert wire and all(len(c["also_reported_by"]) == 2 for c in wire)


def test_ask_without_json_prints_readable_text_with_citations(capsys, cli_store):
    corpus, store, _ = cli_store
    rc, out, _err = run(
        capsys,
        "ask",
        "Which Iranian sites did the United States strike?",
        corpus=corpus,
        store=store,
    )
    assert rc == 0
    assert "Fordow" in out
    assert "[1]" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_ask_batch_prints_one_json_line_per_input_line_with_its_id(capsys, cli_store, tmp_path):
    corpus, store, _ = cli_store
    batch = tmp_path / "questions.jsonl"
    items = [
        {"id": "a1", "question": "Which Iranian sites did the United States strike?"},
        {"id": "b2", "question": "What is the current price of Bitcoin?"},
        {"id": "c3", "question": "   "},
    ]
    lines = [json.dumps(items[0]), json.dumps(items[1]), "{not json", json.dumps(items[2])]
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _rc, out, _err = run(capsys, "ask", "--batch", str(batch), "--json", corpus=corpus, store=store)
    rows = _json_lines(out)
    assert len(rows) == len(lines)
    assert [r.get("id") for r in rows[:2]] == ["a1", "b2"]
    _assert_answer_json(rows[0])
    _assert_answer_json(rows[1])
    assert rows[0]["status"] == "answered"
    assert rows[1]["status"] == "not_in_sources"
    assert "error" in rows[2] and rows[2]["error"]
    assert rows[3].get("id") == "c3" and rows[3].get("error")


def test_ask_batch_error_line_keeps_its_input_id(capsys, cli_store, tmp_path):
    corpus, store, _ = cli_store
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        json.dumps({"id": "q-no-question", "text": "oops"})
        + "\n"
        + json.dumps({"id": "q-number", "question": 42})
        + "\n",
        encoding="utf-8",
    )
    _rc, out, _err = run(capsys, "ask", "--batch", str(batch), "--json", corpus=corpus, store=store)
    rows = _json_lines(out)
    assert [r.get("id") for r in rows] == ["q-no-question", "q-number"]
    assert all(r.get("error") for r in rows)


def test_sources_json_lists_matching_articles(capsys, cli_store):
    corpus, store, _ = cli_store
    rc, out, _err = run(capsys, "sources", "Peskov", "--json", corpus=corpus, store=store)
    assert rc == 0
    hits = json.loads(out)
    assert isinstance(hits, list)
    assert {h["article_id"] for h in hits} == set(WIRE_IDS)


def test_sources_json_finds_variant_spellings(capsys, cli_store):
    corpus, store, _ = cli_store
    rc, out, _err = run(capsys, "sources", "Araghchi", "--json", corpus=corpus, store=store)
    assert rc == 0
    assert set(WIRE_IDS) <= {h["article_id"] for h in json.loads(out)}


def test_source_json_shows_one_article(capsys, cli_store):
    corpus, store, _ = cli_store
    rc, out, _err = run(capsys, "source", REUTERS, "--json", corpus=corpus, store=store)
    assert rc == 0
    obj = json.loads(out)
    assert obj["article_id"] == REUTERS
    assert obj["outlet"] == "Reuters"
    assert obj["published"] == "2025-06-23"
    assert "It all depends on what Iran needs" in obj["body"]


def test_unknown_source_id_exits_1_with_nothing_on_stdout(capsys, cli_store):
    corpus, store, _ = cli_store
    rc, out, err = run(capsys, "source", "no-such-article", "--json", corpus=corpus, store=store)
    assert rc == 1
    assert out.strip() == ""
    assert err.strip()


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_exits_2(capsys, cli_store, question):
    corpus, store, _ = cli_store
    rc, out, err = run(capsys, "ask", question, "--json", corpus=corpus, store=store)
    assert rc == 2
    assert out.strip() == ""
    assert err.strip()


def test_malformed_corpus_file_is_reported_on_stderr_and_answer_still_comes_out(
    capsys, cli_store, tmp_path
):
    _, store, _ = cli_store
    corpus = copy_seed_corpus(tmp_path / "corpus")
    (corpus / "late").mkdir()
    (corpus / "late" / "broken-file.md").write_text("no front matter\n", encoding="utf-8")
    rc, out, err = run(
        capsys,
        "ask",
        "Which Iranian sites did the United States strike?",
        "--json",
        corpus=corpus,
        store=store,
    )
    assert rc == 0
    assert "late/broken-file.md" in err
    obj = json.loads(out)
    _assert_answer_json(obj)
    assert obj["status"] == "answered"
    assert {c["article_id"] for c in obj["citations"]} <= SEED_IDS


def test_missing_corpus_folder_exits_nonzero(capsys, tmp_path):
    rc, out, err = run(capsys, "index", "--json", corpus=tmp_path / "nope", store=tmp_path / "s")
    assert rc != 0
    assert out.strip() == ""
    assert "nope" in err


CHECK_KEYS = {"claim", "verdict", "evidence"}
EVIDENCE_KEYS = {"n", "article_id", "outlet", "published", "url", "quote", "stance"}


def test_check_json_follows_the_claim_contract(capsys, cli_store):
    corpus, store, _ = cli_store
    claim = "Putin said there was no justification for the US attack on Iran."
    rc, out, _err = run(capsys, "check", claim, "--json", corpus=corpus, store=store)
    assert rc == 0
    (obj,) = _json_lines(out)
    assert set(obj) >= CHECK_KEYS
    assert obj["claim"] == claim
    assert obj["verdict"] == "supported"
    assert obj["evidence"]
    for i, e in enumerate(obj["evidence"], 1):
        assert set(e) >= EVIDENCE_KEYS
        assert e["n"] == i
        assert e["stance"] in {"supports", "refutes", "related"}


def test_check_batch_keeps_ids_and_reports_bad_lines(capsys, cli_store, tmp_path):
    corpus, store, _ = cli_store
    batch = tmp_path / "claims.jsonl"
    batch.write_text(
        '{"id": "c1", "claim": "Putin offered to mediate between Iran and Israel."}\n'
        "not json\n"
        '{"id": "c3", "claim": "Russia withdrew its support for Iran in June 2025."}\n',
        encoding="utf-8",
    )
    rc, out, _err = run(
        capsys, "check", "--batch", str(batch), "--json", corpus=corpus, store=store
    )
    lines = _json_lines(out)
    assert rc == 1
    assert [line.get("id") for line in lines] == ["c1", None, "c3"]
    assert lines[0]["verdict"] == "supported"
    assert "error" in lines[1]
    assert lines[2]["verdict"] == "contradicted"


def test_check_human_output_shows_the_verdict_at_a_glance(capsys, cli_store):
    corpus, store, _ = cli_store
    rc, out, _err = run(
        capsys,
        "check",
        "Russia withdrew its support for Iran in June 2025.",
        corpus=corpus,
        store=store,
    )
    assert rc == 0
    assert "❌ Contradicted" in out
    assert "(refutes)" in out


def test_check_of_several_sentences_lists_each_statement(capsys, cli_store):
    corpus, store, _ = cli_store
    claim = (
        "Putin said there was no justification for the US attack on Iran. "
        "Russia withdrew its support for Iran in June 2025."
    )
    rc, out, _err = run(capsys, "check", claim, corpus=corpus, store=store)
    assert rc == 0
    assert out.index("Statements:") < out.index("Evidence:")
    assert "1. ✅ Supported: Putin said there was no justification" in out
    assert "2. ❌ Contradicted: Russia withdrew its support for Iran in June 2025. [1]" in out
