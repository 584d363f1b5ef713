"""Where the registry may post a webhook: the address policy for webhook URLs.

A partner names its endpoint by URL, and the registry posts to it from inside the deployment's
network. Unchecked, that lets a partner make the registry post into that network (the cloud's
metadata service at 169.254.169.254, an admin port on localhost): server-side request forgery.
So a webhook URL is checked when it is subscribed and again before every attempt:

- ``https`` only; plain ``http`` only where the deployment allows non-public targets (the demo
  and the tests, whose receivers listen on 127.0.0.1);
- the host must resolve, and every address it resolves to must be public unicast. An IPv6
  address that carries an IPv4 address (IPv4-mapped and -compatible, NAT64, 6to4, Teredo) is
  judged by the IPv4 address it carries, since that is where its packets end up;
- the connection then goes to an address that was checked (``Target.addresses``, see
  ``registry.notifications.pinned``), never to a second answer from DNS, which could differ
  (DNS rebinding).

Refusals say "not a public address" and never what a name resolved to: how the deployment's
own DNS sees a name is none of a partner's business.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import httpx

from registry.errors import InvalidInputError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Host name (ASCII, IDNA-encoded) → the addresses it resolves to; raises ``OSError`` (as
#: ``socket.gaierror`` does) when it does not resolve.
Resolver = Callable[[str], Sequence[str]]

REFUSED = "refused: not a public address"
DEFAULT_PORTS = {"http": 80, "https": 443}

# IPv6 ranges whose low 32 bits are an IPv4 address (RFC 4291 section 2.5.5, RFC 6052).
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the prefix length the
# operator chose, and the range is never globally routed, so it is refused outright.
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
# IPv6 global unicast (RFC 4291); anything outside it that carries no IPv4 address is reserved,
# multicast, local or deprecated (site-local fec0::/10, which Python still calls global).
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries: one for IPv4-mapped (``::ffff:0:0/96``),
    IPv4-compatible (``::/96``), NAT64 (``64:ff9b::/96``) and 6to4 (``2002::/16``); the server
    and the client for Teredo (``2001::/32``); none otherwise."""
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return (ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF),)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return address.teredo
    return ()


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is public unicast: globally reachable, not multicast, and (for an
    IPv6 address carrying an IPv4 address) carrying only public IPv4 addresses."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_LOCAL:
            return False
        carried = embedded_ipv4(address)
        if carried:
            return all(is_public(inner) for inner in carried)
        if address not in _GLOBAL_UNICAST:
            return False
    return address.is_global and not address.is_multicast


def system_resolver(host: str) -> list[str]:
    """The addresses ``host`` resolves to, as the operating system's resolver answers for a
    TCP connection, in its order of preference (duplicates dropped)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    """A checked webhook URL and the addresses a connection to it may use."""

    url: httpx.URL
    #: The host as it goes on the wire (IDNA-encoded); the Host header and TLS use it.
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@dataclass(frozen=True)
class TargetPolicy:
    """The address policy of one deployment. Production refuses non-public targets and plain
    ``http``; the demo and the tests allow both (``allow_private``). ``resolver`` is the
    system's unless a test injects answers."""

    allow_private: bool = False
    resolver: Resolver = field(default=system_resolver)

    @property
    def schemes(self) -> tuple[str, ...]:
        """The URL schemes a webhook may use here."""
        return ("http", "https") if self.allow_private else ("https",)

    def parse(self, url: str) -> httpx.URL:
        """Check the URL's form (scheme, host, no credentials) without resolving anything;
        raises ``InvalidInputError`` naming what is wrong."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            raise InvalidInputError(f"{url!r} is not a URL") from None
        if parsed.scheme not in self.schemes:
            raise InvalidInputError(
                f"a webhook URL must be {' or '.join(self.schemes)}, not {url!r}"
            )
        if not parsed.host:
            raise InvalidInputError(f"a webhook URL names a host: {url!r}")
        if parsed.userinfo:
            # The URL is shown back in listings and logs: credentials have no place in it.
            raise InvalidInputError("a webhook URL carries no user name or password")
        return parsed

    def check(self, url: str) -> Target:
        """The full check before a connection: the URL's form, then its host resolved once and
        every address judged. Returns the addresses a connection may use; raises
        ``InvalidInputError`` (``refused: ...``) otherwise."""
        parsed = self.parse(url)
        host = parsed.raw_host.decode("ascii")
        literal = _literal(host)
        if literal is not None:
            addresses: tuple[IPAddress, ...] = (literal,)
        else:
            try:
                answers = self.resolver(host)
                # A scope id (fe80::1%eth0) names an interface, not an address.
                addresses = tuple(ipaddress.ip_address(a.split("%")[0]) for a in answers)
            except (OSError, UnicodeError, ValueError):
                addresses = ()
            if not addresses:
                raise InvalidInputError(f"refused: {parsed.host} does not resolve")
        # Every address, not just the first: a name that also resolves to an internal address
        # may be connected there (a second A record, a fallback after a failed connection).
        if not self.allow_private and not all(is_public(a) for a in addresses):
            raise InvalidInputError(REFUSED)
        return Target(parsed, host, parsed.port or DEFAULT_PORTS[parsed.scheme], addresses)

    def admit(self, url: str) -> str:
        """The check when a URL is subscribed: the full check, except where the deployment
        allows non-public targets. There every address passes anyway, and a name that does not
        resolve is left for the attempts to report (the tests use names that resolve nowhere).
        Returns the URL as given."""
        if self.allow_private:
            self.parse(url)
        else:
            self.check(url)
        return url
