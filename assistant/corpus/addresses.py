"""Which network addresses `fetch` and `add` may reach: public ones only.

A URL given to `add`, listed in `sources.yaml` or reached by a redirect must not lead the
assistant to the machine itself or to the network it sits in (loopback, link-local,
private, unique-local, multicast, reserved or unspecified addresses). The host name is
resolved and *every* address it resolves to is checked, before anything is sent; the
fetcher calls this again for each redirect hop. `ASSISTANT_ALLOW_PRIVATE_URLS=1` (or
`--allow-private-urls`) turns the check off, for an intranet or a local test server.

    >>> is_public(ipaddress.ip_address("10.0.0.1")), is_public(ipaddress.ip_address("192.0.2.1"))
    (False, False)
    >>> is_public(ipaddress.ip_address("::ffff:127.0.0.1")), is_public(ipaddress.ip_address("8.8.8.8"))
    (False, True)

Left open: a name that resolves to a public address when checked and to a private one when
the HTTP client resolves it again a moment later (DNS rebinding) is not caught.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from ..errors import UserError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddress(UserError):
    """The URL leads to a non-public address and private addresses are not allowed."""


def is_public(ip: IPAddress) -> bool:
    """Whether `ip` is a globally routable unicast address, looking through the IPv4
    address embedded in IPv4-mapped, 6to4 and NAT64 IPv6 addresses."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]).split("%", 1)[0] for info in infos]


def check_url(url: str, *, resolver: Resolver | None = None) -> None:
    """Raise BlockedAddress unless every address the URL's host resolves to is public.

    A host name that cannot be resolved raises OSError (the caller reports it as a failed
    download: nothing is sent to an address that was not checked). `resolver` defaults to
    `resolve`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BlockedAddress(f"L'adresse {url} a un port invalide : elle est refusée.") from None
    try:
        addresses = (resolver or resolve)(host, port)
    except UnicodeError as exc:  # an unencodable name
        raise OSError(str(exc)) from exc
    blocked = [a for a in addresses if not is_public(ipaddress.ip_address(a))]
    if blocked:
        raise BlockedAddress(
            f"L'adresse {url} mène à une adresse non publique ({blocked[0]}) "
            "et est refusée ; pour l'autoriser, utilisez --allow-private-urls "
            "(ou ASSISTANT_ALLOW_PRIVATE_URLS=1)."
        )
