"""Fetching pages for the corpus without letting a URL reach into our own network.

A URL is vetted before any connection (scheme, user info, IP literals in any spelling, localhost
names); the host is then resolved once, every address it resolves to must be public, and the socket
goes to one of those vetted addresses, so DNS cannot answer differently between check and connect.
Redirects are followed by hand and every hop is vetted again. Hosts and ports listed in
``settings.fetch_allow_hosts`` skip the address checks (operators' own servers, tests on loopback);
see ``netguard.AllowList``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import email.utils
import functools
import http
import ipaddress
import logging
import re
import ssl
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx
import tenacity

from .netguard import AllowList, address_problem, allow_list, host_problem, resolve
from .settings import Settings

log = logging.getLogger(__name__)

USER_AGENT = "Wirecheck/0.3 (+news-corpus fetcher)"
ATTEMPTS = 3
# Longest Retry-After we sleep through; a server asking for more is reported, not waited on.
MAX_RETRY_WAIT_SECONDS = 30.0
_TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class Accept:
    """What a fetch expects back: a name for messages and the content types that qualify."""

    name: str
    types: frozenset[str]


ARTICLE = Accept("an article page", frozenset({"text/html", "application/xhtml+xml"}))
FEED = Accept(
    "an RSS or Atom feed (or a JSON Feed)",
    frozenset(
        "application/rss+xml application/atom+xml application/rdf+xml application/xml "
        "text/xml application/feed+json application/json".split()
    ),
)
ROBOTS = Accept("a robots.txt file", frozenset({"text/plain"}))
# Request headers that make a GET conditional: with one of them, 304 is an answer, not an error.
_CONDITIONAL = frozenset({"if-none-match", "if-modified-since"})
NOT_MODIFIED = 304


class FetchError(Exception):
    """A URL that could not or must not be fetched; ``str(e)`` is the human reason."""

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        transient: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after
        self.status = status  # the HTTP status when the server answered with an error


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    charset: str | None
    body: bytes
    status: int = 200  # 304 (empty body) only for a conditional fetch
    headers: Mapping[str, str] = field(default_factory=dict)  # response headers, lower-case names

    @property
    def not_modified(self) -> bool:
        return self.status == NOT_MODIFIED


def check_url(url: str, allow_hosts: AllowList) -> httpx.URL:
    """Parse and vet one URL before anything is sent; raise FetchError saying why it is refused."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"refused: not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        scheme = parsed.scheme or "no scheme"
        raise FetchError(url, f"refused: only http and https URLs are fetched, not {scheme}")
    if parsed.userinfo:
        raise FetchError(url, "refused: URLs with a user name or password are not fetched")
    host = parsed.host
    if not host:
        raise FetchError(url, "refused: the URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if not allow_hosts.allows(host, port) and (problem := host_problem(host)):
        raise FetchError(url, f"refused: {host} is {problem}")
    return parsed


# --- transport ------------------------------------------------------------------------------

# The wall-clock deadline of the fetch running in this thread; every socket operation is capped
# by it, so a server dripping headers or body a byte at a time cannot outlast the fetch timeout.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


class _Refused(Exception):
    """Raised inside the transport; httpx passes exceptions it does not know through unchanged."""


def _capped(timeout: float | None, expired: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("the fetch deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: Any = None):
        capped = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, capped))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Resolves a host once, vets every address, and connects only to a vetted one.

    The URL keeps its host name, so the Host header, TLS SNI and certificate checks are unchanged.
    """

    def __init__(self, allow_hosts: AllowList, resolver: Resolver) -> None:
        self._allow = allow_hosts
        self._resolver = resolver
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        error: Exception = httpcore.ConnectError(f"no address to connect to for {host}")
        for address in self._vetted(host, port):
            capped = _capped(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._sockets.connect_tcp(
                    address, port, capped, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
                continue
            return _DeadlineStream(stream)
        raise error

    def _vetted(self, host: str, port: int) -> list[str]:
        try:
            addresses = self._resolver(host, port)
        except OSError:
            raise _Refused(f"could not resolve {host}") from None
        if self._allow.allows(host, port):
            return addresses
        for address in addresses:
            problem = address_problem(ipaddress.ip_address(address))
            if problem:
                raise _Refused(f"refused: {host} resolves to {address}, {problem}")
        return addresses


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes ~40 ms; one context (thread-safe) serves every fetcher.
    return httpx.create_ssl_context(trust_env=False)


class _PinnedTransport(httpx.HTTPTransport):
    def __init__(self, backend: _PinnedBackend) -> None:
        super().__init__(verify=_tls_context(), trust_env=False)
        # httpx 0.28 takes no network backend (encode/httpx#3749 proposes one), so its connection
        # pool is rebuilt around ours; request mapping and error mapping stay httpx's own.
        self._pool = httpcore.ConnectionPool(
            ssl_context=_tls_context(),
            network_backend=backend,
            max_connections=10,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
        )


# --- fetching -------------------------------------------------------------------------------


class Fetcher:
    """One HTTP client for a batch of fetches; use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver = resolve,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = ATTEMPTS,
        max_retry_wait: float = MAX_RETRY_WAIT_SECONDS,
    ) -> None:
        self._allow = allow_list(settings.fetch_allow_hosts)
        self._timeout = settings.fetch_timeout_seconds
        self._max_bytes = settings.fetch_max_bytes
        self._max_redirects = settings.fetch_max_redirects
        self._sleep = sleep
        self._attempts = attempts
        self._max_retry_wait = max_retry_wait
        self._client = httpx.Client(
            transport=_PinnedTransport(_PinnedBackend(self._allow, resolver)),
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(self._timeout),
            # Compressed bodies are decoded here, under the size limit (see _Body).
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(
        self, url: str, accept: Accept = ARTICLE, headers: Mapping[str, str] | None = None
    ) -> Fetched:
        """Fetch one URL, retrying only transient failures; raise FetchError with the reason.

        ``headers`` are sent with the request (and with every redirect hop). With
        If-None-Match or If-Modified-Since among them, a 304 answer is returned as a Fetched
        whose ``not_modified`` is true.
        """
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self._attempts),
            retry=tenacity.retry_if_exception(lambda e: isinstance(e, FetchError) and e.transient),
            wait=_retry_wait,
            sleep=self._sleep,
            before_sleep=lambda state: log.info("retrying %s: %s", url, state.outcome.exception()),
            reraise=True,
        )
        try:
            return retrying(self._fetch_once, url.strip(), accept, dict(headers or {}))
        except FetchError as exc:
            if exc.transient:
                raise FetchError(
                    url, f"{exc.reason} (after {self._attempts} attempts)", status=exc.status
                ) from None
            raise

    def _fetch_once(self, url: str, accept: Accept, extra: dict[str, str]) -> Fetched:
        token = _DEADLINE.set(time.monotonic() + self._timeout)
        try:
            return self._follow(url, accept, extra)
        except _Refused as exc:
            raise FetchError(url, str(exc)) from None
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {self._timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise FetchError(url, f"could not connect ({exc})", transient=True) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"network error ({exc})") from None
        finally:
            _DEADLINE.reset(token)

    def _follow(self, url: str, accept: Accept, extra: dict[str, str]) -> Fetched:
        current = url
        headers = {"Accept": ", ".join(sorted(accept.types)) + ", */*;q=0.1"} | extra
        conditional = any(name.lower() in _CONDITIONAL for name in extra)
        for _hop in range(self._max_redirects + 1):
            try:
                target = check_url(current, self._allow)
            except FetchError as exc:
                if current == url:
                    raise
                raise FetchError(url, f"{exc.reason} (redirected to {current})") from None
            with self._client.stream("GET", target, headers=headers) as response:
                location = response.headers.get("location")
                if conditional and response.status_code == NOT_MODIFIED:
                    headers_back = _headers(response)
                    return Fetched(str(response.url), "", None, b"", NOT_MODIFIED, headers_back)
                if response.status_code not in _REDIRECT_STATUSES or not location:
                    return self._read(response, url, accept)
            current = str(target.join(location.strip()))
            log.debug("redirect %s -> %s", target, current)
        raise FetchError(url, f"too many redirects (more than {self._max_redirects})")

    def _read(self, response: httpx.Response, url: str, accept: Accept) -> Fetched:
        _check_status(response, url, self._max_retry_wait)
        mime, charset = _content_type(response, url, accept)
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise FetchError(
                url,
                f"refused: the response is {int(declared):,} bytes, "
                f"over the {self._max_bytes:,}-byte limit",
            )
        body = _Body(url, response.headers.get("content-encoding"), self._max_bytes)
        for chunk in response.iter_raw():
            body.feed(chunk)
            _capped(None, httpx.ReadTimeout)
        status, headers = response.status_code, _headers(response)
        return Fetched(str(response.url), mime, charset, body.finish(), status, headers)


