"""From fetched bytes to corpus fields: article pages via trafilatura, feeds via feedparser."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import feedparser
import tld
import trafilatura

if TYPE_CHECKING:
    from lxml.html import HtmlElement

log = logging.getLogger(__name__)

FEED_ITEM_LIMIT = 50
# Query parameters that only tell the publisher where a click came from.
_TRACKING = frozenset(
    "fbclid gclid dclid gbraid wbraid msclkid yclid twclid igshid mc_cid mc_eid _ga _gl "
    "_hsenc _hsmi mkt_tok oly_anon_id oly_enc_id vero_id ref_src".split()
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACE = re.compile(r"\s+")


class ExtractError(ValueError):
    """A page or feed that yields nothing usable; the message says why."""


@dataclass(frozen=True)
class ExtractedArticle:
    title: str
    body: str  # paragraphs separated by blank lines
    canonical_url: str
    outlet: str | None = None  # as the page declares it (og:site_name)
    outlet_guess: str = ""  # trafilatura's site name, else the host
    published: str | None = None  # ISO date or datetime
    author: str | None = None


def canonical_url(url: str) -> str:
    """The URL an article is known by: tracking and fragment dropped, query sorted, no end slash.

    Raises ValueError for anything that is not an absolute http(s) URL.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    if ":" in host:
        host = f"[{host}]"
    elif not host.isascii():
        host = host.encode("idna").decode("ascii")  # the form httpx sends and servers see
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    # Raw pairs are kept as sent: re-encoding could turn one URL into a different one.
    pairs = [p for p in parts.query.split("&") if p and not _is_tracking(p)]
    return urlunsplit((scheme, netloc, path, "&".join(sorted(pairs)), ""))


def _is_tracking(pair: str) -> bool:
    key = unquote(pair.split("=", 1)[0]).lower()
    return key.startswith("utm_") or key in _TRACKING


def same_site(a: str, b: str) -> bool:
    """Whether two URLs share a registrable domain (public suffix list; exact host for IPs)."""
    hosts = [urlsplit(u).hostname or "" for u in (a, b)]
    sites = [tld.get_fld(h, fix_protocol=True, fail_silently=True) for h in hosts]
    if None in sites:
        return bool(hosts[0]) and hosts[0] == hosts[1]
    return sites[0] == sites[1]


def extract_article(html: bytes | str, url: str) -> ExtractedArticle:
    """Title, outlet, date, author and body of the article page fetched from ``url``."""
    tree = trafilatura.load_html(html)
    if tree is None:
        raise ExtractError("the page is not parseable HTML")
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    title = _clean(getattr(doc, "title", None)) or _meta(tree, "og:title") or _title_tag(tree)
    if not title:
        raise ExtractError("no title found on the page")
    body = _paragraphs(getattr(doc, "text", None), title)
    if not body:
        raise ExtractError("no article text found on the page")
    canonical = _canonical(tree, url)
    return ExtractedArticle(
        title=title,
        body=body,
        canonical_url=canonical,
        outlet=_meta(tree, "og:site_name") or None,
        outlet_guess=_clean(getattr(doc, "sitename", None)) or _host(canonical),
        published=_published(tree) or _stated(getattr(doc, "date", None), html, url),
        author=_author(tree) or _clean(getattr(doc, "author", None)) or None,
    )


def _clean(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _paragraphs(text: str | None, title: str) -> str:
    lines = [_clean(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    # trafilatura keeps the page's headline as the first line; the title is stored apart.
    if lines and lines[0] == title:
        lines = lines[1:]
    return "\n\n".join(lines)


def _meta(tree: HtmlElement, name: str) -> str:
    values = tree.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]/@content", n=name)
    return next((_clean(v) for v in values if _clean(v)), "")


def _title_tag(tree: HtmlElement) -> str:
    return _clean(" ".join(tree.xpath("//head/title//text()")))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def _canonical(tree: HtmlElement, url: str) -> str:
    """The page's rel=canonical when it stays on the site it was fetched from, else ``url``."""
    for link in tree.xpath("//link[@rel and @href]"):
        if "canonical" not in link.get("rel", "").lower().split():
            continue
        candidate = urljoin(url, link.get("href", "").strip())
        try:
            if same_site(url, candidate):
                return canonical_url(candidate)
        except ValueError:
            continue
    return canonical_url(url)


# Where pages state their publication date, in the order trusted.
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "DC.date.issued",
    "dcterms.created",
    "date",
)


def _published(tree: HtmlElement) -> str | None:
    """The publication date the page states in its metadata, or None."""
    for name in _DATE_META:
        if value := _iso(_meta(tree, name)):
            return value
    for value in tree.xpath("//time[@itemprop='datePublished' or @pubdate]/@datetime"):
        if found := _iso(value):
            return found
    return _iso(_json_ld_date(tree))


def _stated(guess: str | None, html: bytes | str, url: str) -> str | None:
    """trafilatura's date, only when the page or its URL states that very day (``2025-06-23``
    or a ``/2025/06/23/`` path): its guesses fill a bare year in as January 1st, and an unknown
    date is better than a made-up one."""
    day = _iso(guess)
    if not day or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day[:10]):
        return None
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    y, m, d = day[:10].split("-")
    if f"{y}-{m}-{d}" in text or any(f"/{y}/{m}/{d}/" in where for where in (text, url)):
        return day[:10]
    return None


