"""Synthetic news corpora for the scale benchmark (bench/scale.py), made from real articles.

The synthetic corpus (``make_corpus``) is made from the source corpora (by default the three dev
sets) so that nothing is repeated verbatim: the indexer embeds every sentence and the engine
embeds a repeated text only once, so verbatim copies would make a big corpus look cheap. Output
article j is copy k = j // B of source article ``order[j % B]`` (B source articles, ``order`` a
seeded shuffle, so a small size still mixes every source). Each copy gets a new id and file name,
a URL with that id in its path, its date moved 1-5 days, an outlet drawn from the sources'
outlets, and its paragraphs rotated by k + 1. In every sentence and in the title, about 15 % of
the words of four or more letters (at least one, spread evenly over the sentence) are replaced by
words drawn uniformly from the sources' vocabulary, keeping their case; about 30 % of the numbers
move by 1-9 (all of them in a sentence with no such word). The units perturbed are the indexer's
own (``split_sentences``, long sentences cut), and words next to a dot are left alone, so the
splitter cuts a copy where it cut its source. A unit that comes out equal to any source unit or
any unit already written is drawn again with more replacements (a bare "2015" gets a word in
front), and each copy is split again as written and drawn again on a clash, so the synthetic
corpus holds no sentence or title twice. Everything follows from ``seed``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from retrieval.corpus import load_corpus  # noqa: E402
from retrieval.passages import split_sentences  # noqa: E402
from retrieval.text import paragraph_spans  # noqa: E402
from retrieval.types import Article  # noqa: E402

log = logging.getLogger("synthetic")

REPLACE_SHARE = 0.15
NUMBER_SHARE = 0.3
MAX_SHIFT_DAYS = 5
MAX_DRAWS = 8
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"\d+")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class _Sentence:
    text: str
    words: tuple[tuple[int, int], ...]  # replaceable: 4+ letters, not next to a dot
    short: tuple[tuple[int, int], ...]  # shorter words not next to a dot (a last resort)
    numbers: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class _Base:
    article: Article
    title: _Sentence
    # Per paragraph: (whitespace before, sentence) pairs.
    paragraphs: tuple[tuple[tuple[str, _Sentence], ...], ...]


@dataclass(frozen=True)
class _Context:
    seed: int
    vocab: list[str]
    outlets: list[str]
    seen: set[bytes]  # every title and sentence so far, sources included (8-byte digests)


def _sentence(text: str) -> _Sentence:
    words, short = [], []
    for m in _WORD.finditer(text):
        start, end = m.span()
        if text[end : end + 1] == "." or text[start - 1 : start] == ".":
            continue  # "Sept.", "Mr.", "reuters.com": the splitter reads these
        (words if end - start >= 4 else short).append((start, end))
    numbers = tuple(m.span() for m in _NUMBER.finditer(text))
    return _Sentence(text, tuple(words), tuple(short), numbers)


def _base(article: Article) -> _Base:
    # The indexer's own units, long sentences already cut: each cut piece gets its own changes.
    units = iter(split_sentences(article))
    unit = next(units, None)
    paragraphs = []
    for p_start, p_end in paragraph_spans(article.body):
        pieces, pos = [], p_start
        while unit is not None and unit.start < p_end:
            text = article.body[unit.start : unit.end]
            pieces.append((article.body[pos : unit.start], _sentence(text)))
            pos = unit.end
            unit = next(units, None)
        paragraphs.append(tuple(pieces))
    return _Base(article, _sentence(article.title), tuple(paragraphs))


def _sentences(base: _Base) -> list[_Sentence]:
    return [base.title] + [s for para in base.paragraphs for _, s in para]


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


def _swap_word(word: str, rng: random.Random, vocab: list[str]) -> str:
    new = low = word.lower()
    while new == low:
        new = vocab[rng.randrange(len(vocab))]
    if len(word) > 1 and word.isupper():
        return new.upper()
    return new.capitalize() if word[0].isupper() else new


def _perturb(s: _Sentence, rng: random.Random, vocab: list[str], extra: int) -> str:
    edits: dict[int, tuple[int, str]] = {}
    pool = s.words or s.short
    if pool:
        m = min(len(pool), max(1, round(REPLACE_SHARE * len(pool))) + extra)
        for g in range(m):  # one word from each of m equal stretches: no long run stays intact
            start, end = pool[rng.randrange(g * len(pool) // m, (g + 1) * len(pool) // m)]
            edits[start] = (end, _swap_word(s.text[start:end], rng, vocab))
    for start, end in s.numbers:
        if not pool or rng.random() < NUMBER_SHARE:
            digits = s.text[start:end]
            edits[start] = (end, str(int(digits) + rng.randint(1, 9)).zfill(len(digits)))
    if not edits:  # neither words nor numbers ("***"): a capitalised word keeps the cut before
        return vocab[rng.randrange(len(vocab))].capitalize() + " " + s.text
    out, pos = [], 0
    for start in sorted(edits):
        end, new = edits[start]
        out += (s.text[pos:start], new)
        pos = end
    out.append(s.text[pos:])
    return "".join(out)


def _unique(s: _Sentence, rng: random.Random, ctx: _Context, mine: set[bytes]) -> str:
    """A perturbed ``s`` that is neither in ``ctx.seen`` nor in ``mine`` (this copy's so far)."""

    def new(text: str) -> bool:
        return _key(text) not in ctx.seen and _key(text) not in mine

    for extra in range(MAX_DRAWS):
        text = _perturb(s, rng, ctx.vocab, extra)
        if new(text):
            break
    else:  # too little to vary ("2015" or "6." alone): words go in front until the text is new
        while not new(text):
            text = ctx.vocab[rng.randrange(len(ctx.vocab))].capitalize() + " " + text
    mine.add(_key(text))
    return text


def _shift_date(published: str | None, days: int) -> str:
    if not published:
        return ""
    delta = dt.timedelta(days=days)
    try:
        if "T" in published:
            return (dt.datetime.fromisoformat(published) + delta).isoformat()
        if len(published) == 10:
            return (dt.date.fromisoformat(published) + delta).isoformat()
    except ValueError:
        pass
    return published  # a partial date ("2025-06") stays as it is


def _copy_url(url: str | None, article_id: str) -> str:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        path = parts.path.rstrip("/") + "/" + article_id
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return f"https://scale.example/{article_id}"


def _draw(base: _Base, k: int, rng: random.Random, ctx: _Context) -> tuple[str, str]:
    """A perturbed title and body for copy ``k`` of ``base``."""
    mine: set[bytes] = set()
    paragraphs = [
        "".join(gap + _unique(s, rng, ctx, mine) for gap, s in para) for para in base.paragraphs
    ]
    turn = (k + 1) % len(paragraphs)
    body = "\n\n".join(paragraphs[turn:] + paragraphs[:turn])
    return _unique(base.title, rng, ctx, mine), body


def _render(j: int, k: int, base: _Base, ctx: _Context) -> tuple[str, str]:
    """The id and file text of output article ``j``, copy ``k`` of ``base``."""
    rng = random.Random(f"{ctx.seed}:{j}")
    a = base.article
    article_id = f"syn{j:06d}-" + re.sub(r"[^a-z0-9]+", "-", a.id.lower()).strip("-")[:60]
    # Checked as the indexer will cut it: a long sentence's cut can move and leave a fragment
    # ("Wyoming" at the end of a list of states) that some source also holds.
    for _ in range(MAX_DRAWS):
        title, body = _draw(base, k, rng, ctx)
        copy = Article(id=article_id, title=title, body=body, path="", content_hash="")
        keys = [_key(title)] + [_key(body[u.start : u.end]) for u in split_sentences(copy)]
        if len(set(keys)) == len(keys) and ctx.seen.isdisjoint(keys):
            break
    ctx.seen.update(keys)
    meta = {
        "id": article_id,
        "title": title,
        "outlet": ctx.outlets[rng.randrange(len(ctx.outlets))],
        "url": _copy_url(a.url, article_id),
        "published": _shift_date(a.published, rng.randint(1, MAX_SHIFT_DAYS)),
        "author": a.author or "",
    }
    meta = {key: value for key, value in meta.items() if value}
    front = yaml.dump(meta, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=1_000_000)
    return article_id, f"---\n{front}---\n{body}\n"


def make_corpus(sources: list[Path], out: Path, n: int, seed: int = 7) -> int:
    """Write ``n`` perturbed copies of the articles under ``sources`` into the empty folder
    ``out`` (corpus format, one file each); returns how many were written."""
    articles: list[Article] = []
    for folder in sources:
        found, errors = load_corpus(folder)
        if errors:
            log.warning("%s: %d files skipped", folder, len(errors))
        articles += found
    if not articles:
        raise ValueError("no articles in the source folders")
    out.mkdir(parents=True, exist_ok=True)
    if any(out.glob("*.md")):
        raise FileExistsError(f"{out} already holds articles")
    bases = [_base(a) for a in articles]
    seen: set[bytes] = set()
    words: set[str] = set()
    for base in bases:
        for s in _sentences(base):
            seen.add(_key(s.text))
            words.update(s.text[start:end].lower() for start, end in s.words)
    vocab = sorted(words)
    if len(vocab) < 2:
        raise ValueError("the sources have too few words to perturb")
    outlets = sorted({a.outlet for a in articles if a.outlet}) or ["Scale Wire"]
    order = list(range(len(bases)))
    random.Random(seed).shuffle(order)
    ctx = _Context(seed, vocab, outlets, seen)
    for j in range(n):
        k, i = divmod(j, len(order))
        article_id, text = _render(j, k, bases[order[i]], ctx)
        (out / f"{article_id}.md").write_text(text, encoding="utf-8")
    return n


def make_questions(articles: list[Article], n: int) -> list[str]:
    """``n`` questions about evenly spaced articles (see the module docstring)."""
    step = max(1, len(articles) // n)
    picked = articles[::step][:n]
    out = [f"What happened with {a.title.rstrip('.?!… ')}?" for a in picked]
    if len(out) < n:
        out += [" ".join(a.lead.split()[:10]).rstrip(".,;:?!") + "?" for a in picked]
    return [out[i % len(out)] for i in range(n)]
