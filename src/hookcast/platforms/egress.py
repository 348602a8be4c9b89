"""Where hookcast may connect: the rules every outbound request follows, whoever makes it
(group webhooks, IM app clients, the assistant bot, test messages). Pure: the HTTP client
applies them (`delivery/egress.py`) to the address it is about to connect to.

A URL is checked when it is saved, but by name: a public-looking name can resolve to a
loopback, private or cloud-metadata address, at save time or any time after (DNS rebinding).
So the rule is applied again to every address a name resolves to, and to every address written
in a URL, just before connecting:

- a host on the instance's extra allowed hosts (``HOOKCAST_EXTRA_ALLOWED_HOSTS``, fnmatch
  patterns on the host as written in the URL) is trusted: any address, any port. That is how a
  private deployment (and the tests' fake servers) is reached on purpose;
- any other host is reached only on https's port, 443, and only at a global unicast address:
  not unspecified, loopback, private, link-local (169.254.169.254, the cloud metadata service,
  is one), shared (100.64.0.0/10), multicast, reserved or otherwise non-global, nor an IPv6
  address that embeds such an IPv4 address (IPv4-mapped, IPv4-translated, 6to4, NAT64's
  64:ff9b::/96).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from fnmatch import fnmatch

HTTPS_PORT = 443

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052, the well-known prefix
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765, IPv4-translated


def ip_literal(host: str) -> IpAddress | None:
    """``host`` (as in a URL, IPv6 possibly in brackets) as an address, or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to, for the forms a host or a translator maps."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _TRANSLATED:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_kind(address: IpAddress) -> str | None:
    """None for a global unicast address, else what it is ("loopback", "private"...), for the
    reason a refusal gives."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = embedded_ipv4(address)
        if embedded is not None:
            return address_kind(embedded)
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _SHARED, "shared"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "non-global"),
    )
    return next((kind for refused, kind in checks if refused), None)


def on_hosts(host: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``host`` matches one of the fnmatch ``patterns`` (case-insensitive, without an
    IPv6 literal's brackets or a name's final dot)."""
    host = host.strip("[]").rstrip(".").lower()
    return any(fnmatch(host, pattern.strip("[]").lower()) for pattern in patterns)


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    """The instance's rule for outbound connections (see the module's docstring)."""

    extra_hosts: tuple[str, ...] = ()
    ports: frozenset[int] = field(default=frozenset({HTTPS_PORT}))

    def trusts(self, host: str) -> bool:
        return on_hosts(host, self.extra_hosts)

    def url_refusal(self, host: str, port: int | None) -> str | None:
        """Why a URL on ``host`` and ``port`` may not be connected to, from the URL alone (an
        address written in it, its port), or None. A name's addresses are checked when it is
        resolved (`address_refusal`)."""
        if self.trusts(host):
            return None
        if port is not None and port not in self.ports:
            allowed = ", ".join(str(p) for p in sorted(self.ports))
            return f"port {port} is not allowed for {host} (only {allowed}, or an extra allowed host)"
        address = ip_literal(host)
        kind = address_kind(address) if address is not None else None
        if kind is not None:
            return f"{host} is {_article(kind)} {kind} address, which only an extra allowed host may be"
        return None

    def address_refusal(self, host: str, address: str) -> str | None:
        """Why ``host`` may not be connected to at ``address`` (one of its DNS answers), or None."""
        if self.trusts(host):
            return None
        parsed = ip_literal(address)
        kind = address_kind(parsed) if parsed is not None else "unreadable"
        if kind is None:
            return None
        which = "which only an extra allowed host may"
        return f"{host} resolves to {_article(kind)} {kind} address {address}, {which}"


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
