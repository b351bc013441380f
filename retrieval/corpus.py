"""Loading and validating corpus files (DESIGN.md §2): one Markdown file per article."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from .types import Article, LoadError

log = logging.getLogger(__name__)

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_KNOWN = {"id", "title", "outlet", "url", "published", "author"}
_ID_CHARS = re.compile(r"[^a-z0-9-]+")
MAX_FILE_BYTES = 5 * 1024 * 1024
# Titles, outlets and authors are shown in every answer: longer ones are cut at load.
MAX_FIELD_CHARS = 300
# Characters that show nothing: spaces and separators, controls, format marks (U+200B).
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


class ArticleFormatError(ValueError):
    """A corpus file that breaks the format; the message says why."""


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    rel: str
    raw: bytes
    content_hash: str


def corpus_files(
    corpus_dir: Path, follow_links: bool = False
) -> tuple[list[Path], list[LoadError]]:
    """The article files under ``corpus_dir`` (``*.md``, hidden names skipped), and the names
    that cannot be used: not valid UTF-8, or a symbolic link leading outside the folder (unless
    ``follow_links``). Folder and file links follow the same rule; a file reached twice
    through links counts once."""
    root = corpus_dir.resolve()
    found: dict[Path, Path] = {}  # real path -> path under the corpus folder
    errors: list[LoadError] = []
    walked: set[Path] = set()

    def refuse(path: Path, reason: str) -> None:
        errors.append(LoadError(display_name(path, corpus_dir), reason))

    def walk(folder: Path) -> None:
        real = folder.resolve()
        if real in walked:
            return  # a link loop, or a folder reached twice
        walked.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            refuse(folder, f"unreadable folder: {exc.strerror or exc}")
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
                is_file = entry.is_file()
            except OSError:
                continue
            if not (is_dir or (is_file and entry.name.endswith(".md"))):
                continue
            if not _utf8(entry.name):
                refuse(path, "the file name is not valid UTF-8; rename it to index it")
                continue
            link = entry.is_symlink()
            if link and not follow_links:
                target = path.resolve()
                if not target.is_relative_to(root):
                    refuse(
                        path,
                        "a symbolic link to outside the corpus folder (not followed; set "
                        "WIRECHECK_CORPUS_FOLLOW_LINKS=true to follow links)",
                    )
                    continue
            if is_dir:
                walk(path)
            else:
                # Only a link needs resolving: a plain file's real path is its real folder's
                # (resolving each of thousands of files cost a reload ~0.1 s per 1,500).
                found.setdefault(path.resolve() if link else real / entry.name, path)

    walk(corpus_dir)
    return sorted(found.values()), errors


def display_name(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` as text that can always be printed and stored."""
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def visible(text: str) -> bool:
    """True when ``text`` shows at least one character (not only spaces, U+200B, controls)."""
    return any(unicodedata.category(c) not in _INVISIBLE for c in text)


def _field(value: object) -> str:
    """A one-line metadata field: controls removed, runs of space collapsed, capped."""
    text = "".join(" " if unicodedata.category(c) in _INVISIBLE else c for c in _scalar(value))
    text = " ".join(text.split())
    if not visible(text):
        return ""
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1].rstrip() + "…"


def read_corpus_file(path: Path, root: Path) -> CorpusFile:
    raw = path.read_bytes()
    return CorpusFile(path, path.relative_to(root).as_posix(), raw, hashlib.sha256(raw).hexdigest())


def parse_article(file: CorpusFile) -> Article:
    """Parse one file into an Article or raise ArticleFormatError with the reason."""
    if len(file.raw) > MAX_FILE_BYTES:
        raise ArticleFormatError(f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        text = file.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleFormatError(f"not valid UTF-8 (byte {exc.start})") from None
    text = text.replace("\r\n", "\n")
    m = _FRONT.match(text)
    if not m:
        raise ArticleFormatError("no front matter: the file must start with a '---' block")
    try:
        meta = yaml.load(m.group(1), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise ArticleFormatError(f"front matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise ArticleFormatError("front matter must be a mapping of keys to values")
    body = text[m.end() :].strip("\n").rstrip()
    if not body.strip():
        raise ArticleFormatError("article has no body text")
    if not visible(body):
        raise ArticleFormatError(
            "article body has no visible text (only spaces or invisible marks)"
        )
    title = _field(meta.get("title"))
    if not title:
        raise ArticleFormatError("missing 'title'")
    article_id = _scalar(meta.get("id")) or _id_from_path(file.rel)
    if len(article_id) > 200 or any(c.isspace() for c in article_id):
        raise ArticleFormatError(f"bad id {article_id!r}: no spaces, at most 200 characters")
    extra = tuple(sorted((str(k), _scalar(v)) for k, v in meta.items() if k not in _KNOWN))
    return Article(
        id=article_id,
        title=title,
        body=body,
        path=file.rel,
        content_hash=file.content_hash,
        outlet=_field(meta.get("outlet")) or None,
        published=_published(meta.get("published")),
        url=_scalar(meta.get("url")) or None,
        author=_field(meta.get("author")) or None,
        metadata=extra,
    )


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_scalar(v) for v in value)
    return str(value).strip()


def _id_from_path(rel: str) -> str:
    return _ID_CHARS.sub("-", rel.removesuffix(".md").lower()).strip("-")


def _published(value: object) -> str | None:
    """Normalise to ISO 8601; partial dates (2025-06) stay partial, datetimes keep their zone."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(-\d{2}){0,2}", text):
        return text
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ArticleFormatError(f"'published' is not an ISO date: {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.isoformat()


def parse_files(files: Iterable[CorpusFile]) -> tuple[list[Article], list[LoadError]]:
    """Parse files; broken ones and duplicate ids are reported by path and skipped."""
    articles: list[Article] = []
    errors: list[LoadError] = []
    seen: dict[str, str] = {}
    for file in files:
        try:
            article = parse_article(file)
        except ArticleFormatError as exc:
            errors.append(LoadError(file.rel, str(exc)))
            continue
        if article.id in seen:
            errors.append(
                LoadError(
                    file.rel, f"duplicate id {article.id!r} (already used by {seen[article.id]})"
                )
            )
            continue
        seen[article.id] = file.rel
        articles.append(article)
    for err in errors:
        log.warning("skipped %s", err)
    return articles, errors


def load_corpus(
    corpus_dir: Path, follow_links: bool = False
) -> tuple[list[Article], list[LoadError]]:
    """Load every article under ``corpus_dir``; the rest load when some files are broken."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus_dir}")
    files = []
    paths, errors = corpus_files(corpus_dir, follow_links)
    for path in paths:
        try:
            files.append(read_corpus_file(path, corpus_dir))
        except OSError as exc:
            errors.append(LoadError(display_name(path, corpus_dir), f"unreadable: {exc}"))
    articles, parse_errors = parse_files(files)
    return articles, errors + parse_errors
