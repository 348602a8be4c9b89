"""Slack: a coloured attachment holding Block Kit blocks, posted to an incoming webhook or, by
the instance's Slack app, into a channel.

Incoming webhooks answer ``ok`` and can do nothing more with what they posted. A **Slack app
destination** is a webhook whose URL is the Web API address of one channel,
``https://slack.com/api/chat.postMessage?channel=C0123ABCD`` (`app_channel`): hookcast never
posts to it itself (the URL carries no credential), the relay (`delivery/app_relay.py`) sends
the request through the instance's Slack IM app, which adds its bot token. Each channel's URL
is its own lane and rate limit. The app's answer names the message (``ts``), so later events of
a living message (`hookcast.living`) update it (``chat.update``) or reply in its thread
(``thread_ts``). The requests encoded for it are the Web API's own, without the token:
``POST /api/chat.postMessage`` and ``POST /api/chat.update`` with ``channel`` in the body.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from hookcast.living import MessageMode
from hookcast.messages.model import Mention, Message, MessageField
from hookcast.platforms.app_client.client import AppClient
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpRequest,
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
    json_object,
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

# The Slack app destination: the Web API host, its two methods hookcast calls, a channel's id.
API_HOST = "slack.com"
POST_PATH = "/api/chat.postMessage"
UPDATE_PATH = "/api/chat.update"
API_PATHS = frozenset({POST_PATH, UPDATE_PATH})
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{8,20}")
APP_EXAMPLE = "https://slack.com/api/chat.postMessage?channel=C0123ABCD"
# A message's ``ts`` ("1405894322.002768"): stored and sent back, so nothing else is accepted.
MESSAGE_TS = re.compile(r"\d{1,12}\.\d{1,9}")
# chat.update / chat.postMessage with thread_ts: the message can no longer be reached (deleted,
# not the app's, the workspace's edit window closed). Source: api.slack.com/methods/chat.update.
EDIT_REFUSED = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})
APP_MODES = (MessageMode.UPDATE, MessageMode.THREAD, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)


def app_channel(url: str) -> str | None:
    """The channel id of a Slack app destination URL, or None when ``url`` is not exactly one
    (https on slack.com, ``/api/chat.postMessage``, one ``channel`` and nothing else)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if (
        parts.scheme != "https"
        or parts.hostname != API_HOST
        or parts.netloc != API_HOST
        or port is not None
        or parts.path != POST_PATH
        or parts.fragment
    ):
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if len(query) != 1 or query[0][0] != "channel" or not CHANNEL_ID.fullmatch(query[0][1]):
        return None
    return query[0][1]


def is_api_url(url: str) -> bool:
    """Whether ``url`` is on Slack's Web API (a destination, or a request encoded for one):
    delivered through the app, never posted to by hookcast."""
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.netloc == API_HOST and parts.path in API_PATHS


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
    hosts: ClassVar[tuple[str, ...]] = ("hooks.slack.com", "hooks.slack-gov.com", API_HOST)
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Slack webhook URL",
        where=(
            "the app's Incoming Webhooks page (or the workflow's webhook trigger; for a channel "
            "through hookcast's Slack app, the channel's id from its details)"
        ),
        shapes=(
            # an incoming webhook: workspace (T…), then the webhook's id (B…) and secret
            UrlShape("https://hooks.slack.com/services/T…/B…/…", r"/services/T\w+/B\w+/\w+/?"),
            # a Workflow Builder webhook trigger: workspace, trigger id, secret
            UrlShape("https://hooks.slack.com/triggers/T…/…/…", r"/triggers/T\w+/\w+/\w+/?"),
            # a channel, through the instance's Slack app (`app_channel` checks it whole)
            UrlShape(
                "https://slack.com/api/chat.postMessage?channel=C…", r"/api/chat\.postMessage", ("channel",)
            ),
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
        channel = app_channel(target.url)
        return {"channel": channel, **payload} if channel else payload

    # --- Slack app destinations: posted, updated and answered through the instance's app -------

    def message_modes(self, url: str) -> tuple[MessageMode, ...]:
        return APP_MODES if app_channel(url) else super().message_modes(url)

    def posted_ref(self, response: HttpResponse) -> str:
        """The ``ts`` of the message chat.postMessage created (an incoming webhook names none)."""
        answer = json_object(response)
        ts = answer.get("ts")
        ok = answer.get("ok") is True
        return ts if ok and isinstance(ts, str) and MESSAGE_TS.fullmatch(ts) else ""

    def encode_edit(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        """chat.update of the message ``ref`` in the destination's channel: the blocks given
        replace the old ones."""
        request = self._app_request(message, target, ctx, {"ts": ref}, "edit")
        update = urlunsplit(("https", API_HOST, UPDATE_PATH, "", ""))
        return HttpRequest(request.method, update, request.headers, request.body)

    def encode_reply(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        """chat.postMessage in the thread of the message ``ref``."""
        return self._app_request(message, target, ctx, {"thread_ts": ref}, "reply in a thread")

    def _app_request(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, extra: dict[str, str], what: str
    ) -> HttpRequest:
        if app_channel(target.url) is None:
            raise NotImplementedError(f"a Slack incoming webhook cannot {what}")
        body = {**self.payload(message, target, ctx), **extra}
        return HttpRequest(
            "POST", target.url, {"Content-Type": "application/json; charset=utf-8"}, json_bytes(body)
        )

    def edit_refused(self, response: HttpResponse) -> bool:
        answer = json_object(response)
        error = answer.get("error")
        return answer.get("ok") is False and isinstance(error, str) and error in EDIT_REFUSED

    def relayed(self, url: str) -> bool:
        return is_api_url(url)

    def relay_problem(self, url: str, public_url: str | None) -> str | None:
        if app_channel(url) is not None:
            return None
        return (
            f"a Slack app destination looks like {APP_EXAMPLE}: the channel's id (C…, G… or D…, "
            "from the channel's details) and nothing else"
        )

    def url_problem(self, url: str) -> str | None:
        return self.relay_problem(url, None) if self.relayed(url) else super().url_problem(url)

    def classify(self, response: HttpResponse) -> Outcome:
        if response.status == 200:
            if response.body.strip() == b"ok":
                return Delivered()
            return Permanent(f"slack: HTTP 200 with unexpected answer {body_text(response)!r}")
        return classify_status(response, "slack", pause=frozenset({403, 404, 410}))

    def url_secrets(self, url: str) -> UrlSecrets:
        """Keep ``/services/``, hide the three path tokens. A Slack app destination holds no
        secret (a channel id; the bot token is the IM app's)."""
        return UrlSecrets() if is_api_url(url) else path_after(url, 1)


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
