"""Google Chat incoming webhooks: one cards v2 card, people mentioned natively in the message text.

The contract (URL, answers, limits, sources) is in docs/platform-contracts.md. Card text is the
small HTML subset Google Chat renders (``<b>``, ``<a href>``, ``<font color>``, ``<br>``), so user
text is HTML-escaped; labels, titles and button texts are plain and only neutralised. Mentions
(``<users/ID>``) only work in the message's ``text``, so that is where the people go.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from hookcast.living import MessageMode
from hookcast.messages.model import Message, MessageField
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    FieldSpec,
    HttpRequest,
    HttpResponse,
    Outcome,
    Palette,
    Platform,
    PlatformName,
    PreviewStyle,
    RateLimit,
    RetryAfter,
    WebhookTarget,
)
from hookcast.platforms.shared import (
    HEX_PALETTE,
    TONE_HEX,
    Markdown,
    body_lines,
    classify_status,
    json_object,
    native_ids,
    plain_title,
    render_line,
    usable_actions,
    with_query,
)
from hookcast.platforms.text import (
    ZWSP,
    fit_lines,
    fit_to_budget,
    json_bytes,
    neutralize_plain,
    one_line,
    safe_url,
    truncate,
    utf8_len,
)
from hookcast.platforms.url_secrets import UrlSecrets, query_values
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec

USER_ID = re.compile(r"[0-9]{1,30}")  # the number of a ``users/{user}`` resource name
THREAD_KEY = "thread_key"
REPLY_OPTION = ("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD")
MESSAGE_BYTES = 32_000  # the documented ceiling of a whole message, cards included
HEADER_CHARS = 200
SUBTITLE_CHARS = 300
FIELD_LABEL_CHARS = 100
FIELD_VALUE_BYTES = 1_000
MAX_FIELDS = 20  # with the body and the buttons: far below the 100 widgets a card may hold
MAX_BUTTONS = 5
BUTTON_CHARS = 60
FALLBACK_CHARS = 300
MAX_RETRY_AFTER = 3600.0  # a Retry-After longer than an hour is not believed
LINE_BREAK = "<br>"
THREAD_KEY_CHARS = 4_000  # Google: a thread key "supports up to 4000 characters"
# The message a webhook created: ``spaces/{space}/messages/{message}``, bounded (it is stored).
MESSAGE_NAME = re.compile(r"spaces/[\w-]{1,100}/messages/[\w.-]{1,200}")

_AT = re.compile(r"[@＠﹫]")


def escape_card_html(text: str) -> str:
    """User text inside card HTML: one line, the three HTML specials as entities, and the
    characters that start a mention or a markdown link elsewhere broken by a zero-width space."""
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("]", "]" + ZWSP)
    return _AT.sub(lambda match: match.group(0) + ZWSP, text)


def link(text: str, url: str) -> str:
    """``url`` is already a safe http(s) URL (quotes and brackets percent-encoded)."""
    return f'<a href="{url.replace("&", "&amp;")}">{text}</a>'


CARD_HTML = Markdown(
    escape=escape_card_html,
    bold=lambda text: f"<b>{text}</b>",
    link=link,
    mention=lambda mention: None,  # cards cannot mention; the message text does
)


class GoogleChat(Platform):
    name: ClassVar[PlatformName] = PlatformName.GOOGLE_CHAT
    label: ClassVar[str] = "Google Chat"
    label_zh: ClassVar[str] = "Google Chat"
    logo_colour: ClassVar[str] = "#00897b"
    example_url: ClassVar[str] = (
        "https://chat.googleapis.com/v1/spaces/AAAAexample/messages?key=example&token=example"
    )
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.CARD
    palette: ClassVar[Palette] = HEX_PALETTE
    hosts: ClassVar[tuple[str, ...]] = ("chat.googleapis.com",)
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Google Chat webhook URL",
        where="the space's Apps & integrations > Webhooks (copy the webhook's URL)",
        shapes=(
            UrlShape(
                "https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…",
                r"/v1/spaces/[\w-]+/messages/?",
                ("key", "token"),
            ),
        ),
    )
    settings: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec(
            name=THREAD_KEY,
            label="Thread key",
            help="Optional: every message goes into the one thread with this key (a new thread "
            "when it does not exist yet). Empty: each message starts its own thread.",
            pattern=r"[A-Za-z0-9._:/-]{1,128}",
            max_length=128,
        ),
    )
    # Writes into a space are limited to 60 a minute, shared by every app and webhook there.
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(1, 1),)
    max_body_bytes: ClassVar[int] = 30_000  # under MESSAGE_BYTES, leaving room for the thread key
    digest_budget: ClassVar[int] = 8_000

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        lines = body_lines(message, CARD_HTML, with_fields=False)
        marker = f'<font color="{TONE_HEX[message.tone]}">●</font> '
        header = card_header(message)
        fields = [field_widget(field) for field in message.fields[:MAX_FIELDS]]
        buttons = button_list(message)
        mentions = " ".join(f"<users/{person}>" for person in native_ids(message, self.name, USER_ID))
        thread_key = thread_key_of(target, ctx)

        def build(budget: int) -> dict[str, Any]:
            body = fit_lines(lines, budget, utf8_len, LINE_BREAK)
            widgets: list[dict[str, Any]] = [{"textParagraph": {"text": marker + body}}] if body else []
            sections = [{"widgets": widgets}] if widgets else []
            if fields:
                sections.append({"widgets": fields})
            if buttons:
                sections.append({"widgets": [buttons]})
            card: dict[str, Any] = {"header": header, "sections": sections}
            payload: dict[str, Any] = {
                "fallbackText": neutralize_plain(truncate(message.summary or message.title, FALLBACK_CHARS)),
                "cardsV2": [{"cardId": "hookcast", "card": card}],
            }
            if mentions:
                payload["text"] = mentions
            if thread_key:
                payload["thread"] = {"threadKey": thread_key}
            return payload

        return fit_to_budget(
            build, lambda body: len(json_bytes(body)) <= self.max_body_bytes, self.max_body_bytes
        )

    def post_url(self, target: WebhookTarget, ctx: EncodeContext) -> str:
        """With a thread key, a reply goes to the key's thread (or starts it), unless the pasted
        URL already says how to reply."""
        url = target.url
        if thread_key_of(target, ctx) and "messageReplyOption" not in parse_qs(urlsplit(url).query):
            url = with_query(url, [REPLY_OPTION])
        return url

    def classify(self, response: HttpResponse) -> Outcome:
        if 200 <= response.status < 300:
            return Delivered()
        outcome = classify_status(response, "google chat", pause=frozenset({401, 403, 404}))
        if isinstance(outcome, RetryAfter) and outcome.seconds is not None:
            seconds = min(outcome.seconds, MAX_RETRY_AFTER)
            return RetryAfter(outcome.reason, seconds, outcome.throttled)
        return outcome

    def url_secrets(self, url: str) -> UrlSecrets:
        """Keep the space, hide the key and the token."""
        return query_values("key", "token")

    # --- living messages: an incoming webhook threads (by a key of its own) but cannot edit ---

    def message_modes(self, url: str) -> tuple[MessageMode, ...]:
        """Every event its own message by default (as before living messages); an object's later
        events in its thread, or as compact follow-ups, when the webhook says so."""
        return (MessageMode.EVERY_EVENT, MessageMode.THREAD, MessageMode.FOLLOW_UP)

    def posted_ref(self, response: HttpResponse) -> str:
        """The new message's resource name (``spaces/…/messages/…``) from the answer."""
        if not 200 <= response.status < 300:
            return ""
        name = json_object(response).get("name")
        return name if isinstance(name, str) and MESSAGE_NAME.fullmatch(name) else ""

    def encode_reply(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        """The post again, with the object's thread key (``ctx.thread_key``): it lands in the
        thread its first message started, or starts one when Google cannot find it (the reply
        option falls back to a new thread, so a reply is never refused). ``ref`` is not needed:
        a webhook names threads by key, not by message."""
        return self.encode(message, target, ctx)


def thread_key_of(target: WebhookTarget, ctx: EncodeContext | None = None) -> str:
    """The thread a message goes to: the object's (living messages, ``ctx.thread_key``), else the
    webhook's fixed *Thread key* setting, else none (each message its own thread)."""
    if ctx is not None and ctx.thread_key:
        return bounded_thread_key(ctx.thread_key)
    return (target.settings.get(THREAD_KEY) or "").strip()


def bounded_thread_key(key: str) -> str:
    """``key`` as Google takes it: up to 4,000 characters; a longer one (never made by hookcast's
    object keys, which are far shorter) becomes its stable digest."""
    if len(key) <= THREAD_KEY_CHARS:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", errors="replace")).hexdigest()


def card_header(message: Message) -> dict[str, Any]:
    header = {"title": plain_title(message, HEADER_CHARS)}
    if message.footer:
        header["subtitle"] = neutralize_plain(truncate(message.footer, SUBTITLE_CHARS))
    return header


def field_widget(field: MessageField) -> dict[str, Any]:
    value = render_line(field.value, CARD_HTML)
    text = value.markup if utf8_len(value.markup) <= FIELD_VALUE_BYTES else value.plain
    return {
        "decoratedText": {
            "topLabel": neutralize_plain(truncate(field.label, FIELD_LABEL_CHARS)),
            "text": truncate(text, FIELD_VALUE_BYTES, utf8_len) or "—",
            "wrapText": True,
        }
    }


def button_list(message: Message) -> dict[str, Any] | None:
    buttons = [
        {
            "text": neutralize_plain(truncate(action.label, BUTTON_CHARS)) or "Open",
            "onClick": {"openLink": {"url": safe_url(action.url) or ""}},
        }
        for action in usable_actions(message, MAX_BUTTONS)
    ]
    return {"buttonList": {"buttons": buttons}} if buttons else None
