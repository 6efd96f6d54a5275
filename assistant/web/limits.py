"""Abuse limits for the public chat and the `ask` API: a sliding-window counter per client,
the client's address (X-Forwarded-For only from trusted proxies), and how many earlier turns
a caller may send (`Settings.max_history_turns`, applied by `history.clean_history`).

The core is pure: `SlidingWindow` takes a clock, so tests move time by hand.

    >>> now = [0.0]
    >>> window = SlidingWindow(limit=2, window_s=60, clock=lambda: now[0])
    >>> window.hit("a"), window.hit("a"), window.hit("a") > 0
    (0.0, 0.0, True)
    >>> now[0] = 60.0
    >>> window.hit("a")
    0.0
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping


class SlidingWindow:
    """At most `limit` hits per key in any `window_s` seconds. Thread-safe; remembers at most
    `max_keys` keys (the least recently seen are forgotten first)."""

    def __init__(
        self,
        limit: int,
        window_s: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit, self.window_s, self.clock, self.max_keys = limit, window_s, clock, max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one hit for `key`: 0.0 when allowed, else the seconds until one is (the hit
        is then not counted)."""
        now = self.clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            wait = 0.0
            if len(hits) >= self.limit:
                wait = max(hits[0] + self.window_s - now, 1e-3)
            else:
                hits.append(now)
            self._hits[key] = hits
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return wait


class RateLimiter:
    """Per-session and per-address windows; a zero rate turns that window off."""

    def __init__(
        self,
        per_session: int,
        per_ip: int,
        window_s: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = SlidingWindow(per_session, window_s, clock=clock) if per_session else None
        self.ip = SlidingWindow(per_ip, window_s, clock=clock) if per_ip else None

    def check(self, session: str | None, ip: str | None) -> float:
        """0.0 when this request may go on, else the seconds to wait."""
        if self.session is not None and session:
            wait = self.session.hit(session)
            if wait:
                return wait
        if self.ip is not None and ip:
            return self.ip.hit(ip)
        return 0.0


def client_ip(peer: str | None, headers: Mapping[str, str], trusted_proxies: Iterable[str]) -> str:
    """The client's address. `X-Forwarded-For` counts only when the peer is a trusted proxy
    (an address or a network such as 10.0.0.0/8): then the rightmost hop that is not itself a
    trusted proxy is the client, so a client cannot spoof it by sending the header."""
    peer = peer or ""
    networks = _networks(trusted_proxies)
    if not networks or not _is_trusted(peer, networks):
        return peer
    forwarded = headers.get("x-forwarded-for") or headers.get("X-Forwarded-For") or ""
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def _networks(values: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for value in values:
        if value == "*":
            out += [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
        else:
            out.append(ipaddress.ip_network(value, strict=False))
    return out


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in networks)


def parse_proxies(raw: Iterable[str] | str) -> tuple[str, ...]:
    """Addresses or networks, comma- or space-separated; ValueError names a bad one."""
    values = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw)
    for value in values:
        if value != "*":
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(f"« {value} » n'est pas une adresse IP ni un réseau.") from None
    return tuple(values)


class ClientLimits:
    """The limits of one app, shared by the chat, the widget and the API: `allow(request)`
    reads the Gradio request's session and address."""

    def __init__(
        self,
        rate_per_minute: int,
        rate_per_minute_ip: int,
        trusted_proxies: Iterable[str] = (),
        max_history_turns: int = 20,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limiter = RateLimiter(rate_per_minute, rate_per_minute_ip, clock=clock)
        self.trusted_proxies = tuple(trusted_proxies)
        self.max_history_turns = max_history_turns

    @classmethod
    def from_settings(cls, settings) -> ClientLimits:
        return cls(
            settings.rate_per_minute,
            settings.rate_per_minute_ip,
            settings.trusted_proxies,
            settings.pipeline.max_history_turns,
        )

    def allow(self, request) -> bool:
        """False when this client asked too often; a call without a request (tests, scripts
        in-process) is not limited."""
        if request is None:
            return True
        client = getattr(request, "client", None)
        peer = getattr(client, "host", None)
        headers = getattr(request, "headers", None) or {}
        ip = client_ip(peer, headers, self.trusted_proxies)
        return not self.limiter.check(getattr(request, "session_hash", None), ip)
