"""Corpus and user text made inert and bounded for Discord.

``escape`` neutralises markdown and mentions; ``fit`` shortens *raw* text at a word (or sentence)
boundary so that its *rendering* fits a Discord limit, so a cut never lands inside an escape
sequence, a marker or a masked link. Every embed builder in ``bot.render`` goes through
these two, ``share`` (splitting a budget between sections) and ``join_bounded`` (lists with
"…and K more").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from urllib.parse import quote, urlsplit

from discord.utils import escape_mentions

ELLIPSIS = "…"
ZWSP = "\u200b"
# Discord rejects embed URLs longer than this.
MAX_URL = 2048
# A sentence cut may give up at most this share of the room a word cut would use.
SENTENCE_MIN_SHARE = 0.5

# Bare URLs are left alone as discord.py does, because Discord autolinks them before it parses
# markdown (and a backslash inside one would break the link). The rest is escaped character by
# character: discord.py's escape_markdown (2.7) leaves the inside of "[label](url)" unescaped and
# puts the backslash of an indented "- item" before the spaces, where Discord shows it.
_URL = re.compile(r"(<[^: >]+:/[^ >]+>|(?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s])")
_LINE_START = re.compile(r"^([ \t]*)(?:([#>+-])|(\d+)([.)]))", re.MULTILINE)
# The backslash first, so the ones added after it are not doubled.
_INLINE = "\\*_~|`[]"
# In a masked link's label, parentheses too: no "](" inside can end the label early.
_INLINE_LABEL = _INLINE + "()"
# Mentions, channels, slash commands, timestamps, custom emoji, guide links: <@…> <#…> </…>
# <t:…> <:…> <a:…> <id:…>, but not the <https://…> form of a link.
_ANGLE = re.compile(r"<(?=[@#/:]|[A-Za-z]+:(?!//))")
# Control characters and bidi overrides (which could reorder our own text around them).
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’»)\]]*$")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean(text: str) -> str:
    text = _LINE_BREAKS.sub("\n", text)
    text = _SURROGATE.sub("\ufffd", text)
    return _INVISIBLE.sub("", text)


def _escape_line_start(m: re.Match[str]) -> str:
    indent, lead, num, dot = m.groups()
    return f"{indent}\\{lead}" if lead else f"{indent}{num}\\{dot}"


def _escape_chars(text: str, chars: str) -> str:
    # str.replace per character is some 25 times faster than str.translate or re.sub here.
    for ch in chars:
        if ch in text:
            text = text.replace(ch, "\\" + ch)
    return text


def _escape_markdown(text: str) -> str:
    pieces = _URL.split(text)  # odd pieces are URLs
    text = "".join(p if i % 2 else _escape_chars(p, _INLINE) for i, p in enumerate(pieces))
    return _LINE_START.sub(_escape_line_start, text)


def _neutralise_mentions(text: str) -> str:
    if "@" in text:
        text = escape_mentions(text)
    return _ANGLE.sub("<" + ZWSP, text) if "<" in text else text


def escape(text: str) -> str:
    """Corpus or user text that neither formats nor mentions anything when Discord renders it."""
    return _neutralise_mentions(_escape_markdown(clean(text)))


def escape_label(text: str) -> str:
    """``escape`` for the label of a masked link: one line, and no URL inside (Discord refuses
    masked links whose label looks like a link)."""
    text = _LINE_START.sub(_escape_line_start, _escape_chars(clean(one_line(text)), _INLINE_LABEL))
    return _neutralise_mentions(text).replace("://", ":" + ZWSP + "//")


def one_line(text: str) -> str:
    return " ".join(clean(text).split())


def fit(
    text: str, limit: int, render: Callable[[str], str] = escape, *, sentence: bool = False
) -> str:
    """``render(text)``, or when that exceeds ``limit`` characters, the rendering of the longest
    prefix of ``text`` ending at a word boundary, plus "…" (with ``sentence``, a sentence or line
    end when that keeps at least half as much). A single word longer than the limit is cut at a
    character boundary that keeps combining marks and emoji sequences whole. Text that renders
    blank gives "", so callers can put a visible placeholder instead."""
    # Renderings only ever drop control characters and unlisted markers, so text this much
    # longer than the limit is not rendered whole just to find out it does not fit.
    if len(text) <= 2 * limit + 64:
        full = render(text)
        if len(full) <= limit:
            return full if full.strip() else ""
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[: max(limit, 0)]
    room = limit - len(ELLIPSIS)
    # Rendering never makes a piece shorter than its raw text (bar dropped markers), so the cut
    # lies within the first limit + 1 characters.
    head = text[: limit + 1]
    first = len(head) - len(head.lstrip())
    runs = [m for m in _SPACE.finditer(head) if m.start() > first]
    cuts = [m.start() for m in runs]
    best = _last_fitting(cuts, lambda c: len(render(_trim(text[:c]))) <= room)
    if best is None:
        safe = [k for k in range(1, len(head)) if _grapheme_boundary(head, k)]
        best = _last_fitting(safe, lambda k: len(render(text[:k])) <= room)
        return ELLIPSIS if best is None else render(text[:best]) + ELLIPSIS
    if sentence:
        ends = [
            m.start()
            for m in runs
            if best * SENTENCE_MIN_SHARE <= m.start() <= best
            and ("\n" in m.group() or _SENTENCE_END.search(head[max(0, m.start() - 8) : m.start()]))
        ]
        for c in reversed(ends):
            shown = render(text[:c])
            if len(shown) + 1 + len(ELLIPSIS) <= limit:
                return f"{shown} {ELLIPSIS}"
    return render(_trim(text[:best])) + ELLIPSIS


def _trim(prefix: str) -> str:
    """A prefix without the dangling comma or dash that would sit before the "…"."""
    trimmed = prefix.rstrip(",;:-\u2013\u2014").rstrip()
    return trimmed if trimmed else prefix


def _last_fitting(candidates: Sequence[int], fits: Callable[[int], bool]) -> int | None:
    """The last candidate that fits, by bisection (the lengths grow with the cut, bar the rare
    dropped marker, and only candidates actually tried are returned)."""
    lo, hi, found = 0, len(candidates) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(candidates[mid]):
            found, lo = candidates[mid], mid + 1
        else:
            hi = mid - 1
    return found


def _extends(ch: str) -> bool:
    """Characters that belong to the grapheme before them."""
    code = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == "\u200d"
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag sequences (subdivision flags)
    )


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _grapheme_boundary(text: str, k: int) -> bool:
    if _extends(text[k]) or text[k - 1] == "\u200d":
        return False
    if _regional(text[k]) and _regional(text[k - 1]):
        run = 0
        while k - 1 - run >= 0 and _regional(text[k - 1 - run]):
            run += 1
        return run % 2 == 0
    return True


def share(
    needs: Sequence[int],
    total: int,
    floors: Sequence[int] | None = None,
    weights: Sequence[int] | None = None,
) -> list[int]:
    """Split ``total`` between sections: each first gets its floor, then the rest is filled evenly
    (by weight) up to what each needs, so short sections leave room to long ones."""
    floors = [min(f, n) for f, n in zip(floors or [0] * len(needs), needs, strict=True)]
    weights = weights or [1] * len(needs)
    if sum(needs) <= total:
        return list(needs)
    rest = max(total - sum(floors), 0)
    extra = [n - f for n, f in zip(needs, floors, strict=True)]

    def given(level: int) -> list[int]:
        return [min(e, w * level) for e, w in zip(extra, weights, strict=True)]

    lo, hi = 0, max(extra, default=0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(given(mid)) <= rest:
            lo = mid
        else:
            hi = mid - 1
    return [f + g for f, g in zip(floors, given(lo), strict=True)]


def join_bounded(
    parts: Sequence[str], limit: int, sep: str = "\n", more: Callable[[int], str] | None = None
) -> str:
    """As many of ``parts`` as fit in ``limit``, then "…and K more"."""
    more = more or (lambda k: f"…and {k} more")
    if len(sep.join(parts)) <= limit:
        return sep.join(parts)
    reserve = len(sep) + len(more(len(parts)))
    shown: list[str] = []
    used = 0
    for part in parts:
        cost = len(part) + (len(sep) if shown else 0)
        if used + cost + reserve > limit:
            break
        shown.append(part)
        used += cost
    tail = more(len(parts) - len(shown))
    return sep.join([*shown, tail]) if len(tail) <= limit else ""


def safe_url(url: str | None) -> str | None:
    """An http(s) URL Discord accepts, with spaces, parentheses and brackets percent-encoded so a
    masked link cannot break, or None."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        _ = parts.port  # raises on a malformed port
        netloc = parts.netloc if parts.netloc.isascii() else _idna(parts.netloc, host)
    except (ValueError, UnicodeError):
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if not re.fullmatch(r"[A-Za-z0-9.\-:@%\[\]_~!$&'*+,;=]+", netloc):
        return None
    out = f"{parts.scheme.lower()}://{netloc}{_encode(parts.path) or '/'}"
    if parts.query:
        out += "?" + _encode(parts.query)
    if parts.fragment:
        out += "#" + _encode(parts.fragment)
    return out if len(out) <= MAX_URL else None


