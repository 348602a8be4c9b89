"""Discord webhooks: one embed; ``allowed_mentions`` pings only the people we mention natively.

Living messages (`hookcast.living`): a webhook may edit the messages it posted itself, so its
modes are update (the default), follow_up and every_event. A post with ``?wait=true`` answers
with the message object (its ``id``, a snowflake, is the reference kept); an edit is a ``PATCH``
of ``/messages/{id}`` under the webhook URL with the same body; ``thread_id`` in the URL's query
(a webhook posting into a thread) is kept for both. An edit of a message that is gone (deleted
in the channel) answers 404 "Unknown Message" (code 10008): a new message is posted instead.
The contract is in docs/platforms.md ("Editing a message after it was posted")."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, ClassVar
from urllib.parse import urlsplit

from hookcast.living import MessageMode
from hookcast.messages.model import Mention, Message, MessageField
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
    action_links,
    body_lines,
    classify_status,
    json_object,
    mention_id,
    native_ids,
    plain_title,
    render_line,
    usable_actions,
)
from hookcast.platforms.text import (
    escape_discord_markdown,
    fit_lines,
    neutralize_plain,
    safe_url,
    truncate,
    utf16_len,
)
from hookcast.platforms.url_secrets import UrlSecrets, path_after
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec

USER_ID = re.compile(r"[0-9]{15,21}")
MESSAGE_ID = re.compile(r"[0-9]{1,20}")  # a snowflake: a 64-bit unsigned integer in decimal
WEBHOOK_TOKEN = re.compile(r"/webhooks/[^/]+/([^/]+)")
UNKNOWN_MESSAGE = 10008  # Discord's JSON error code for a message that does not exist (any more)
TITLE_CHARS = 256
DESCRIPTION_CHARS = 4096
MAX_FIELDS = 25
FIELD_NAME_CHARS = 256
FIELD_VALUE_CHARS = 1024
FOOTER_CHARS = 300  # Discord allows 2048; a footer is a short note
EMBED_TOTAL_CHARS = 6000
MIN_DESCRIPTION_CHARS = 500  # fields give way before the body shrinks below this
MAX_LINKS = 5
MAX_PINGED_USERS = 100


def native_mention(mention: Mention) -> str | None:
    person = mention_id(mention, PlatformName.DISCORD, USER_ID)
    return f"<@{person}>" if person else None


MARKDOWN = Markdown(
    escape=escape_discord_markdown,
    mention=native_mention,
)


class Discord(Platform):
    name: ClassVar[PlatformName] = PlatformName.DISCORD
    label: ClassVar[str] = "Discord"
    label_zh: ClassVar[str] = "Discord"
    logo_colour: ClassVar[str] = "#5865f2"
    example_url: ClassVar[str] = "https://discord.com/api/webhooks/0/example"
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.EMBED
    palette: ClassVar[Palette] = HEX_PALETTE
    hosts: ClassVar[tuple[str, ...]] = (
        "discord.com",
        "discordapp.com",
        "ptb.discord.com",
        "canary.discord.com",
        "ptb.discordapp.com",
        "canary.discordapp.com",
    )
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Discord webhook URL",
        where="the channel's Integrations > Webhooks (Copy Webhook URL)",
        shapes=(
            UrlShape(
                "https://discord.com/api/webhooks/<id>/<token>", r"/api(?:/v\d+)?/webhooks/\d+/[\w-]+/?"
            ),
        ),
    )
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(5, 2), RateLimit(30, 60))
    # Embeds are limited in characters (6000); this ceiling only bounds their UTF-8 / JSON form.
    max_body_bytes: ClassVar[int] = 64_000
    digest_budget: ClassVar[int] = 3_200

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        title = plain_title(message, TITLE_CHARS)
        footer = neutralize_plain(truncate(message.footer or "", FOOTER_CHARS))
        fields = [embed_field(field) for field in message.fields][:MAX_FIELDS]
        actions = usable_actions(message, MAX_LINKS)
        room = EMBED_TOTAL_CHARS - utf16_len(title) - utf16_len(footer)
        while fields and room - fields_len(fields) < MIN_DESCRIPTION_CHARS:
            fields.pop()
        budget = min(DESCRIPTION_CHARS, room - fields_len(fields))
        links = action_links(actions, MARKDOWN)
        if utf16_len(links) + 1 > budget:
            links = ""
        links_cost = utf16_len(links) + 1 if links else 0
        body = fit_lines(body_lines(message, MARKDOWN, with_fields=False), budget - links_cost, utf16_len)
        description = "\n".join(part for part in (body, links) if part)
        embed: dict[str, Any] = {"title": title, "color": int(TONE_HEX[message.tone][1:], 16)}
        url = safe_url(message.url) or (safe_url(actions[0].url) if actions else None)
        if url:
            embed["url"] = url
        if description:
            embed["description"] = description
        if fields:
            embed["fields"] = fields
        if footer:
            embed["footer"] = {"text": footer}
        people = native_ids(message, self.name, USER_ID)[:MAX_PINGED_USERS]
        payload = {"embeds": [embed], "allowed_mentions": {"parse": [], "users": people}}
        return payload

    def classify(self, response: HttpResponse) -> Outcome:
        if 200 <= response.status < 300:
            return Delivered()
        if self.edit_refused(response):  # the message is gone, not the webhook: no pause
            return Permanent("discord: HTTP 404 Unknown Message")
        seconds = json_object(response).get("retry_after")
        wait = float(seconds) if isinstance(seconds, int | float) and seconds >= 0 else None
        return classify_status(response, "discord", pause=frozenset({401, 403, 404}), seconds=wait)

    def url_secrets(self, url: str) -> UrlSecrets:
        """Keep ``/api[/v10]/webhooks/{id}``, hide the token; what follows it (an edit's
        ``/messages/{id}``) and the query (``thread_id``, ``wait``) are no secret."""
        token = WEBHOOK_TOKEN.search(urlsplit(url).path)
        if token is None:
            return path_after(url, 3)
        return UrlSecrets(path=(token.start(1), token.end(1)), query=())

    def message_modes(self, url: str) -> tuple[MessageMode, ...]:
        return (MessageMode.UPDATE, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)

    def encode_post(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> HttpRequest:
        """The post with ``wait=true``: Discord then answers with the message it created."""
        request = self.encode(message, target, ctx)
        path, query = _split(request.url)
        return replace(request, url=_joined(path, [*query, "wait=true"]))

    def posted_ref(self, response: HttpResponse) -> str:
        ident = json_object(response).get("id")
        return ident if isinstance(ident, str) and MESSAGE_ID.fullmatch(ident) else ""

    def encode_edit(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        """``PATCH {webhook}/messages/{id}`` with the same body; only a webhook's own messages."""
        if not MESSAGE_ID.fullmatch(ref):
            raise ValueError("a Discord message id is a snowflake (digits)")
        request = self.encode(message, target, ctx)
        path, query = _split(request.url)
        return replace(request, method="PATCH", url=_joined(f"{path.rstrip('/')}/messages/{ref}", query))

    def edit_refused(self, response: HttpResponse) -> bool:
        return response.status == 404 and json_object(response).get("code") == UNKNOWN_MESSAGE


def _split(url: str) -> tuple[str, list[str]]:
    """The URL without its query, and the query's parameters but ``wait`` (``thread_id`` stays)."""
    path, _, query = url.partition("?")
    return path, [part for part in query.split("&") if part and not part.startswith("wait=")]


def _joined(path: str, query: list[str]) -> str:
    return f"{path}?{'&'.join(query)}" if query else path


def embed_field(field: MessageField) -> dict[str, Any]:
    value = render_line(field.value, MARKDOWN)
    text = value.markup if utf16_len(value.markup) <= FIELD_VALUE_CHARS else value.plain
    return {
        "name": neutralize_plain(truncate(field.label, FIELD_NAME_CHARS, utf16_len)) or "\u200b",
        "value": truncate(text, FIELD_VALUE_CHARS, utf16_len) or "\u200b",
        "inline": field.short,
    }


def fields_len(fields: list[dict[str, Any]]) -> int:
    return sum(utf16_len(field["name"]) + utf16_len(field["value"]) for field in fields)