def _json_ld_date(tree: HtmlElement) -> str | None:
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        items = list(data) if isinstance(data, list) else [data]
        items += [
            g
            for i in list(items)
            if isinstance(i, dict) and isinstance(i.get("@graph"), list)
            for g in i["@graph"]
        ]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
                return item["datePublished"]
    return None


def _iso(value: str | None) -> str | None:
    """An ISO 8601 date or datetime (naive times taken as UTC), or None if unparseable."""
    text = (value or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.isoformat()


def _author(tree: HtmlElement) -> str:
    for name in ("author", "article:author"):
        value = _meta(tree, name)
        # article:author is often a profile URL, which is not a name.
        if value and not value.startswith(("http://", "https://")):
            return value
    return ""


def feed_links(data: bytes, feed_url: str, limit: int = FEED_ITEM_LIMIT) -> list[str]:
    """Absolute links of a feed's items (RSS, Atom or JSON Feed), newest first, at most
    ``limit``."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _json_feed_links(data, feed_url, limit)
    # A stream, never bytes or str: feedparser would treat those as a URL or path to open.
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": feed_url})
    # The fetcher has checked the content type and feedparser is given none: its complaint
    # about that is noise, and without it an empty feed reads as the empty feed it is.
    broken = parsed.bozo and not isinstance(
        parsed.get("bozo_exception"), feedparser.exceptions.NonXMLContentType
    )
    if not parsed.entries and (broken or not parsed.version):
        why = getattr(parsed, "bozo_exception", None) or "no RSS or Atom structure"
        raise ExtractError(f"not a readable RSS or Atom feed ({why})")
    entries = sorted(parsed.entries, key=_entry_time, reverse=True)
    links = (_entry_link(entry) for entry in entries)
    absolute = [urljoin(feed_url, link) for link in links if link]
    return list(dict.fromkeys(absolute))[:limit]


def _entry_time(entry: feedparser.FeedParserDict) -> tuple[int, ...]:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return tuple(stamp[:6]) if stamp else (0,)


def _entry_link(entry: feedparser.FeedParserDict) -> str:
    if entry.get("link"):
        return str(entry["link"]).strip()
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"]).strip()
    return ""


def _json_feed_links(data: bytes, feed_url: str, limit: int) -> list[str]:
    """JSON Feed 1 and 1.1 (https://www.jsonfeed.org/version/1.1/): each item's ``url``, else
    its ``external_url``, else its ``id`` when that is a link."""
    try:
        feed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ExtractError(f"not a readable JSON Feed ({type(exc).__name__})") from None
    version = feed.get("version") if isinstance(feed, dict) else None
    items = feed.get("items") if isinstance(feed, dict) else None
    if not (isinstance(version, str) and "jsonfeed.org/version/1" in version):
        raise ExtractError("not a readable JSON Feed (no jsonfeed.org version)")
    if not isinstance(items, list):
        raise ExtractError("not a readable JSON Feed (no items list)")
    dated = [(_json_item_time(item), n, _json_item_link(item)) for n, item in enumerate(items)]
    # Newest first; undated items keep the feed's own order, after the dated ones.
    dated.sort(key=lambda entry: (entry[0], -entry[1]), reverse=True)
    absolute = [urljoin(feed_url, link) for _, _, link in dated if link]
    return list(dict.fromkeys(absolute))[:limit]


def _json_item_link(item: object) -> str:
    if not isinstance(item, dict):
        return ""
    for key in ("url", "external_url", "id"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            value = value.strip()
            if key != "id" or value.startswith(("http://", "https://")):
                return value
    return ""


def _json_item_time(item: object) -> str:
    """The item's date as a sortable UTC ISO string ("" when undated)."""
    if not isinstance(item, dict):
        return ""
    for key in ("date_published", "date_modified"):
        value = item.get(key)
        if isinstance(value, str) and (iso := _iso(value)):
            stamp = dt.datetime.fromisoformat(iso)
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=dt.UTC)
            return stamp.astimezone(dt.UTC).isoformat()
    return ""
