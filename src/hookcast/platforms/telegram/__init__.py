"""Telegram: a bot's ``sendMessage`` into a group, channel or forum topic, in HTML parse mode.

Telegram has no incoming webhooks: a bot posts with its token, and the token is part of the
method's URL (``https://api.telegram.org/bot<token>/sendMessage``). That URL is what hookcast
stores as the webhook URL, sealed and redacted like every other; the chat and the topic are
settings. The contract, with its sources, is in docs/platform-contracts.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar
from urllib.parse import urlsplit

from hookcast.events import Tone
from hookcast.living import MessageMode
from hookcast.messages.model import Mention, Message
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    FieldSpec,
    HttpRequest,
    HttpResponse,
    Outcome,
    Palette,
    Permanent,
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
    json_object,
    mention_id,
    retry_after,
    usable_actions,
)
from hookcast.platforms.telegram import living
from hookcast.platforms.telegram.html import (
    escape_attribute,
    escape_text,
    fit_lines,
    inert,
    visible_len,
)
from hookcast.platforms.text import (
    fit_to_budget,
    json_bytes,
    one_line,
    precut,
    safe_url,
    truncate,
    utf16_len,
)
from hookcast.platforms.url_secrets import UrlSecrets, whole
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec

API_HOST = "api.telegram.org"
TEXT_CHARS = 4096  # sendMessage text, after entity parsing
TITLE_CHARS = 256
FOOTER_CHARS = 300
BUTTON_CHARS = 64
MAX_BUTTONS = 5
BUTTONS_PER_ROW = 3  # Telegram takes 8; three keep the labels readable on a phone
MAX_RETRY_AFTER_SECONDS = 3600.0  # a flood wait beyond this is not trusted as given
USER_ID = re.compile(r"[1-9][0-9]{0,15}")
CHAT_ID = r"-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}"
TOPIC_ID = r"[1-9][0-9]{0,11}"
# Telegram has no colours: the tone is a coloured mark in front of the title.
TONE_MARK: dict[Tone, str] = {
    Tone.SUCCESS: "🟢",
    Tone.FAILURE: "🔴",
    Tone.NEUTRAL: "⚪",
    Tone.WARNING: "🟠",
}
# What the preview draws for each mark.
MARK_PALETTE = Palette(**{tone.name.lower(): ToneColour(TONE_MARK[tone], TONE_HEX[tone]) for tone in Tone})
# 400 answers meaning the chat or topic itself is gone or refuses the bot: pause, do not retry.
GONE = ("chat not found", "thread not found", "topic_deleted", "topic_closed", "not enough rights")
_TOKEN_SEGMENT = re.compile(r"/bot([^/]*)")


def native_mention(mention: Mention) -> str | None:
    """A link to the person's account: Telegram notifies them (names without an id stay text)."""
    person = mention_id(mention, PlatformName.TELEGRAM, USER_ID)
    return (
        f'<a href="tg://user?id={person}">{escape_text(precut("@" + mention.name))}</a>' if person else None
    )


HTML = Markdown(
    escape=escape_text,
    bold=lambda text: f"<b>{text}</b>",
    link=lambda text, url: f'<a href="{escape_attribute(url)}">{text}</a>',
    mention=native_mention,
    code=lambda text: f"<code>{text}</code>",
)


