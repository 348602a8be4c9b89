"""Mattermost incoming webhooks: one Slack-style attachment, on the user's own server.

Mattermost is self-hosted: the platform has no hosts of its own, the webhook URL's host is taken
when it is public (private addresses only through the instance's extra allowed hosts). Text is
Mattermost markdown, which honours backslash escapes; Mattermost also turns Slack's ``<!channel>``
and ``<id>`` forms into mentions before rendering, so a "<" in user text is broken apart too. The
contract (answers, limits, sources) is in docs/platform-contracts.md.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from hookcast.messages.model import Mention, Message, MessageField
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpResponse,
    Outcome,
    Palette,
    Permanent,
    Platform,
    PlatformName,
    PreviewStyle,
    RateLimit,
    RetryAfter,
    WebhookTarget,
)
from hookcast.platforms.egress import HTTPS_PORT
from hookcast.platforms.shared import (
    HEX_PALETTE,
    TONE_HEX,
    Markdown,
    action_links,
    body_lines,
    body_text,
    classify_status,
    mention_id,
    native_ids,
    render_line,
    retry_after,
    usable_actions,
)
from hookcast.platforms.text import (
    ZWSP,
    fit_lines,
    fit_to_budget,
    neutralize_markdown,
    one_line,
    safe_url,
    truncate,
)
from hookcast.platforms.url_secrets import UrlSecrets, path_after
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec

USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,21}")  # Mattermost's rule for usernames
BROADCASTS = frozenset({"all", "channel", "here"})
POST_CHARS = 16_383  # a post's text since server 5.0; longer text is split into several posts
# Servers before 5.0 refuse more than 7,900 characters of attachments; staying under it costs
# little and keeps every server version working.
ATTACHMENTS_CHARS = 7_500
TITLE_CHARS = 200
FALLBACK_CHARS = 300
FOOTER_CHARS = 300
FIELD_TITLE_CHARS = 100
FIELD_VALUE_CHARS = 500
MAX_FIELDS = 12
MAX_LINKS = 5
MIN_BODY_CHARS = 1_500
MAX_RETRY_AFTER = 3600.0

_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:])")
_AT = re.compile(r"[@＠﹫]")


def escape_mattermost(text: str) -> str:
    """Mattermost markdown: punctuation backslash-escaped, and "<" / "@" broken by a zero-width
    space (Slack-style ``<!channel>`` is translated before markdown, so a backslash is not enough)."""
    text = _SPECIALS.sub(r"\\\1", one_line(text)).replace("<", "<" + ZWSP)
    return _AT.sub(lambda match: match.group(0) + ZWSP, text)


def native_mention(mention: Mention) -> str | None:
    person = mention_id(mention, PlatformName.MATTERMOST, USERNAME)
    return f"@{person}" if person and person not in BROADCASTS else None


MARKDOWN = Markdown(
    escape=escape_mattermost,
    mention=native_mention,
    code=lambda text: f"`{text}`",
)


class Mattermost(Platform):
    name: ClassVar[PlatformName] = PlatformName.MATTERMOST
    label: ClassVar[str] = "Mattermost"
    label_zh: ClassVar[str] = "Mattermost"
    logo_colour: ClassVar[str] = "#1e325c"
    example_url: ClassVar[str] = "https://mattermost.example.com/hooks/examplehookid0000000000000"
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.ATTACHMENT
    palette: ClassVar[Palette] = HEX_PALETTE
    hosts: ClassVar[tuple[str, ...]] = ()
    self_hosted: ClassVar[bool] = True
    # 8065: the port Mattermost serves on by default, TLS included when it terminates it itself.
    ports: ClassVar[frozenset[int]] = frozenset({HTTPS_PORT, 8065})
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Mattermost webhook URL",
        where="Integrations > Incoming Webhooks on your Mattermost server",
        shapes=(UrlShape("https://<your server>/hooks/…", r"(?:/[\w.-]+)*/hooks/[a-z0-9]{10,64}/?"),),
    )
    # Mattermost's own rate limiting is off unless the admin enables it (then 10 a second).
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(10, 1),)
    max_body_bytes: ClassVar[int] = 40_000  # bounds the UTF-8 form; the limits are in characters
    digest_budget: ClassVar[int] = 3_000

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        lines = body_lines(message, MARKDOWN, with_fields=False)
        links = action_links(usable_actions(message, MAX_LINKS), MARKDOWN, " · ")
        fields = [attachment_field(field) for field in message.fields[:MAX_FIELDS]]
        people = native_ids(message, self.name, USERNAME)
        text = " ".join(f"@{person}" for person in people if person not in BROADCASTS)

        def build(budget: int) -> dict[str, Any]:
            body = fit_lines(lines, budget, len)
            attachment: dict[str, Any] = {
                "fallback": inert(message.summary or message.title, FALLBACK_CHARS),
                "color": TONE_HEX[message.tone],
                "title": inert(message.title or message.summary, TITLE_CHARS) or "—",
            }
            url = safe_url(message.url)
            if url:
                attachment["title_link"] = url
            described = "\n\n".join(part for part in (body, links) if part)
            if described:
                attachment["text"] = described
            if fields:
                attachment["fields"] = fields
            if message.footer:
                attachment["footer"] = inert(message.footer, FOOTER_CHARS)
            payload: dict[str, Any] = {"attachments": [attachment]}
            if text:
                payload["text"] = truncate(text, POST_CHARS)
            return payload

        while fields and attachments_chars(build(0)) > ATTACHMENTS_CHARS - MIN_BODY_CHARS:
            fields.pop()  # fields give way before the body shrinks below MIN_BODY_CHARS
        return fit_to_budget(build, fits, ATTACHMENTS_CHARS)

    def classify(self, response: HttpResponse) -> Outcome:
        if response.status == 200:
            if response.body.strip() in (b"ok", b""):
                return Delivered()
            return Permanent(f"mattermost: HTTP 200 with unexpected answer {body_text(response)!r}")
        if response.status == 429:
            seconds = retry_after(response.headers, "retry-after", "x-ratelimit-reset")
            wait = min(seconds, MAX_RETRY_AFTER) if seconds is not None else None
            return RetryAfter(f"mattermost: HTTP 429 {body_text(response)}".rstrip(), wait, True)
        if response.status == 501:  # incoming webhooks switched off by the server's admin
            return Permanent(f"mattermost: HTTP 501 {body_text(response)}".rstrip(), pause=True)
        outcome = classify_status(response, "mattermost", pause=frozenset({401, 403, 404}))
        if isinstance(outcome, RetryAfter) and outcome.seconds is not None:
            return RetryAfter(outcome.reason, min(outcome.seconds, MAX_RETRY_AFTER), outcome.throttled)
        return outcome

    def url_secrets(self, url: str) -> UrlSecrets:
        """Keep the server, hide the hook id (the whole secret) and anything after it."""
        return path_after(url, 0)


def inert(text: str, limit: int) -> str:
    """For the attachment's plain parts (title, fields' titles, footer, fallback), which some
    clients render as markdown or links: readable either way, never markup or a mention."""
    return neutralize_markdown(truncate(text.strip(), limit))


def attachments_chars(payload: dict[str, Any]) -> int:
    """What a server counts against the attachments limit: their JSON, in characters."""
    return len(json.dumps(payload["attachments"], ensure_ascii=False))


def fits(payload: dict[str, Any]) -> bool:
    return attachments_chars(payload) <= ATTACHMENTS_CHARS


def attachment_field(field: MessageField) -> dict[str, Any]:
    value = render_line(field.value, MARKDOWN)
    text = value.markup if len(value.markup) <= FIELD_VALUE_CHARS else value.plain
    return {
        "title": inert(field.label, FIELD_TITLE_CHARS),
        "value": truncate(text, FIELD_VALUE_CHARS) or "—",
        "short": field.short,
    }