def _headers(response: httpx.Response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items()}


def _check_status(response: httpx.Response, url: str, max_wait: float) -> None:
    code = response.status_code
    if 200 <= code < 300:
        return
    try:
        phrase = http.HTTPStatus(code).phrase
    except ValueError:
        phrase = response.reason_phrase
    status = f"HTTP {code} {phrase}".strip()
    if code not in _TRANSIENT_STATUSES:
        raise FetchError(url, status, status=code)
    wait = retry_after_seconds(response.headers.get("retry-after"))
    if wait is not None and wait > max_wait:
        raise FetchError(
            url,
            f"{status}: the server asked to retry after {wait:.0f} s (we wait {max_wait:g} s)",
            status=code,
        )
    raise FetchError(url, status, transient=True, retry_after=wait, status=code)


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now; None if absent/bad."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _retry_wait(state: tenacity.RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, FetchError) and exc.retry_after is not None:
        return exc.retry_after
    return min(0.5 * 2 ** (state.attempt_number - 1), 4.0)


def _content_type(response: httpx.Response, url: str, accept: Accept) -> tuple[str, str | None]:
    mime, _, params = response.headers.get("content-type", "").partition(";")
    mime = mime.strip().lower()
    if mime not in accept.types:
        expected = ", ".join(sorted(accept.types))
        raise FetchError(
            url, f"refused: {mime or 'no content type'} is not {accept.name} (expected {expected})"
        )
    charset = re.search(r"charset\s*=\s*\"?([\w.:-]+)", params, re.I)
    return mime, charset.group(1) if charset else None


