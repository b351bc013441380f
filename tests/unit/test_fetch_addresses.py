"""Which hosts and addresses the fetcher refuses, decided before any connection is made."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest

from retrieval import Settings
from retrieval.fetch import FetchError, check_url, retry_after_seconds
from retrieval.netguard import AllowList, address_problem, allow_list, host_problem


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("169.254.169.254", "cloud metadata"),
        ("169.254.10.10", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.200", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("198.19.255.1", "benchmarking"),
        ("192.0.0.8", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("fd00:ec2::254", "cloud metadata"),
        ("fd12:3456::1", "unique local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("2001::1", "Teredo"),
        ("2002:7f00:1::1", "embedding 127.0.0.1, a loopback"),
        ("2002:a9fe:a9fe::1", "embedding 169.254.169.254, a cloud metadata"),
        ("64:ff9b::a00:1", "embedding 10.0.0.1, a private"),
        ("64:ff9b:1::1", "NAT64"),
        ("100::1", "discard"),
        ("4000::1", "reserved"),
    ],
)
def test_non_public_address_is_refused_with_its_reason(address, problem):
    found = address_problem(ipaddress.ip_address(address))
    assert found is not None
    assert problem in found


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "93.184.216.34",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2a00:1450::1",
        "64:ff9b::808:808",
    ],
)
def test_public_address_is_allowed(address):
    assert address_problem(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("localhost", "loopback name"),
        ("LOCALHOST.", "loopback name"),
        ("api.localhost", "loopback name"),
        ("2130706433", "non-standard form"),
        ("0x7f000001", "non-standard form"),
        ("0x7f.1", "non-standard form"),
        ("127.1", "non-standard form"),
        ("0", "non-standard form"),
        ("017700000001", "non-standard form"),
        ("127.0.0.1", "loopback"),
        ("0.0.0.0", "unspecified"),
    ],
)
def test_suspicious_host_is_refused_before_lookup(host, problem):
    found = host_problem(host)
    assert found is not None
    assert problem in found


@pytest.mark.parametrize("host", ["example.com", "www.reuters.com", "1e100.net", "3com.com"])
def test_ordinary_host_name_waits_for_dns(host):
    assert host_problem(host) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/a", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("//example.com/a", "only http and https"),
        ("http://user:pw@example.com/", "user name or password"),
        ("http://user@example.com/", "user name or password"),
        ("http://0177.0.0.1/", "refused"),
        ("http://2130706433/", "non-standard form"),
        ("http://[::1]:8080/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"),
        ("http://10.0.0.5/", "refused: 10.0.0.5 is a private address"),
        ("http://localhost:8000/", "refused: localhost is a loopback name"),
    ],
)
def test_bad_url_is_refused_with_a_reason(url, reason):
    with pytest.raises(FetchError) as caught:
        check_url(url, AllowList())
    assert reason in str(caught.value)
    assert caught.value.url == url


def test_allow_list_matches_the_exact_host_only():
    allow = allow_list(("127.0.0.1:8000", " Intranet.Example. ", "[::1]"))
    assert check_url("http://127.0.0.1:8000/a", allow).host == "127.0.0.1"
    assert check_url("http://intranet.example/a", allow).host == "intranet.example"
    assert check_url("https://intranet.example/a", allow).host == "intranet.example"
    assert check_url("http://[::1]/a", allow).host == "::1"
    for other in ("http://127.0.0.2:8000/", "http://127.1:8000/", "http://2130706433:8000/"):
        with pytest.raises(FetchError):
            check_url(other, allow)


def test_allow_list_is_per_port():
    """An allowlisted service cannot send the fetcher to another port of the same machine."""
    allow = allow_list(("127.0.0.1:8000", "intranet.example", "[::1]:9000", "10.0.0.7:*"))
    assert allow.allows("127.0.0.1", 8000)
    assert not allow.allows("127.0.0.1", 8001)
    assert not allow.allows("127.0.0.1", 80)
    # A bare host means the web's ports only.
    assert allow.allows("intranet.example", 443) and allow.allows("intranet.example", 80)
    assert not allow.allows("intranet.example", 22)
    assert allow.allows("::1", 9000) and not allow.allows("::1", 9001)
    assert allow.allows("10.0.0.7", 6379)
    for url in ("http://127.0.0.1:8001/", "http://127.0.0.1/"):
        with pytest.raises(FetchError):
            check_url(url, allow)


@pytest.mark.parametrize("entry", ["127.0.0.1:http", "host:0", "host:70000", ":8080", "[::1]:x"])
def test_malformed_allow_entry_is_a_configuration_error(entry):
    with pytest.raises(ValueError, match="fetch_allow_hosts"):
        Settings(fetch_allow_hosts=(entry,))


def test_allow_list_does_not_excuse_credentials_or_schemes():
    allow = allow_list(("127.0.0.1:*",))
    for url in ("http://a:b@127.0.0.1/", "ftp://127.0.0.1/"):
        with pytest.raises(FetchError):
            check_url(url, allow)


NOW = dt.datetime(2025, 6, 23, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("5", 5.0),
        (" 0 ", 0.0),
        ("Mon, 23 Jun 2025 12:00:20 GMT", 20.0),
        ("Mon, 23 Jun 2025 11:00:00 GMT", 0.0),  # already past: retry now
        ("soon", None),
        ("-3", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header, seconds):
    assert retry_after_seconds(header, now=NOW) == seconds
