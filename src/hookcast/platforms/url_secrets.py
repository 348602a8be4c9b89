"""Which parts of a URL are secret, declared once per platform (`Platform.url_secrets`), and the
two things derived from that declaration: the redacted URL that may be shown and stored
(`UrlSecrets.redact`), and the secret parts themselves (`UrlSecrets.parts`), which `scrub`
takes out of whatever an endpoint echoes back (answers, errors, recorded requests), in every
encoding an echo may use. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote, unquote_plus, urlsplit, urlunsplit

REDACTED = "***"
# A part shorter than this is not scrubbed: it would take ordinary words out of answers. No
# platform's secret is that short.
MIN_SECRET_CHARS = 4


@dataclass(frozen=True, slots=True)
class UrlSecrets:
    """Where one URL keeps its secrets: ``path``, the span (start, end) of its path that is
    secret (None: none of it); ``query``, the names of the query parameters whose values are
    secret (None: the whole query, which redaction then drops)."""

    path: tuple[int, int] | None = None
    query: tuple[str, ...] | None = ()

    def redact(self, url: str) -> str:
        """``url`` with each secret part replaced by ``***`` (and no fragment)."""
        parts = urlsplit(url)
        path = parts.path
        if self.path is not None:
            start, end = self.path
            path = f"{path[:start]}{REDACTED}{path[end:]}"
        if self.query is None:
            query = ""
        else:
            query = "&".join(
                f"{name}={REDACTED}" if self._secret(name) else pair
                for pair, name, _ in _query_pairs(parts.query)
            )
        return urlunsplit(parts._replace(path=path, query=query, fragment=""))

    def parts(self, url: str) -> tuple[str, ...]:
        """The secret parts of ``url`` as written in it: the secret span of the path and each of
        its segments, and the value of each secret query parameter."""
        parts = urlsplit(url)
        found: list[str] = []
        if self.path is not None:
            start, end = self.path
            secret = parts.path[start:end]
            found += [secret, *secret.split("/")]
        found += [value for _, name, value in _query_pairs(parts.query) if self._secret(name)]
        return tuple(part for part in found if part)

    def _secret(self, name: str) -> bool:
        return self.query is None or name in self.query


def _query_pairs(query: str) -> list[tuple[str, str, str]]:
    """(raw pair, decoded name, raw value) for each ``name=value`` of a query, as written."""
    pairs = []
    for pair in query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            pairs.append((pair, unquote_plus(name), value))
    return pairs


def whole(url: str) -> UrlSecrets:
    """The whole path and query are secret (the URL is the credential)."""
    return path_after(url, 0)


def path_after(url: str, keep_segments: int) -> UrlSecrets:
    """The path after its first ``keep_segments`` segments is secret, and the query."""
    path = urlsplit(url).path
    segments = [match.start() for match in re.finditer(r"[^/]+", path)]
    if len(segments) <= keep_segments:
        return UrlSecrets(query=None)
    return UrlSecrets(path=(segments[keep_segments], len(path)), query=None)


def query_values(*names: str) -> UrlSecrets:
    """The values of the named query parameters are secret; the path is not."""
    return UrlSecrets(query=names)


# Characters no encoding changes: a secret made of these alone has no other form (most tokens).
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")


def forms(secret: str) -> set[str]:
    """``secret`` as an echo may give it back: as written, percent-decoded (``+`` as a plus or
    a space), percent-encoded (again, or as written: a client encodes a query value it is
    given), with JSON's escaped slashes."""
    if _PLAIN.fullmatch(secret):
        return {secret}
    decoded = unquote(secret)
    encoded = (quote(decoded, safe=""), quote(decoded), quote(secret, safe=""))
    found = {secret, decoded, unquote_plus(secret), *encoded}
    return found | {form.replace("/", "\\/") for form in found}


class Scrubber:
    """Replaces every secret, in each of its `forms`, and each ``verbatim`` text as it is (a
    whole URL: its secret parts are among the secrets, in every form) by ``***``, longest
    first. Built once per request and applied to each text of it."""

    __slots__ = ("_forms",)

    def __init__(self, secrets: Iterable[str | None], verbatim: Iterable[str] = ()) -> None:
        every = {form for secret in secrets if secret for form in forms(secret)} | set(verbatim)
        self._forms = sorted((form for form in every if len(form) >= MIN_SECRET_CHARS), key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._forms:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret in it, in each of its `forms`, replaced by ``***``."""
    return Scrubber(secrets)(text)
