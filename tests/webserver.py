"""A real HTTP server on 127.0.0.1 for fetch tests and the add benchmark, plus page builders.

Routes map a path (query ignored) to one reply, or to a list of replies served in turn (the last
one repeats). Every request is counted, so a test can prove a URL was refused before connecting.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str | None = HTML
    headers: dict[str, str] = field(default_factory=dict)
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    drip_seconds: float = 0.0  # pause before each body byte
    header_drip_seconds: float = 0.0  # pause before each byte of an extra header


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, content_type=None, headers={"Location": location})


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Reply | list[Reply]] = {}
        self.hits: Counter[str] = Counter()
        self.request_headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll keeps shutdown() quick; the default half second adds up over many tests.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def requests(self) -> int:
        return sum(self.hits.values())

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies) if len(replies) > 1 else replies[0]
        return self.url(path)

    def next_reply(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self.hits[path] += 1
            self.request_headers.append(headers)
            reply = self.routes.get(path, Reply(status=404, body=b"<h1>Not found</h1>"))
            if isinstance(reply, list):
                return reply.pop(0) if len(reply) > 1 else reply[0]
            return reply

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers then body wait on delayed ACKs (40 ms)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            reply = server.next_reply(urlsplit(self.path).path, dict(self.headers.items()))
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up, as tests expect it to

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.send_length:
                self.send_header("Content-Length", str(len(reply.body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            if reply.header_drip_seconds:
                self._drip(b"X-Slow: " + b"z" * 100 + b"\r\n", reply.header_drip_seconds)
            self.end_headers()
            if reply.drip_seconds:
                self._drip(reply.body, reply.drip_seconds)
            else:
                self.wfile.write(reply.body)

        def _drip(self, data: bytes, pause: float) -> None:
            self.flush_headers()
            for i in range(len(data)):
                time.sleep(pause)
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output clean

    return Handler


BOILERPLATE_TOP = """
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li>Subscribe now for unlimited access</li></ul></nav>
</header>
<div class="ad-slot">ADVERTISEMENT: Buy the Widget Pro 3000 today and save 40 percent</div>
"""
BOILERPLATE_BOTTOM = """
<aside class="most-read"><h2>Most read</h2><ul>
<li><a href="/a">Celebrity chef opens new restaurant in the harbour district</a></li>
<li><a href="/b">Ten tips for keeping your garden green this summer</a></li></ul></aside>
<footer><p>Copyright 2025 Example Wire. All rights reserved. Privacy policy. Cookie settings.</p>
</footer>
"""


def news_page(
    title: str,
    paragraphs: list[str],
    *,
    canonical: str | None = None,
    site: str | None = "Example Wire",
    published: str | None = "2025-06-23T14:05:00Z",
    author: str | None = "Jane Q. Reporter",
) -> bytes:
    """A news article page the way outlets build them: metadata, chrome, ads, related links."""
    esc: Callable[[str], str] = html.escape
    head = [f"<title>{esc(title)} | {esc(site or 'News')}</title>"]
    if site:
        head.append(f'<meta property="og:site_name" content="{esc(site)}">')
    head.append(f'<meta property="og:title" content="{esc(title)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{esc(published)}">')
    if author:
        head.append(f'<meta name="author" content="{esc(author)}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{esc(canonical)}">')
    byline = f'<p class="byline">By {esc(author)}</p>' if author else ""
    body = "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{"".join(head)}</head><body>
{BOILERPLATE_TOP}
<main><article><h1>{esc(title)}</h1>{byline}
{body}
</article></main>
{BOILERPLATE_BOTTOM}
</body></html>"""
    return page.encode("utf-8")


def rss_feed(items: list[tuple[str, str, str]]) -> bytes:
    """RSS 2.0 with (title, link, RFC 822 date) items."""
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link>"
        f"<pubDate>{d}</pubDate></item>"
        for t, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Example Wire</title><link>http://example.invalid/</link>{entries}"
        "</channel></rss>"
    ).encode()


def atom_feed(items: list[tuple[str, str, str]]) -> bytes:
    """Atom with (title, link, ISO date) entries."""
    entries = "".join(
        f'<entry><title>{html.escape(t)}</title><link rel="alternate" href="{html.escape(link)}"/>'
        f"<id>{html.escape(link)}</id><updated>{d}</updated></entry>"
        for t, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Example Wire</title><id>urn:example</id><updated>2025-06-23T00:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def json_feed(
    items: list[tuple[str, str, str]],
    *,
    link_key: str = "url",
    version: str = "https://jsonfeed.org/version/1.1",
) -> bytes:
    """JSON Feed with (title, link, ISO date) items; the link goes under ``link_key`` (``url``,
    ``external_url`` or ``id``)."""
    entries = [
        {"id": f"item-{n}", "title": t, "date_published": d} | {link_key: link}
        for n, (t, link, d) in enumerate(items)
    ]
    feed = {"version": version, "title": "Example Wire", "items": entries}
    return json.dumps(feed).encode()
