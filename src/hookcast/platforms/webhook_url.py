"""The shape of a platform's group-webhook URL, and what to tell someone whose URL does not fit.

Each platform module declares its `WebhookUrlSpec` once, next to its allowed hosts. The host is
checked apart (the instance may allow extra hosts: private deployments, the tests' fake
servers); the spec checks the path and the query, on any host. A URL that does not fit is
refused with a message naming the fix: the placeholder of an example still in it, the query
parameter it lacks, or what the URL should look like and where to copy it from. Messages never
repeat the URL: its path and query are the secret. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from hookcast.platforms.egress import address_kind, ip_literal

# What documentation examples put where the secret goes: "…", "...", "<token>", "{id}" (raw or
# percent-encoded). None of these can be in a real webhook URL.
_PLACEHOLDER = re.compile(
    r"…|\.\.\.|%E2%80%A6|<[^<>/?&]*>?|%3C.*?(?:%3E|$)|\{[^{}/?&]*\}?|%7B.*?(?:%7D|$)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class UrlShape:
    """One form of webhook URL: its path (a regular expression the whole path must match) and
    the query parameters that must have a value."""

    example: str
    path: str
    query: tuple[str, ...] = ()

    def path_fits(self, path: str) -> bool:
        return re.fullmatch(self.path, path) is not None

    def missing_query(self, query: str) -> list[str]:
        values = parse_qs(query, keep_blank_values=True)
        return [name for name in self.query if not any(v.strip() for v in values.get(name, []))]


@dataclass(frozen=True, slots=True)
class WebhookUrlSpec:
    """What a platform's webhook URLs look like: ``what`` names them in messages ("a DingTalk
    robot URL"), ``where`` says where the whole URL is to be copied from."""

    what: str
    where: str
    shapes: tuple[UrlShape, ...]

    def problem(self, url: str) -> str | None:
        """None when ``url`` fits one of the shapes, else what is wrong and how to fix it."""
        placeholder = _PLACEHOLDER.search(url)
        if placeholder is not None:
            return (
                f"the URL still has the placeholder {placeholder.group(0)!r}: "
                f"paste the whole URL from {self.where}"
            )
        parts = urlsplit(url)
        fitting = [shape for shape in self.shapes if shape.path_fits(parts.path)]
        if any(not shape.missing_query(parts.query) for shape in fitting):
            return None
        copy = f"copy the whole URL from {self.where}"
        if not fitting:
            examples = " or ".join(shape.example for shape in self.shapes)
            return f"{self.what} looks like {examples}; this one does not: {copy}"
        shape = fitting[0]
        missing = " or ".join(shape.missing_query(parts.query))
        return f"{self.what} looks like {shape.example}; this one has no {missing}: {copy}"


# Names that never lead to the public internet (RFC 6761, 6762, 8375 and common private zones).
_PRIVATE_ZONES = ("localhost", "local", "internal", "intranet", "lan", "home.arpa", "invalid", "test")
_LAST_LABEL = re.compile(r"[a-z][a-z0-9-]*[a-z0-9]|[a-z]")  # a top-level domain is never numeric


def public_host(host: str) -> bool:
    """Whether a self-hosted platform's URL may point at ``host`` without the instance allowing it.

    An address must be a global one (no loopback, private, link-local, shared, reserved or
    mapped-private address). A name needs a dot and an alphabetic top-level domain (so "127.1",
    "0x7f.1" and bare intranet names such as "mattermost" are refused) and must not be in a private
    zone ("localhost", "*.local", "*.internal"…). Pure: a public name that resolves to a private
    address is caught when it is connected to (`platforms/egress.py`).
    """
    host = host.strip().lower().rstrip(".").strip("[]")
    if not host:
        return False
    address = ip_literal(host)
    if address is not None:
        return address_kind(address) is None
    labels = host.split(".")
    if len(labels) < 2 or not _LAST_LABEL.fullmatch(labels[-1]):
        return False
    return not any(host == zone or host.endswith("." + zone) for zone in _PRIVATE_ZONES)
