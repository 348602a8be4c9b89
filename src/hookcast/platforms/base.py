"""What every platform module declares and implements.

A platform module is a leaf: it imports the Message model and the helpers here, nothing from
delivery, store or web. It declares its settings, hosts and limits once; the API schema, the UI
form, the CLI and the redaction of secrets derive from that declaration.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar
from urllib.parse import urlsplit

from hookcast.messages.model import Message
from hookcast.platforms.webhook_url import WebhookUrlSpec


class PlatformName(StrEnum):
    FEISHU = "feishu"
    LARK = "lark"
    DINGTALK = "dingtalk"
    WECOM = "wecom"
    SLACK = "slack"
    DISCORD = "discord"
    TEAMS = "teams"
    TELEGRAM = "telegram"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One setting a platform takes besides its URL (a signing secret, a keyword, a chat id).

    Declared once in the platform's package; the API schema, the UI form, the CLI options,
    validation and redaction are all derived from it.
    """

    name: str
    label: str
    help: str
    secret: bool = False  # sealed at rest, never shown again, redacted everywhere
    required: bool = False
    pattern: str | None = None  # a full-match regular expression
    max_length: int = 512


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``count`` messages every ``seconds`` seconds, per bot (webhook URL)."""

    count: int
    seconds: int


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """What encoding needs to know about one destination."""

    url: str
    secret: str | None = None
    keyword: str | None = None
    # every other declared setting (FieldSpec.name -> value); absent when not set
    settings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes


# --- Outcomes: how a platform's answer is classified -------------------------------------


@dataclass(frozen=True, slots=True)
class Delivered:
    pass


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """Try again later; ``seconds`` when the platform said how long (Retry-After and kin)."""

    reason: str
    seconds: float | None = None
    throttled: bool = False  # the platform said "too fast": back off the whole bot


@dataclass(frozen=True, slots=True)
class Unreachable(RetryAfter):
    """No answer at all (refused connection, DNS failure, timeout): retried like any "try again
    later", but counted apart, so that a dead endpoint is not mistaken for a rate limit."""


@dataclass(frozen=True, slots=True)
class Permanent:
    """Retrying will not help. ``pause`` when the destination itself is gone or refuses us."""

    reason: str
    pause: bool = False


Outcome = Delivered | RetryAfter | Permanent


@dataclass(frozen=True, slots=True)
class EncodeContext:
    """Per-send facts: the clock (for signatures) and the delivery's idempotency key."""

    now: float
    idempotency_key: str


class Platform:
    """Base class of the platform modules. Subclasses set the class attributes and implement
    :meth:`encode` and :meth:`classify`."""

    name: ClassVar[PlatformName]
    label: ClassVar[str]
    hosts: ClassVar[tuple[str, ...]]  # allowlist, fnmatch patterns such as "*.logic.azure.com"
    webhook_url: ClassVar[WebhookUrlSpec]  # the path and query its webhook URLs have, on any host
    settings: ClassVar[tuple[FieldSpec, ...]] = ()
    rate_limits: ClassVar[tuple[RateLimit, ...]] = ()
    max_body_bytes: ClassVar[int] = 20_000
    # Room for the lines of a digest (bytes of message text), so a digest never has to be cut.
    digest_budget: ClassVar[int] = 8_000

    def encode(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> HttpRequest:
        raise NotImplementedError

    def classify(self, response: HttpResponse) -> Outcome:
        raise NotImplementedError

    def redact_url(self, url: str) -> str:
        """The URL with its secret parts hidden, for logs, API answers and delivery records.

        The default hides the whole path and query: for most platforms the URL is the secret.
        """
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/***" if parts.path not in ("", "/") else url

    def url_problem(self, url: str) -> str | None:
        """None when ``url`` has the shape of this platform's webhook URLs, else how to fix it."""
        return self.webhook_url.problem(url)

    @classmethod
    def host_allowed(cls, host: str, extra_hosts: tuple[str, ...] = ()) -> bool:
        host = host.lower()
        return any(fnmatch.fnmatch(host, pattern) for pattern in (*cls.hosts, *extra_hosts))