def _idna(netloc: str, host: str | None) -> str:
    if not host:
        raise ValueError("no host")
    return netloc.replace(host, host.encode("idna").decode("ascii"))


def _encode(part: str) -> str:
    part = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", part)
    return quote(part, safe="/?:@!$&'*+,;=-._~%")


def masked_link(label: str, url: str | None, limit: int, *, min_label: int = 12) -> str:
    """``[label](url)`` within ``limit``; the label alone when the URL is unusable or too long."""
    label = label if label.strip() else "untitled"
    target = safe_url(url)
    room = limit - len("[]()") - len(target or "")
    if target and room >= min(min_label, len(escape_label(label))):
        return f"[{fit(label, room, escape_label)}]({target})"
    return fit(one_line(label), limit)


def code(text: str, limit: int = 120) -> str:
    """Inline code (for ids): backslashes are literal there, so backticks are swapped instead."""
    raw = one_line(clean(text)).replace("`", "\u02cb") or "?"
    return f"`{fit(raw, limit - 2, str)}`"


def date_text(published: str | None) -> str | None:
    """YYYY-MM-DD when the value starts with one, else the value itself, escaped and short."""
    if not published or not published.strip():
        return None
    m = _ISO_DATE.match(published.strip())
    return m[0] if m else fit(one_line(published), 32)
