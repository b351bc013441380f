"""Adding fetched articles, or a feed's new items, to the corpus as DESIGN §2 files.

Each article gets one file whose id comes only from its canonical URL, so adding it again (through
a tracking link, a redirect or its feed) finds the same file: unchanged content is left alone,
changed content rewrites the file in place. Files are written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import yaml

from .corpus import ArticleFormatError, CorpusFile, load_corpus, parse_article
from .extract import ExtractedArticle, ExtractError, canonical_url, extract_article, feed_links
from .fetch import ARTICLE, FEED, Fetcher, FetchError
from .settings import Settings
from .types import Article

log = logging.getLogger(__name__)

AddStatus = Literal["added", "updated", "unchanged"]
Progress = Callable[[int, int], None]
_STATUSES: tuple[AddStatus, ...] = ("added", "updated", "unchanged")
_COMPARED = ("title", "body", "outlet", "published", "author")


@dataclass(frozen=True)
class AddedItem:
    url: str  # as given (or as the feed listed it)
    article_id: str
    path: str
    title: str
    status: AddStatus


@dataclass(frozen=True)
class AddFailure:
    url: str
    reason: str


@dataclass(frozen=True)
class AddReport:
    items: tuple[AddedItem, ...]
    failures: tuple[AddFailure, ...]
    seconds: float

    def count(self, status: AddStatus) -> int:
        return sum(item.status == status for item in self.items)

    def to_json(self) -> dict[str, Any]:
        counts: dict[str, Any] = {status: self.count(status) for status in _STATUSES}
        return counts | {
            "failed": len(self.failures),
            "items": [asdict(item) for item in self.items],
            "failures": [asdict(failure) for failure in self.failures],
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(s)} {s}" for s in _STATUSES)
        return f"{counts}, {len(self.failures)} failed in {self.seconds:.1f} s"


class AddError(Exception):
    """An article that was fetched and extracted but cannot be written; the message says why."""


def add_urls(
    settings: Settings,
    urls: Iterable[str],
    *,
    feed: bool = False,
    progress: Progress | None = None,
) -> AddReport:
    """Fetch each URL (or, with ``feed``, each feed's new items) into ``settings.corpus_dir``.

    A failing URL is reported in the result and never stops the others.
    """
    started = time.monotonic()
    corpus = CorpusIndex.load(settings.corpus_dir)
    items: list[AddedItem] = []
    failures: list[AddFailure] = []
    with Fetcher(settings) as fetcher:
        targets = list(urls)
        if feed:
            targets, items, failures = _expand_feeds(fetcher, corpus, targets)
        added, failed = add_articles(fetcher, corpus, targets, progress)
        items += added
        failures += failed
    for failure in failures:
        log.warning("could not add %s: %s", failure.url, failure.reason)
    report = AddReport(tuple(items), tuple(failures), time.monotonic() - started)
    log.info("add: %s", report.summary())
    return report


def add_articles(
    fetcher: Fetcher,
    corpus: CorpusIndex,
    urls: Sequence[str],
    progress: Progress | None = None,
) -> tuple[list[AddedItem], list[AddFailure]]:
    """Fetch each article page into the corpus; one failing URL never stops the others."""
    items: list[AddedItem] = []
    failures: list[AddFailure] = []
    for done, url in enumerate(urls, 1):
        try:
            items.append(_add_article(fetcher, corpus, url))
        except (FetchError, ExtractError, AddError) as exc:
            failures.append(AddFailure(url, str(exc)))
        except Exception as exc:  # one broken page must not stop the batch
            log.exception("adding %s failed unexpectedly", url)
            failures.append(AddFailure(url, f"unexpected error: {type(exc).__name__}: {exc}"))
        if progress is not None:
            progress(done, len(urls))
    return items, failures


def _expand_feeds(
    fetcher: Fetcher, corpus: CorpusIndex, feeds: list[str]
) -> tuple[list[str], list[AddedItem], list[AddFailure]]:
    """Item links still to fetch; items already in the corpus are reported without fetching."""
    targets: list[str] = []
    known: list[AddedItem] = []
    failures: list[AddFailure] = []
    seen: set[str] = set()
    for feed_url in feeds:
        try:
            fetched = fetcher.fetch(feed_url, FEED)
            links = feed_links(fetched.body, fetched.url)
        except (FetchError, ExtractError) as exc:
            failures.append(AddFailure(feed_url, str(exc)))
            continue
        log.info("feed %s lists %d items", feed_url, len(links))
        for link in links:
            if link in seen:
                continue
            seen.add(link)
            article = corpus.by_url(link)
            if article is not None:
                known.append(corpus.item(link, article, "unchanged"))
            else:
                targets.append(link)
    return targets, known, failures


def _add_article(fetcher: Fetcher, corpus: CorpusIndex, url: str) -> AddedItem:
    fetched = fetcher.fetch(url, ARTICLE)
    page = extract_article(fetched.body, fetched.url)
    new_id = article_id_for(page.canonical_url)
    existing = corpus.find(page.canonical_url, new_id)
    article_id = existing.id if existing else new_id
    rel = existing.path if existing else f"{article_id}.md"
    path = corpus.root / rel
    if existing is None and path.exists():
        raise AddError(f"{rel} already exists and holds another article")
    raw = render_article(article_id, page, existing).encode("utf-8")
    article = _parsed(raw, path, rel)
    if existing is not None and _same_content(existing, article):
        return corpus.item(url, existing, "unchanged")
    _write_atomically(path, raw)
    corpus.remember(article)
    log.debug("wrote %s (%s)", rel, article_id)
    return corpus.item(url, article, "updated" if existing else "added")


def article_id_for(canonical: str) -> str:
    """``{host}-{last path segment}-{8 hex of sha256(url)}``, in [a-z0-9-], from the URL alone."""
    parts = urlsplit(canonical)
    host = _slug((parts.hostname or "").removeprefix("www."), 40)
    segments = [s for s in parts.path.split("/") if s]
    last = unquote(segments[-1]) if segments else ""
    last = _slug(re.sub(r"\.(?:s?html?|php|aspx?)$", "", last, flags=re.I), 60)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]
    return "-".join(part for part in (host, last, digest) if part)


def _slug(text: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].rstrip("-")


def render_article(article_id: str, page: ExtractedArticle, existing: Article | None = None) -> str:
    """The corpus file for ``page``; fields the page lacks keep the values ``existing`` had."""
    old = existing or Article(id=article_id, title="", body="", path="", content_hash="")
    meta: dict[str, str] = {
        "id": article_id,
        "title": page.title,
        "outlet": page.outlet or old.outlet or page.outlet_guess,
        "url": page.canonical_url,
        "published": page.published or old.published or "",
        "author": page.author or old.author or "",
        "fetched": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    # Keys a person added by hand survive an update (as text).
    meta |= {key: value for key, value in old.metadata if key not in meta}
    meta = {key: " ".join(value.split()) for key, value in meta.items() if value}
    # safe_dump quotes whatever needs quoting; no wrapping keeps every value on its own line.
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1_000_000)
    return f"---\n{front}---\n{page.body.strip()}\n"


def _parsed(raw: bytes, path: Path, rel: str) -> Article:
    """Load the would-be file with the corpus loader itself, so only loadable files are written."""
    try:
        return parse_article(CorpusFile(path, rel, raw, hashlib.sha256(raw).hexdigest()))
    except ArticleFormatError as exc:
        raise AddError(f"the extracted article does not fit the corpus format: {exc}") from None


def _same_content(old: Article, new: Article) -> bool:
    if any(getattr(old, name) != getattr(new, name) for name in _COMPARED):
        return False
    return _canonical_or_none(old.url) == _canonical_or_none(new.url)


def _canonical_or_none(url: str | None) -> str | None:
    try:
        return canonical_url(url) if url else None
    except ValueError:
        return None


def _write_atomically(path: Path, raw: bytes) -> None:
    """Write to a hidden temp file beside ``path`` and rename it over, so readers never see half."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)  # mkstemp makes 0600 files
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class CorpusIndex:
    """The corpus as it stands, looked up by canonical URL and by id; updated as files are added."""

    def __init__(self, root: Path, articles: Iterable[Article]) -> None:
        self.root = root
        self._by_id: dict[str, Article] = {}
        self._by_url: dict[str, Article] = {}
        for article in articles:
            self.remember(article)

    @classmethod
    def load(cls, root: Path) -> CorpusIndex:
        if not root.is_dir():
            return cls(root, [])  # created on the first write, so a failed run leaves no trace
        articles, errors = load_corpus(root)
        if errors:
            log.info("%d corpus files could not be read and are ignored for matching", len(errors))
        return cls(root, articles)

    def remember(self, article: Article) -> None:
        self._by_id[article.id] = article
        if url := _canonical_or_none(article.url):
            self._by_url[url] = article

    def by_url(self, url: str) -> Article | None:
        canonical = _canonical_or_none(url)
        return self._by_url.get(canonical) if canonical else None

    def find(self, canonical: str, article_id: str) -> Article | None:
        return self._by_url.get(canonical) or self._by_id.get(article_id)

    def item(self, url: str, article: Article, status: AddStatus) -> AddedItem:
        return AddedItem(url, article.id, str(self.root / article.path), article.title, status)