class Telegram(Platform):
    name: ClassVar[PlatformName] = PlatformName.TELEGRAM
    label: ClassVar[str] = "Telegram"
    label_zh: ClassVar[str] = "Telegram"
    logo_colour: ClassVar[str] = "#229ed9"
    example_url: ClassVar[str] = "https://api.telegram.org/bot123456:example/sendMessage"
    example_settings: ClassVar[Mapping[str, str]] = MappingProxyType({"chat_id": "-1001234567890"})
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.MARKDOWN  # HTML text, drawn like markdown
    palette: ClassVar[Palette] = MARK_PALETTE
    hosts: ClassVar[tuple[str, ...]] = (API_HOST,)
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Telegram bot URL",
        where=f"@BotFather: https://{API_HOST}/bot, then the bot's token, then /sendMessage",
        shapes=(UrlShape(f"https://{API_HOST}/bot<token>/sendMessage", r"/bot[0-9]+:[\w-]+/sendMessage"),),
    )
    settings: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec(
            "chat_id",
            "Chat ID",
            "The group's or channel's id (such as -1001234567890), or a public channel's @username.",
            required=True,
            pattern=CHAT_ID,
            max_length=33,
        ),
        FieldSpec(
            "message_thread_id",
            "Topic ID",
            "Only for a group with topics: the topic's message_thread_id. Empty posts to General.",
            pattern=TOPIC_ID,
            max_length=12,
        ),
    )
    # Per chat about one message a second, and 20 a minute into one group (the limiter counts
    # per bot token, which only makes it stricter; Telegram's 30 / s per bot is never reached).
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(1, 1), RateLimit(20, 60))
    # The text is limited in characters (4096); this only bounds its UTF-8 / JSON form.
    max_body_bytes: ClassVar[int] = 64_000
    digest_budget: ClassVar[int] = 3_200

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        """The sendMessage body. Without a chat id (it is a required setting) the body has none,
        and Telegram's answer says so: encoding never fails."""
        payload: dict[str, Any] = {}
        chat = target.settings.get("chat_id", "").strip()
        if chat:
            payload["chat_id"] = int(chat) if re.fullmatch(r"-?[0-9]+", chat) else chat
        topic = target.settings.get("message_thread_id", "").strip()
        if re.fullmatch(TOPIC_ID, topic):
            payload["message_thread_id"] = int(topic)
        keyboard = buttons(message)
        markup = {"inline_keyboard": keyboard} if keyboard else None

        def build(limit: int) -> dict[str, Any]:
            text = {"text": message_text(message, limit), "parse_mode": "HTML"}
            body = payload | text | {"link_preview_options": {"is_disabled": True}}
            return body | ({"reply_markup": markup} if markup else {})

        # Links are invisible to the 4096 count, so a text full of long URLs could still make a
        # large body: then the text gets shorter until the body fits too.
        return fit_to_budget(build, lambda body: len(json_bytes(body)) <= self.max_body_bytes, TEXT_CHARS)

    def classify(self, response: HttpResponse) -> Outcome:
        """A post's or an edit's answer (``result`` is the message, or ``true``). An edit that
        changes nothing ("message is not modified") is delivered: the chat shows that text."""
        body = json_object(response)
        if 200 <= response.status < 300 and body.get("ok") is True:
            return Delivered()
        if living.not_modified(response, body):
            return Delivered()
        return classify_error(response, body)

    # --- living messages (telegram/living.py) ---

    def message_modes(self, url: str) -> tuple[MessageMode, ...]:
        """A bot edits its own messages and replies to them: every mode, editing first."""
        return (MessageMode.UPDATE, MessageMode.THREAD, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)

    def posted_ref(self, response: HttpResponse) -> str:
        return living.posted_message_id(response)

    def encode_edit(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        """``editMessageText``: the post's text, parse mode, link preview and buttons, for the
        message ``ref`` in the same chat (an edit takes no topic: the message keeps its own)."""
        body = self.payload(message, target, ctx)
        body.pop("message_thread_id", None)
        body = {"message_id": living.message_id(ref)} | body
        return self._request(living.method_url(target.url, living.EDIT), body)

    def encode_reply(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        """The post, as a reply to the message ``ref``; sent anyway (not as a reply) when that
        message is gone."""
        reply = {"message_id": living.message_id(ref), "allow_sending_without_reply": True}
        body = self.payload(message, target, ctx) | {"reply_parameters": reply}
        return self._request(target.url, body)

    def edit_refused(self, response: HttpResponse) -> bool:
        return living.unreachable(response)

    def _request(self, url: str, body: dict[str, Any]) -> HttpRequest:
        return HttpRequest(
            method="POST",
            url=url,
            headers={"Content-Type": "application/json; charset=utf-8"},
            body=json_bytes(body),
        )

    def url_secrets(self, url: str) -> UrlSecrets:
        """The token in ``/bot<token>/`` (and the query); the method is kept:
        ``…/bot***/sendMessage``."""
        token = _TOKEN_SEGMENT.match(urlsplit(url).path)
        if token is None or token.end(1) == token.start(1):
            return whole(url)
        return UrlSecrets(path=token.span(1), query=None)


def message_text(message: Message, limit: int = TEXT_CHARS) -> str:
    """Title (linked when the message has a URL), body lines and fields, footer: at most ``limit``
    characters after entity parsing (the body gives way first)."""
    longest = TITLE_CHARS + 1  # still too long once cut, so truncated exactly as the whole would be
    title = one_line(precut(message.title.strip(), longest)) or one_line(
        precut(message.summary.strip(), longest)
    )
    title = title or "—"
    title = f"<b>{escape_text(truncate(title, TITLE_CHARS, utf16_len))}</b>"
    url = safe_url(message.url)
    if url:
        title = HTML.link(title, url)
    header = f"{TONE_MARK[message.tone]} {title}"
    footer = message.footer and one_line(precut(message.footer, FOOTER_CHARS + 1)).strip()
    tail = f"<i>{escape_text(truncate(footer, FOOTER_CHARS, utf16_len))}</i>" if footer else ""
    room = limit - visible_len(header) - 1 - (visible_len(tail) + 1 if tail else 0)
    body = fit_lines([line.markup for line in body_lines(message, HTML)], room)
    return "\n".join(part for part in (header, body, tail) if part)


def buttons(message: Message) -> list[list[dict[str, str]]]:
    """The actions as rows of URL buttons (a button's text is plain: no markup to escape, and
    inert like the rest)."""
    found = [
        {"text": truncate(inert(precut(action.label)).strip(), BUTTON_CHARS) or "Open", "url": url}
        for action in usable_actions(message, max(len(message.actions), 1))
        if (url := button_url(action.url))
    ][:MAX_BUTTONS]
    return [found[start : start + BUTTONS_PER_ROW] for start in range(0, len(found), BUTTONS_PER_ROW)]


def button_url(url: str) -> str | None:
    """An http(s) URL on a dotted host: Telegram refuses the whole message over a button whose
    URL it cannot open (a bare "localhost" or "gitlab"); such a link stays on the title."""
    checked = safe_url(url)
    host = urlsplit(checked).hostname if checked else None
    return checked if host and "." in host.strip(".") else None


def classify_error(response: HttpResponse, body: dict[str, Any]) -> Outcome:
    """Telegram's refusals: ``{"ok": false, "error_code", "description", "parameters"}``."""
    status = response.status
    description = one_line(str(body.get("description") or "")).strip()[:200]
    reason = f"telegram: HTTP {status}" + (f" {description}" if description else "")
    parameters = body.get("parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    if status == 429:
        seconds = number(parameters.get("retry_after"))
        wait = retry_after(response.headers) if seconds is None else seconds
        return RetryAfter(reason, min(wait, MAX_RETRY_AFTER_SECONDS) if wait is not None else None, True)
    if status >= 500:
        return RetryAfter(reason, retry_after(response.headers))
    moved = parameters.get("migrate_to_chat_id")
    if isinstance(moved, int) and not isinstance(moved, bool):
        return Permanent(f"{reason}; the group is now the supergroup {moved}: set chat_id to {moved}", True)
    if status == 401:
        return Permanent(f"{reason}; the bot token is wrong or was revoked (@BotFather)", pause=True)
    if status in (403, 404):  # blocked, kicked, not a member; 404: no such bot
        return Permanent(reason, pause=True)
    gone = status == 400 and any(words in description.lower() for words in GONE)
    return Permanent(reason, pause=gone)


def number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None
