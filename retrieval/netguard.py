"""Which hosts and addresses a fetch may reach: only public ones, unless an operator allows more.

Pure checks with no I/O but ``resolve``; ``retrieval.fetch`` applies them before connecting and
on every redirect hop.
"""

from __future__ import annotations

import ipaddress
import re
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# --- addresses ------------------------------------------------------------------------------

# First match wins, so the specific reasons (cloud metadata) come before the ranges holding them.
_RULES_TABLE = """
169.254.169.254/32  a cloud metadata address
100.100.100.200/32  a cloud metadata address
168.63.129.16/32    a cloud metadata address
fd00:ec2::254/128   a cloud metadata address
0.0.0.0/8           an unspecified address
10.0.0.0/8          a private address
172.16.0.0/12       a private address
192.168.0.0/16      a private address
127.0.0.0/8         a loopback address
100.64.0.0/10       a carrier-grade NAT address
169.254.0.0/16      a link-local address
192.0.2.0/24        a documentation address
198.51.100.0/24     a documentation address
203.0.113.0/24      a documentation address
198.18.0.0/15       a benchmarking address
192.0.0.0/24        a reserved address
192.88.99.0/24      a reserved address
224.0.0.0/4         a multicast address
240.0.0.0/4         a reserved address
::/128              an unspecified address
::1/128             a loopback address
::ffff:0:0/96       an IPv4-mapped IPv6 address
::/96               an IPv4-compatible IPv6 address
64:ff9b:1::/48      a local-use NAT64 address
100::/64            a discard-only address
2001::/32           a Teredo tunnel address
2001:2::/48         a benchmarking address
2001:db8::/32       a documentation address
3fff::/20           a documentation address
2001::/23           a reserved address
fc00::/7            a private (unique local) address
fe80::/10           a link-local address
fec0::/10           a private (site-local) address
ff00::/8            a multicast address
"""
# 100.100.100.200 is Alibaba Cloud's metadata service; 168.63.129.16 is Azure's WireServer, which
# sits in public space but answers only inside Azure.
_RULES = [
    (ipaddress.ip_network(net), why.strip())
    for net, why in (line.split(maxsplit=1) for line in _RULES_TABLE.strip().splitlines())
]
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# inet_aton() and many resolvers accept decimal, hex, octal and short forms (2130706433,
# 0x7f000001, 127.1); no real host name is made only of numeric labels, so all are refused.
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*", re.I)


def address_problem(ip: IPAddress) -> str | None:
    """Why fetching from ``ip`` is refused (e.g. "a private address"), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ipaddress.IPv6Address(int(ip))  # drop any zone id (fe80::1%eth0)
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = address_problem(embedded)
            return f"an IPv6 address embedding {embedded}, {inner}" if inner else None
    for network, why in _RULES:
        if network.version == ip.version and ip in network:
            return why
    public = ip in _GLOBAL_UNICAST_V6 if ip.version == 6 else ip.is_global
    return None if public else "a reserved address"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip in _SIX_TO_FOUR:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def host_problem(host: str) -> str | None:
    """Why a URL's host is refused before any DNS lookup or connection, or None."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return "a loopback name"
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return "an IP address in a non-standard form" if _NUMERIC_HOST.fullmatch(name) else None
    return address_problem(ip)


# A host listed without a port is allowed on the web's ports only; any other port is named.
DEFAULT_PORTS = (80, 443)
ANY_PORT = -1


class AllowList:
    """Hosts (with ports) a fetch may reach although private or loopback.

    ``host`` allows ports 80 and 443, ``host:8080`` that port, ``host:*`` every port; IPv6
    addresses go in brackets when a port follows (``[::1]:8080``). Per port, so an
    allowlisted service cannot redirect the fetcher to another service on the same machine.
    """

    def __init__(self, entries: frozenset[tuple[str, int]] = frozenset()):
        self.entries = entries

    def allows(self, host: str, port: int | None) -> bool:
        key = host_key(host.strip("[]"))
        return (key, ANY_PORT) in self.entries or (key, port) in self.entries

    def __bool__(self) -> bool:
        return bool(self.entries)


def allow_list(hosts: tuple[str, ...]) -> AllowList:
    entries: set[tuple[str, int]] = set()
    for raw in hosts:
        host, ports = _allow_entry(raw.strip())
        entries.update((host, p) for p in ports)
    return AllowList(frozenset(entries))


def _allow_entry(text: str) -> tuple[str, tuple[int, ...]]:
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, ""  # a name, or a bare IPv6 address
    if not host:
        raise ValueError(f"fetch_allow_hosts: {text!r} names no host")
    if port == "*":
        return host_key(host), (ANY_PORT,)
    if not port:
        return host_key(host), DEFAULT_PORTS
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"fetch_allow_hosts: {text!r} has a bad port (a number, or *)")
    return host_key(host), (int(port),)


def host_key(host: str) -> str:
    return host.lower().rstrip(".")


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
