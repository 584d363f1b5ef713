"""The webhook address policy: which addresses are public (a truth table over every special
range, IPv6 forms carrying IPv4 addresses included), and what a URL must be to pass. DNS answers
come from a stub resolver: nothing here leaves the machine."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest

from registry.errors import InvalidInputError
from registry.notifications.targets import REFUSED, TargetPolicy, embedded_ipv4, is_public

# (address, public?, why)
ADDRESSES = [
    ("93.184.215.14", True, "public IPv4"),
    ("8.8.8.8", True, "public IPv4"),
    ("127.0.0.1", False, "loopback"),
    ("127.255.255.254", False, "loopback"),
    ("0.0.0.0", False, "this host"),  # noqa: S104 (an address judged, not bound)
    ("10.1.2.3", False, "private"),
    ("172.16.0.1", False, "private"),
    ("192.168.1.1", False, "private"),
    ("169.254.169.254", False, "link-local: cloud metadata"),
    ("100.64.0.1", False, "shared address space (carrier-grade NAT)"),
    ("100.100.100.200", False, "shared address space: a cloud's metadata"),
    ("192.0.2.1", False, "documentation"),
    ("198.18.0.1", False, "benchmarking"),
    ("224.0.0.1", False, "multicast"),
    ("239.255.255.250", False, "multicast"),
    ("240.0.0.1", False, "reserved"),
    ("255.255.255.255", False, "broadcast"),
    ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True, "public IPv6"),
    ("2001:4860:4860::8888", True, "public IPv6"),
    ("::1", False, "loopback"),
    ("::", False, "unspecified"),
    ("fe80::1", False, "link-local"),
    ("fc00::1", False, "unique local"),
    ("fd12:3456::1", False, "unique local"),
    ("fec0::1", False, "site-local (deprecated; Python calls it global)"),
    ("ff02::1", False, "multicast"),
    ("2001:db8::1", False, "documentation"),
    ("100::1", False, "discard-only"),
    ("4000::1", False, "not global unicast"),
    ("::ffff:127.0.0.1", False, "IPv4-mapped loopback"),
    ("::ffff:169.254.169.254", False, "IPv4-mapped metadata"),
    ("::ffff:93.184.215.14", True, "IPv4-mapped public"),
    ("::127.0.0.1", False, "IPv4-compatible loopback"),
    ("::10.0.0.1", False, "IPv4-compatible private"),
    ("64:ff9b::a9fe:a9fe", False, "NAT64 of 169.254.169.254"),
    ("64:ff9b::7f00:1", False, "NAT64 of 127.0.0.1"),
    ("64:ff9b::5db8:d70e", True, "NAT64 of a public address"),
    ("64:ff9b:1::a9fe:a9fe", False, "local-use NAT64"),
    ("64:ff9b:1:5db8:d7:e00::", False, "local-use NAT64, even of a public address"),
    ("2002:a9fe:a9fe::1", False, "6to4 of 169.254.169.254"),
    ("2002:7f00:1::1", False, "6to4 of 127.0.0.1"),
    ("2002:5db8:d70e::1", True, "6to4 of a public address"),
    # Teredo: server 65.54.227.120, client the inverse of the low 32 bits.
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", False, "Teredo, client 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:5601:fefe", False, "Teredo, client 169.254.1.1"),
    ("2001:0:a00:1:8000:63bf:a247:28f1", False, "Teredo, server 10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:a247:28f1", True, "Teredo, both public"),
]


@pytest.mark.parametrize(("text", "public", "why"), ADDRESSES, ids=[a[0] for a in ADDRESSES])
def test_which_addresses_are_public(text: str, public: bool, why: str) -> None:
    assert is_public(ipaddress.ip_address(text)) is public, why


def test_the_ipv4_address_an_ipv6_address_carries() -> None:
    def carried(text: str) -> list[str]:
        return [str(a) for a in embedded_ipv4(ipaddress.IPv6Address(text))]

    assert carried("::ffff:a9fe:a9fe") == ["169.254.169.254"]
    assert carried("::a9fe:a9fe") == ["169.254.169.254"]
    assert carried("64:ff9b::a9fe:a9fe") == ["169.254.169.254"]
    assert carried("2002:a9fe:a9fe::") == ["169.254.169.254"]
    assert carried("2001:0:4136:e378:8000:63bf:80ff:fffe") == ["65.54.227.120", "127.0.0.1"]
    assert carried("2606:2800:21f:cb07:6820:80da:af6b:8b2c") == []


def stub(answers: dict[str, Sequence[str]]) -> TargetPolicy:
    """Production's policy with DNS answered from ``answers`` (anything else does not resolve)."""

    def resolve(host: str) -> Sequence[str]:
        if host not in answers:
            raise OSError(f"stub: {host} is not in the zone")
        return answers[host]

    return TargetPolicy(resolver=resolve)