class _Body:
    """Collects a body, decoding gzip/deflate itself so the size limit applies to what it keeps."""

    def __init__(self, url: str, encoding: str | None, limit: int) -> None:
        self._url = url
        self._limit = limit
        self._raw = 0
        self._out = bytearray()
        name = (encoding or "identity").strip().lower()
        if name not in ("identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(url, f"unsupported content encoding {name!r}")
        # wbits=47 accepts both gzip and zlib framing.
        self._zlib = None if name == "identity" else zlib.decompressobj(wbits=47)

    def feed(self, chunk: bytes) -> None:
        self._raw += len(chunk)
        if self._zlib is None:
            data = chunk
        else:
            try:
                # Asking for one byte more than fits is enough to see the limit is broken.
                data = self._zlib.decompress(chunk, self._limit - len(self._out) + 1)
            except zlib.error:
                raise FetchError(self._url, "the compressed response is corrupt") from None
        if self._raw > self._limit:
            self._too_large()
        self._keep(data)

    def finish(self) -> bytes:
        if self._zlib is not None:
            self._keep(self._zlib.flush())
        return bytes(self._out)

    def _keep(self, data: bytes) -> None:
        if len(self._out) + len(data) > self._limit:
            self._too_large()
        self._out += data

    def _too_large(self) -> None:
        raise FetchError(self._url, f"refused: the response is over the {self._limit:,}-byte limit")
