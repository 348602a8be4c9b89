"""Microsoft Teams: an Adaptive Card for Workflows (Power Automate) webhooks, a MessageCard for
the retired Office 365 connector URLs."""

from __future__ import annotations

import fnmatch
from typing import Any, ClassVar
from urllib.parse import urlsplit

from hookcast.messages.model import Message
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpResponse,
    Outcome,
    Palette,
    Platform,
    PlatformName,
    PreviewStyle,
    RateLimit,
    RetryAfter,
    ToneColour,
    WebhookTarget,
)
from hookcast.platforms.shared import (
    TONE_HEX,
    Markdown,
    body_lines,
    body_text,
    classify_status,
    json_object,
    plain_title,
    render_line,
    usable_actions,
)
from hookcast.platforms.text import (
    fit_lines,
    fit_to_budget,
    json_bytes,
    neutralize_markdown,
    neutralize_plain,
    truncate,
    utf8_len,
)
from hookcast.platforms.url_secrets import UrlSecrets, query_values, whole
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec

LEGACY_HOSTS = ("*.webhook.office.com", "outlook.office.com", "outlook.office365.com")
WORKFLOW_HOSTS = ("*.powerplatform.com", "*.logic.azure.com")
# The adaptive card text colours for the tones, and how Teams shows them.
PALETTE = Palette(
    success=ToneColour("good", "#237B4B"),
    failure=ToneColour("attention", "#C4314B"),
    neutral=ToneColour("default", "#242424"),
    warning=ToneColour("warning", "#FA9D3B"),
)
TITLE_CHARS = 200
FOOTER_CHARS = 300
FACT_CHARS = 500
MAX_FACTS = 25
MAX_BUTTONS = 5
BUTTON_CHARS = 60
LINE_BREAK = "\n\n"  # a TextBlock breaks lines on an empty line

MARKDOWN = Markdown(
    escape=neutralize_markdown,
    mention=lambda mention: None,  # a real Teams mention needs an entity: the plain name it is
)


