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


# Nouns in WordNet 3.0's format: "murder" and "manslaughter" are kinds of "homicide" (@),
# itself a kind of "crime"; "slaying" is a second word of murder's synset, whose first sense
# is another synset; "Chicago" is written as a name.
_NOUN = """\
00010 04 n 01 crime 0 000 | an evil act
00011 04 n 01 homicide 0 001 @ 00010 n 0000 | the killing of a human being
00012 04 n 02 murder 0 slaying 0 001 @ 00011 n 0000 | unlawful premeditated killing
00013 04 n 01 manslaughter 0 001 @ 00011 n 0000 | unlawful killing without malice
00014 04 n 01 slaying 0 001 @ 00011 n 0000 | a killing in battle
00015 04 n 02 stop 0 Chicago 0 000 | a card game
"""
_NOUN_INDEX = """\
  1 This software and database is being provided to you, the LICENSEE, by
crime n 1 0 1 0 00010
homicide n 1 1 @ 1 0 00011
murder n 1 1 @ 1 0 00012
manslaughter n 1 1 @ 1 0 00013
slaying n 2 1 @ 2 0 00014 00012
stop n 1 0 1 0 00015
"""


def _nouns_only(tmp_path):
    (tmp_path / "data.noun").write_text(_NOUN, encoding="latin-1")
    (tmp_path / "index.noun").write_text(_NOUN_INDEX, encoding="latin-1")
    for name in ("verb", "adj", "adv"):
        (tmp_path / f"data.{name}").write_text("", encoding="latin-1")
        (tmp_path / f"index.{name}").write_text("", encoding="latin-1")


def test_synonym_sets_join_lower_case_words_in_their_frequent_senses(tmp_path):
    _nouns_only(tmp_path)
    module = _load()
    # "slaying" has murder's synset as its second sense; "Chicago" is a name
    assert module.synonym_sets(tmp_path, str) == ["murder slaying"]
    module.SYNONYM_SENSES = 1
    assert module.synonym_sets(tmp_path, str) == []


def test_noun_kinds_list_first_senses_then_what_each_sense_is_a_kind_of(tmp_path):
    _nouns_only(tmp_path)
    rows = _load().noun_kinds(tmp_path)
    lemmas = dict(r.split() for r in rows if not r[0].isdigit())
    kinds = dict(r.split() for r in rows if r[0].isdigit())
    # "slaying" is read in its first sense; a noun that is a kind of nothing has no line
    assert lemmas == {"homicide": "11", "manslaughter": "13", "murder": "12", "slaying": "14"}
    assert kinds == {"11": "10", "12": "11", "13": "11", "14": "11"}


def test_the_shipped_synonyms_and_noun_kinds_carry_the_licence():
    for name in ("synonyms.txt", "noun_kinds.txt"):
        lines = (ROOT / "retrieval" / name).read_text(encoding="utf-8").splitlines()
        assert any("Princeton University" in line for line in lines if line.startswith("#"))
        assert len([line for line in lines if line and not line.startswith("#")]) > 10_000
