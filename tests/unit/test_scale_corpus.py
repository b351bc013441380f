"""The scale benchmark's synthetic corpus (bench/synthetic.py): loadable, unique, never verbatim."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from retrieval import load_corpus
from retrieval.passages import split_sentences

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "corpus"
COPIES = 3


def _load_synthetic():
    path = ROOT / "bench" / "synthetic.py"
    spec = importlib.util.spec_from_file_location("bench_synthetic", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


synthetic = _load_synthetic()


def _sentences(articles) -> list[str]:
    return [a.body[s.start : s.end] for a in articles for s in split_sentences(a)]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.md"))}


@pytest.fixture(scope="module")
def seed_articles():
    articles, errors = load_corpus(SEED)
    assert articles and not errors
    return articles


@pytest.fixture(scope="module")
def generated(tmp_path_factory, seed_articles) -> Path:
    out = tmp_path_factory.mktemp("scale") / "corpus"
    written = synthetic.make_corpus([SEED], out, COPIES * len(seed_articles))
    assert written == COPIES * len(seed_articles)
    return out


def test_every_generated_file_loads_without_errors(generated, seed_articles):
    articles, errors = load_corpus(generated)
    assert errors == []
    assert len(articles) == len(list(generated.glob("*.md"))) == COPIES * len(seed_articles)


def test_ids_and_urls_are_unique(generated):
    articles, _ = load_corpus(generated)
    assert len({a.id for a in articles}) == len(articles)
    assert len({a.url for a in articles}) == len(articles)
    assert all(a.url for a in articles)


def test_no_generated_sentence_repeats_a_source_sentence(generated, seed_articles):
    articles, _ = load_corpus(generated)
    assert not set(_sentences(articles)) & set(_sentences(seed_articles))


def test_no_sentence_appears_twice_in_the_generated_corpus(generated):
    sentences = _sentences(load_corpus(generated)[0])
    assert len(set(sentences)) == len(sentences)


def test_titles_differ_from_the_sources_and_from_each_other(generated, seed_articles):
    titles = [a.title for a in load_corpus(generated)[0]]
    assert len(set(titles)) == len(titles)
    assert not set(titles) & {a.title for a in seed_articles}


def test_metadata_stays_close_to_the_source(generated, seed_articles):
    articles, _ = load_corpus(generated)
    outlets = {a.outlet for a in seed_articles}
    assert {a.outlet for a in articles} <= outlets
    assert all(a.published for a in articles)


def test_same_seed_gives_identical_files(generated, tmp_path, seed_articles):
    again = tmp_path / "again"
    synthetic.make_corpus([SEED], again, COPIES * len(seed_articles))
    assert _files(again) == _files(generated)


def test_other_seed_gives_other_text(generated, tmp_path, seed_articles):
    other = tmp_path / "other"
    synthetic.make_corpus([SEED], other, COPIES * len(seed_articles), seed=8)
    assert set(_files(other).values()).isdisjoint(_files(generated).values())


def test_refuses_a_folder_that_already_holds_articles(generated):
    with pytest.raises(FileExistsError):
        synthetic.make_corpus([SEED], generated, 1)