def is_legacy(url: str) -> bool:
    """Office 365 connector URLs (``…webhook.office.com/webhookb2/…``), by host or by path."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.path.startswith("/webhookb2/") or any(fnmatch.fnmatch(host, p) for p in LEGACY_HOSTS)


class Teams(Platform):
    name: ClassVar[PlatformName] = PlatformName.TEAMS
    label: ClassVar[str] = "Microsoft Teams"
    label_zh: ClassVar[str] = "Microsoft Teams"
    logo_colour: ClassVar[str] = "#5b5fc7"
    example_url: ClassVar[str] = (
        "https://example.logic.azure.com/workflows/example/triggers/manual/paths/invoke"
    )
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.ADAPTIVE
    palette: ClassVar[Palette] = PALETTE
    hosts: ClassVar[tuple[str, ...]] = (*WORKFLOW_HOSTS, *LEGACY_HOSTS)
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Teams webhook URL",
        where="the Workflows app (flow 'Post to a channel when a webhook request is received')",
        shapes=(
            # Power Automate / Logic Apps: …/workflows/<id>/triggers/<name>/paths/invoke?…&sig=…
            # (powerplatform.com puts /powerautomate/automations/direct before /workflows)
            UrlShape(
                "https://….logic.azure.com/workflows/…/triggers/manual/paths/invoke?…&sig=…",
                r"(?:/[\w.-]+)*/workflows/[\w-]+/triggers/[\w.-]+/paths/invoke/?",
                ("sig",),
            ),
            # the retired Office 365 connector: /webhookb2/<group>@<tenant>/IncomingWebhook/<id>/<owner>
            UrlShape(
                "https://….webhook.office.com/webhookb2/…/IncomingWebhook/…/…",
                r"/webhook(?:b2)?/[^/]+/IncomingWebhook/[^/]+/[^/]+(?:/[^/]+)?/?",
            ),
        ),
    )
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(4, 1),)
    max_body_bytes: ClassVar[int] = 28_000
    digest_budget: ClassVar[int] = 14_000

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        lines = body_lines(message, MARKDOWN, with_fields=False)
        card = message_card if is_legacy(target.url) else adaptive_card

        def build(budget: int) -> dict[str, Any]:
            return card(message, fit_lines(lines, budget, utf8_len, LINE_BREAK))

        payload = fit_to_budget(
            build, lambda body: len(json_bytes(body)) <= self.max_body_bytes, self.max_body_bytes
        )
        return payload

    def classify(self, response: HttpResponse) -> Outcome:
        text = body_text(response)
        if response.status in (200, 202):
            return classify_success_status(response, text)
        return classify_status(response, "teams", pause=frozenset({404}))

    def url_secrets(self, url: str) -> UrlSecrets:
        """Workflows URLs: hide ``sig``; connector URLs are secret as a whole."""
        return whole(url) if is_legacy(url) else query_values("sig")


def classify_success_status(response: HttpResponse, text: str) -> Outcome:
    """A 2xx is a delivery, except the connector's 200 whose body is not "1".

    Workflows answer 202 (or 200) with an empty or JSON body; the retired connectors answer 200
    with "1", and report failures, throttling included, as 200 with an explanatory text.
    """
    if text in ("", "1") or response.status == 202 or json_object(response):
        return Delivered()
    if "429" in text:
        return RetryAfter(f"teams: throttled ({text})", throttled=True)
    return classify_status(HttpResponse(400, response.headers, response.body), "teams")


def facts(message: Message) -> list[tuple[str, str]]:
    return [
        (
            neutralize_plain(truncate(field.label, 100)),
            truncate(render_line(field.value, MARKDOWN, FACT_CHARS + 1).plain, FACT_CHARS, utf8_len) or "—",
        )
        for field in message.fields[:MAX_FACTS]
    ]


def adaptive_card(message: Message, body: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": neutralize_markdown(truncate(message.title or message.summary, TITLE_CHARS)) or "—",
            "weight": "Bolder",
            "size": "Medium",
            "color": PALETTE.of(message.tone).value,
            "wrap": True,
        }
    ]
    if body:
        blocks.append({"type": "TextBlock", "text": body, "wrap": True})
    if message.fields:
        blocks.append(
            {"type": "FactSet", "facts": [{"title": name, "value": value} for name, value in facts(message)]}
        )
    if message.footer:
        footer = neutralize_markdown(truncate(message.footer, FOOTER_CHARS))
        blocks.append({"type": "TextBlock", "text": footer, "isSubtle": True, "size": "Small", "wrap": True})
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "Full"},
        "body": blocks,
    }
    actions = [
        {
            "type": "Action.OpenUrl",
            "title": neutralize_plain(truncate(a.label, BUTTON_CHARS)) or "Open",
            "url": a.url,
        }
        for a in usable_actions(message, MAX_BUTTONS)
    ]
    if actions:
        content["actions"] = actions
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": content,
    }
    return {"type": "message", "attachments": [attachment]}


def message_card(message: Message, body: str) -> dict[str, Any]:
    title = plain_title(message, TITLE_CHARS)
    section: dict[str, Any] = {"activityTitle": neutralize_markdown(truncate(message.title, TITLE_CHARS))}
    if message.footer:
        section["activitySubtitle"] = neutralize_markdown(truncate(message.footer, FOOTER_CHARS))
    if body:
        section["text"] = body
    if message.fields:
        section["facts"] = [{"name": name, "value": value} for name, value in facts(message)]
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "themeColor": TONE_HEX[message.tone].lstrip("#"),
        "summary": title,
        "title": title,
        "sections": [section],
    }
    actions = [
        {
            "@type": "OpenUri",
            "name": neutralize_plain(truncate(a.label, BUTTON_CHARS)) or "Open",
            "targets": [{"os": "default", "uri": a.url}],
        }
        for a in usable_actions(message, MAX_BUTTONS)
    ]
    if actions:
        card["potentialAction"] = actions
    return card
