"""Slack incoming webhooks: a coloured attachment holding Block Kit blocks."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from hookcast.messages.model import Mention, Message, MessageField
from hookcast.platforms.app_client.client import AppClient
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
    WebhookTarget,
)
from hookcast.platforms.shared import (
    HEX_PALETTE,
    TONE_HEX,
    Markdown,
    body_lines,
    body_text,
    classify_status,
    mention_id,
    plain_title,
    render_line,
    usable_actions,
)
from hookcast.platforms.slack.im_app import SlackMessenger
from hookcast.platforms.text import (
    char_len,
    escape_slack_mrkdwn,
    fit_lines,
    fit_to_budget,
    json_bytes,
    neutralize_plain,
    truncate,
)
from hookcast.platforms.url_secrets import UrlSecrets, path_after
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec

USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
HEADER_CHARS = 150
SECTION_CHARS = 3000
FIELD_CHARS = 2000
FIELDS_PER_SECTION = 10
FIELDS_TOTAL_CHARS = 12_000  # fields never crowd the body out of the message
MAX_FIELD_SECTIONS = 4  # with header, body, context and actions: well under 50 blocks
BUTTON_CHARS = 75
MAX_BUTTONS = 5
CONTEXT_CHARS = 300
FALLBACK_CHARS = 300


def native_mention(mention: Mention) -> str | None:
    person = mention_id(mention, PlatformName.SLACK, USER_ID)
    return f"<@{person}>" if person else None


MRKDWN = Markdown(
    escape=escape_slack_mrkdwn,
    bold=lambda text: f"*{text}*",
    link=lambda text, url: f"<{url}|{text}>",
    mention=native_mention,
    code=lambda text: f"`{text}`",
    field=lambda label, value: f"*{label}*\n{value}" if label else value,
)


class Slack(Platform):
    name: ClassVar[PlatformName] = PlatformName.SLACK
    label: ClassVar[str] = "Slack"
    label_zh: ClassVar[str] = "Slack"
    logo_colour: ClassVar[str] = "#4a154b"
    example_url: ClassVar[str] = "https://hooks.slack.com/services/T000/B000/XXXX"
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.ATTACHMENT
    im_app: ClassVar[type[AppClient] | None] = SlackMessenger
    palette: ClassVar[Palette] = HEX_PALETTE
    hosts: ClassVar[tuple[str, ...]] = ("hooks.slack.com", "hooks.slack-gov.com")
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Slack webhook URL",
        where="the app's Incoming Webhooks page (or the workflow's webhook trigger)",
        shapes=(
            # an incoming webhook: workspace (T…), then the webhook's id (B…) and secret
            UrlShape("https://hooks.slack.com/services/T…/B…/…", r"/services/T\w+/B\w+/\w+/?"),
            # a Workflow Builder webhook trigger: workspace, trigger id, secret
            UrlShape("https://hooks.slack.com/triggers/T…/…/…", r"/triggers/T\w+/\w+/\w+/?"),
        ),
    )
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(1, 1),)
    max_body_bytes: ClassVar[int] = 40_000
    digest_budget: ClassVar[int] = 2_400

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        lines = body_lines(message, MRKDWN, with_fields=False)
        fixed = fixed_blocks(message)

        def build(budget: int) -> dict[str, Any]:
            body = fit_lines(lines, budget, char_len)
            blocks = [fixed["header"]]
            if body:
                blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body}})
            blocks.extend(fixed["rest"])
            return {
                "text": fallback_text(message),
                "attachments": [{"color": TONE_HEX[message.tone], "blocks": blocks}],
            }

        payload = fit_to_budget(
            build, lambda body: len(json_bytes(body)) <= self.max_body_bytes, SECTION_CHARS
        )
        return payload

    def classify(self, response: HttpResponse) -> Outcome:
        if response.status == 200:
            if response.body.strip() == b"ok":
                return Delivered()
            return Permanent(f"slack: HTTP 200 with unexpected answer {body_text(response)!r}")
        return classify_status(response, "slack", pause=frozenset({403, 404, 410}))

    def url_secrets(self, url: str) -> UrlSecrets:
        """Keep ``/services/``, hide the three path tokens."""
        return path_after(url, 1)


def fallback_text(message: Message) -> str:
    """The notification text: mrkdwn, so escaped like the rest."""
    return escape_slack_mrkdwn(truncate(message.summary or message.title, FALLBACK_CHARS))


def field_text(field: MessageField) -> str:
    label = escape_slack_mrkdwn(truncate(field.label, 200))
    value = render_line(field.value, MRKDWN)
    text = f"*{label}*\n{value.markup}" if label else value.markup
    if len(text) <= FIELD_CHARS:
        return text
    return truncate(f"*{label}*\n{value.plain}" if label else value.plain, FIELD_CHARS)


def within_total(texts: list[str], total: int) -> list[str]:
    """The leading texts whose lengths add up to at most ``total``."""
    kept: list[str] = []
    for text in texts:
        total -= len(text)
        if total < 0:
            break
        kept.append(text)
    return kept


def fixed_blocks(message: Message) -> dict[str, Any]:
    """Every block but the body section: header, fields, context and buttons."""
    header = {
        "type": "header",
        "text": {"type": "plain_text", "text": plain_title(message, HEADER_CHARS), "emoji": True},
    }
    rest: list[dict[str, Any]] = []
    fields = within_total([field_text(field) for field in message.fields], FIELDS_TOTAL_CHARS)
    fields = fields[: FIELDS_PER_SECTION * MAX_FIELD_SECTIONS]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        chunk = fields[start : start + FIELDS_PER_SECTION]
        rest.append({"type": "section", "fields": [{"type": "mrkdwn", "text": text} for text in chunk]})
    if message.footer:
        footer = escape_slack_mrkdwn(truncate(message.footer, CONTEXT_CHARS))
        rest.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    buttons = [
        {
            "type": "button",
            "text": {
                "type": "plain_text",
                "text": neutralize_plain(truncate(action.label, BUTTON_CHARS)) or "Open",
            },
            "url": action.url,
        }
        for action in usable_actions(message, MAX_BUTTONS)
    ]
    if buttons:
        rest.append({"type": "actions", "elements": buttons})
    return {"header": header, "rest": rest}
