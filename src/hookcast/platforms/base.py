"""What every platform package declares and implements.

A platform is one package (``platforms/<name>/``): its group webhook (the `Platform` subclass,
whose class attributes are the platform's declaration), its IM app client when it has one, and
whatever else only it needs. The declaration is read everywhere else: the API schema, the UI
form and preview, the CLI, redaction, the IM app registry. The encoders are leaves: they import
the Message model and the shared helpers, nothing from delivery, store or web.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from hookcast.events import Tone
from hookcast.living import MessageMode
from hookcast.messages.model import Message
from hookcast.platforms.egress import HTTPS_PORT

# The names live in a leaf module (a platform may name itself without importing the registry).
from hookcast.platforms.names import PlatformName as PlatformName
from hookcast.platforms.text import json_bytes
from hookcast.platforms.url_secrets import UrlSecrets, whole
from hookcast.platforms.webhook_url import WebhookUrlSpec, public_host

if TYPE_CHECKING:
    from hookcast.platforms.app_client.client import AppClient


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


# A platform's suggested wait is a hint, not an order: a hostile or broken endpoint may answer
# ``Retry-After: 1e12`` (or inf, nan, -5). Waits are kept within [0, this]; an hour is longer
# than any platform documents.
MAX_SUGGESTED_WAIT_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """Try again later; ``seconds`` when the platform said how long (Retry-After and kin), always
    a finite number within [0, MAX_SUGGESTED_WAIT_SECONDS] (NaN means "not said")."""

    reason: str
    seconds: float | None = None
    throttled: bool = False  # the platform said "too fast": back off the whole bot

    def __post_init__(self) -> None:
        object.__setattr__(self, "seconds", bounded_wait(self.seconds))


def bounded_wait(seconds: float | None) -> float | None:
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_SUGGESTED_WAIT_SECONDS)


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
    # An opaque, stable name of the object the message is about (`hookcast.living`), for
    # platforms that thread by a key of the sender's choosing (Google Chat's ``threadKey``).
    thread_key: str | None = None


@dataclass(frozen=True, slots=True)
class ToneColour:
    """How a platform colours one tone: the value its body carries ("green", "info",
    "#2EB67D") and how that looks on screen (for the UI's preview)."""

    value: str
    hex: str


@dataclass(frozen=True, slots=True)
class Palette:
    """A platform's colour for every tone: one field per tone, so none can be missing."""

    success: ToneColour
    failure: ToneColour
    neutral: ToneColour
    warning: ToneColour

    def of(self, tone: Tone) -> ToneColour:
        colour: ToneColour = getattr(self, tone.name.lower())
        return colour


class PreviewStyle(StrEnum):
    """How the UI's preview lays a message out, after the platform's own presentation."""

    CARD = "card"  # Feishu / Lark interactive card: coloured header
    MARKDOWN = "markdown"  # a markdown text message with a coloured title
    ATTACHMENT = "attachment"  # Slack: a coloured bar beside blocks
    EMBED = "embed"  # Discord: an embed with a coloured edge
    ADAPTIVE = "adaptive"  # Teams: an adaptive card with coloured text


# Where the group payload of a direct message is encoded "to": never posted anywhere.
_NOWHERE = WebhookTarget(url="https://direct-message.invalid/")


class Platform:
    """Base class of the platform declarations. Subclasses set the class attributes and
    implement :meth:`payload` (and :meth:`post_url` when the URL is signed) and :meth:`classify`."""

    name: ClassVar[PlatformName]
    label: ClassVar[str]  # in English
    label_zh: ClassVar[str]  # in Simplified Chinese
    logo_colour: ClassVar[str]  # the brand colour behind the UI's logo letter (#rrggbb)
    example_url: ClassVar[str]  # a placeholder webhook URL on the platform's host, for previews
    # settings previews and golden files use (a required chat id, say): never secrets
    example_settings: ClassVar[Mapping[str, str]] = MappingProxyType({})
    preview_style: ClassVar[PreviewStyle]
    palette: ClassVar[Palette]
    # The IM app client that sends direct messages, when the platform has one.
    im_app: ClassVar[type[AppClient] | None] = None
    hosts: ClassVar[tuple[str, ...]]  # allowlist, fnmatch patterns such as "*.logic.azure.com"
    # Self-hosted platforms (Mattermost) have no hosts of their own: a webhook's host is the one
    # in its URL, accepted when it is a public name or address (see ``webhook_url.public_host``).
    self_hosted: ClassVar[bool] = False
    # The ports its webhook URLs may name off the instance's extra allowed hosts (when saved; the
    # connection itself is limited to the ports of every platform, `delivery/egress.py`).
    ports: ClassVar[frozenset[int]] = frozenset({HTTPS_PORT})
    webhook_url: ClassVar[WebhookUrlSpec]  # the path and query its webhook URLs have, on any host
    settings: ClassVar[tuple[FieldSpec, ...]] = ()
    rate_limits: ClassVar[tuple[RateLimit, ...]] = ()
    max_body_bytes: ClassVar[int] = 20_000
    # Room for the lines of a digest (bytes of message text), so a digest never has to be cut.
    digest_budget: ClassVar[int] = 8_000

    def label_in(self, language: str) -> str:
        return self.label_zh if language.startswith("zh") else self.label

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        """The JSON body the group webhook gets (signature and keyword included)."""
        raise NotImplementedError

    def post_url(self, target: WebhookTarget, ctx: EncodeContext) -> str:
        """Where the body is posted (a platform that signs the URL overrides this)."""
        return target.url

    def encode(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> HttpRequest:
        return HttpRequest(
            method="POST",
            url=self.post_url(target, ctx),
            headers={"Content-Type": "application/json; charset=utf-8"},
            body=json_bytes(self.payload(message, target, ctx)),
        )

    def direct_payload(self, message: Message, idempotency_key: str) -> dict[str, Any]:
        """The body the group webhook would get, unsigned and without keyword: an IM app takes
        its parts for a direct message, so that the message looks like the group's card."""
        return self.payload(message, _NOWHERE, EncodeContext(0.0, idempotency_key))

    def classify(self, response: HttpResponse) -> Outcome:
        raise NotImplementedError

    # --- Living messages (`hookcast.living`): what a later event may do to an earlier message ---

    def message_modes(self, url: str) -> tuple[MessageMode, ...]:
        """The message modes a webhook posting to ``url`` may have, its default first. Most
        incoming webhooks can neither edit nor thread: a full message per event, or follow-ups."""
        return (MessageMode.EVERY_EVENT, MessageMode.FOLLOW_UP)

    def encode_post(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> HttpRequest:
        """A post whose answer names the new message, so that later events can reach it
        (Discord's ``?wait=true``); by default the plain post."""
        return self.encode(message, target, ctx)

    def posted_ref(self, response: HttpResponse) -> str:
        """The platform's reference to the message a post created (message id, ts …), read from
        its answer; "" when it names none. Bounded and plain: it is stored and sent back."""
        return ""

    def encode_edit(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        """The request that replaces the content of the message ``ref`` (modes with UPDATE)."""
        raise NotImplementedError(f"{self.name} cannot edit a message")

    def encode_reply(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        """The request that replies in the thread of the message ``ref`` (modes with THREAD)."""
        raise NotImplementedError(f"{self.name} cannot reply in a thread")

    def edit_refused(self, response: HttpResponse) -> bool:
        """True when the answer to an edit or a reply says the message can no longer be reached
        (deleted, too old to edit): a new message is posted instead, and remembered."""
        return False

    def url_secrets(self, url: str) -> UrlSecrets:
        """Which parts of ``url`` are secret: the one declaration redaction and scrubbing derive
        from (`platforms/url_secrets.py`). The default: the whole path and query, for most
        platforms the URL is the credential."""
        return whole(url)

    def redact_url(self, url: str) -> str:
        """The URL with its secret parts hidden, for logs, API answers and delivery records."""
        return self.url_secrets(url).redact(url)

    def secrets_of(self, target: WebhookTarget, sent_url: str) -> tuple[str, ...]:
        """The secrets of a destination, for `url_secrets.Scrubber`: each secret part of its URL
        and of the URL sent to (a signed one), and every secret setting (a signing secret)."""
        settings = (target.settings.get(spec.name) for spec in self.settings if spec.secret)
        return tuple(
            secret
            for secret in (
                *self.url_secrets(target.url).parts(target.url),
                *self.url_secrets(sent_url).parts(sent_url),
                target.secret,
                *settings,
            )
            if secret
        )

    def relayed(self, url: str) -> bool:
        """True when hookcast delivers to ``url`` through the platform's app instead of posting
        to it (Feishu's chat URLs, handed out by the assistant bot)."""
        return False

    def relay_problem(self, url: str, public_url: str | None) -> str | None:
        """For a relayed URL: None when it belongs to this instance (``public_url``, when set),
        else what is wrong with it."""
        return None

    def url_problem(self, url: str) -> str | None:
        """None when ``url`` has the shape of this platform's webhook URLs, else how to fix it."""
        return self.webhook_url.problem(url)

    @classmethod
    def host_allowed(cls, host: str, extra_hosts: tuple[str, ...] = ()) -> bool:
        host = host.lower()
        if cls.self_hosted and public_host(host):
            return True
        return any(fnmatch.fnmatch(host, pattern) for pattern in (*cls.hosts, *extra_hosts))
