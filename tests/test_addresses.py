"""The address check of fetch/add, on hand-written addresses (no resolution, no network)."""

from __future__ import annotations

import doctest
import ipaddress

import pytest

from assistant.corpus import addresses
from assistant.corpus.addresses import BlockedAddress, check_url, is_public


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "127.8.9.10",
        "::1",
        "169.254.169.254",  # link-local (cloud metadata)
        "fe80::1",
        "10.0.0.1",  # private
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",  # shared address space (carrier NAT)
        "0.0.0.0",  # unspecified
        "::",
        "224.0.0.1",  # multicast
        "ff02::1",
        "240.0.0.1",  # reserved
        "192.0.2.10",  # documentation
        "fd12:3456::1",  # IPv6 unique local
        "::ffff:10.0.0.1",  # IPv4-mapped
        "::ffff:127.0.0.1",
        "2002:a00:1::1",  # 6to4 wrapping 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 wrapping 127.0.0.1
    ],
)
def test_non_public_addresses(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2a00:1450:4007:80e::200e", "::ffff:8.8.8.8"])
def test_public_addresses(address):
    assert is_public(ipaddress.ip_address(address))


def fake_dns(table):
    def resolve(host, port):
        if host not in table:
            raise OSError("unknown host")
        return table[host]

    return resolve


def test_every_address_of_a_name_is_checked():
    dns = fake_dns(
        {"mixed.example": ["93.184.215.14", "10.1.2.3"], "ok.example": ["93.184.215.14"]}
    )
    check_url("https://ok.example/page", resolver=dns)
    with pytest.raises(BlockedAddress, match=r"non publique \(10\.1\.2\.3\)"):
        check_url("https://mixed.example/page", resolver=dns)


def test_the_port_is_passed_and_a_bad_port_refused():
    seen = []
    check_url("http://ok.example:8080/", resolver=lambda h, p: seen.append((h, p)) or ["8.8.8.8"])
    check_url("https://ok.example/", resolver=lambda h, p: seen.append((h, p)) or ["8.8.8.8"])
    assert seen == [("ok.example", 8080), ("ok.example", 443)]
    with pytest.raises(BlockedAddress, match="port invalide"):
        check_url("http://ok.example:99999/", resolver=lambda h, p: ["8.8.8.8"])


def test_ip_literals_are_checked_without_a_name_lookup():
    assert addresses.resolve("10.0.0.1", 80) == ["10.0.0.1"]
    assert addresses.resolve("::1", 80) == ["::1"]
    with pytest.raises(BlockedAddress):
        check_url("http://[::ffff:192.168.0.1]/")


def test_an_unresolvable_name_is_not_let_through():
    with pytest.raises(OSError):
        check_url("https://nowhere.invalid/", resolver=fake_dns({}))


def test_the_fetcher_sends_nothing_to_a_name_it_cannot_check(monkeypatch):
    import httpx

    from assistant.corpus.fetch import FetchError, PoliteClient

    def no_request(*args, **kwargs):
        raise AssertionError("a request was sent")

    monkeypatch.setattr(httpx.Client, "stream", no_request)
    with (
        PoliteClient(trust_env=False, resolver=fake_dns({})) as client,
        pytest.raises(FetchError, match="cannot be resolved"),
    ):
        client.get("https://nowhere.invalid/page")


def test_docstring_examples():
    assert doctest.testmod(addresses).failed == 0
