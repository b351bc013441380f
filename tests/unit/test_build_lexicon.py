"""bench/build_lexicon.py reads WordNet's data files into the word lists the checker ships."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Three synsets in WordNet 3.0's format: "include" has a lexical antonym pointer (!) to its
# first word's sense in "exclude"; "admit" shares the synset of "include" with no antonym of
# its own; a satellite adjective (type "s") points to an adjective.
_VERB = """\
  1 This software and database is being provided to you, the LICENSEE, by
00001 41 v 02 include 0 admit 0 001 ! 00002 v 0101 | have as a part
00002 41 v 01 exclude 0 001 ! 00001 v 0101 | prevent from being included
"""
_ADJ = """\
00003 00 s 01 voluntary 0 001 ! 00004 a 0101 | of your own free will
00004 00 a 01 involuntary 0 001 ! 00003 s 0101 | not subject to control
00005 00 a 01 galore(ip) 0 000 | in great numbers
"""


def _load():
    spec = importlib.util.spec_from_file_location(
        "build_lexicon", ROOT / "bench" / "build_lexicon.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lexical_antonym_pointers_become_word_pairs(tmp_path):
    (tmp_path / "data.verb").write_text(_VERB, encoding="latin-1")
    (tmp_path / "data.adj").write_text(_ADJ, encoding="latin-1")
    for name in ("noun", "adv"):
        (tmp_path / f"data.{name}").write_text("", encoding="latin-1")
    pairs = _load().antonym_pairs(tmp_path)
    # the pointer names its source word: "admit" shares the synset but is no antonym
    assert pairs == [("exclude", "include"), ("involuntary", "voluntary")]


def test_common_words_are_the_ones_written_in_lower_case(tmp_path):
    (tmp_path / "data.noun").write_text(
        "00006 18 n 02 Trump 0 trump 1 000 | a card\n00007 18 n 01 Putin 0 000 | a person\n",
        encoding="latin-1",
    )
    for name in ("verb", "adj", "adv"):
        (tmp_path / f"data.{name}").write_text(_ADJ if name == "adj" else "", encoding="latin-1")
    assert _load().lower_case_words(tmp_path) == {"trump", "voluntary", "involuntary", "galore"}


def test_the_shipped_common_words_are_stems_with_the_licence():
    lines = (ROOT / "retrieval" / "common_words.txt").read_text(encoding="utf-8").splitlines()
    assert any("Princeton University" in line for line in lines if line.startswith("#"))
    stems = {line for line in lines if line and not line.startswith("#")}
    assert {"offici", "trump", "appl"} <= stems and len(stems) > 30_000
    assert "peskov" not in stems and "putin" not in stems


def test_the_shipped_list_carries_the_licence_and_pairs():
    lines = (ROOT / "retrieval" / "antonyms.txt").read_text(encoding="utf-8").splitlines()
    assert any("Princeton University" in line for line in lines if line.startswith("#"))
    pairs = [line.split() for line in lines if line and not line.startswith("#")]
    assert len(pairs) > 1000 and all(len(p) == 2 and p[0] < p[1] for p in pairs)
    assert ["decrease", "increase"] in pairs