ZONE = {
    "partner.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "intranet.example": ["10.20.30.40"],
    "split.example": ["93.184.215.14", "10.20.30.40"],
    "metadata.example": ["64:ff9b::a9fe:a9fe"],
    "scoped.example": ["fe80::1%eth0"],
    "xn--bcher-kva.example": ["93.184.215.14"],
    "2130706433": ["127.0.0.1"],  # what getaddrinfo makes of a decimal IPv4 address
}


def test_a_public_https_url_passes_with_every_address_it_resolves_to() -> None:
    target = stub(ZONE).check("https://partner.example/hooks?x=1")
    assert (target.host, target.port) == ("partner.example", 443)
    assert [str(a) for a in target.addresses] == ZONE["partner.example"]
    assert stub(ZONE).check("https://bücher.example:8443/").host == "xn--bcher-kva.example"
    assert stub(ZONE).check("https://93.184.215.14/").port == 443  # a literal is not resolved


@pytest.mark.parametrize(
    "url",
    [
        "https://intranet.example/hook",
        "https://split.example/hook",  # one private answer among public ones is enough
        "https://metadata.example/latest",
        "https://scoped.example/hook",
        "https://2130706433/hook",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:7f00:1]/hook",
        "https://[64:ff9b::a9fe:a9fe]/latest",
        "https://[2002:a9fe:a9fe::1]/latest",
        "https://[fe80::1%25eth0]/hook",
    ],
)
def test_non_public_targets_are_refused_without_saying_where_they_resolve(url: str) -> None:
    with pytest.raises(InvalidInputError, match=f"^{REFUSED}$"):
        stub(ZONE).check(url)


@pytest.mark.parametrize("host", ["127.0.0.1.", "nowhere.example", "localhost"])
def test_a_host_that_does_not_resolve_is_refused(host: str) -> None:
    with pytest.raises(InvalidInputError, match=f"^refused: {host} does not resolve$"):
        stub(ZONE).check(f"https://{host}/hook")


def test_a_resolver_answer_that_is_no_address_counts_as_no_answer() -> None:
    with pytest.raises(InvalidInputError, match="does not resolve"):
        stub({"odd.example": ["not-an-address"]}).check("https://odd.example/")
    with pytest.raises(InvalidInputError, match="does not resolve"):
        stub({"empty.example": []}).check("https://empty.example/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://partner.example/hook", "a webhook URL must be https, not 'http://partner"),
        ("ftp://partner.example/hook", "a webhook URL must be https, not 'ftp://partner"),
        ("https://user:pw@partner.example/", "a webhook URL carries no user name or password"),
        ("https:///hook", "a webhook URL names a host"),
        ("https://[::1/", "is not a URL"),
    ],
)
def test_the_url_form(url: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("?", r"\?")):
        stub(ZONE).check(url)


def test_a_deployment_allowing_private_targets_allows_http_and_any_address() -> None:
    lenient = TargetPolicy(allow_private=True, resolver=stub(ZONE).resolver)
    target = lenient.check("http://intranet.example:8080/hook")
    assert [str(a) for a in target.addresses] == ["10.20.30.40"]
    with pytest.raises(InvalidInputError, match="must be http or https, not 'ftp:"):
        lenient.check("ftp://intranet.example/")
    with pytest.raises(InvalidInputError, match="does not resolve"):
        lenient.check("http://nowhere.example/")  # a connection needs an address all the same
    # When subscribing there, only the form is checked: the tests' hosts resolve nowhere.
    assert lenient.admit("http://nowhere.example/") == "http://nowhere.example/"
    with pytest.raises(InvalidInputError, match=f"^{REFUSED}$"):
        stub(ZONE).admit("https://intranet.example/")
