"""Feishu and Lark custom bots: an interactive card posted to the group's webhook.

Lark is Feishu's international edition: the same card and answers on ``open.larksuite.com``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from dataclasses import replace
from typing import Any, ClassVar

from hookcast.living import MessageMode
from hookcast.messages.model import Mention, Message
from hookcast.platforms.app_client.client import AppClient
from hookcast.platforms.base import (
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
    ToneColour,
    WebhookTarget,
)
from hookcast.platforms.feishu import chat_urls
from hookcast.platforms.feishu.im_app import FeishuMessenger, LarkMessenger
from hookcast.platforms.shared import (
    CodeTable,
    Markdown,
    body_lines,
    classify_coded,
    int_code,
    json_object,
    mention_id,
    plain_title,
    usable_actions,
)
from hookcast.platforms.text import (
    escape_feishu_markdown,
    fit_lines,
    fit_to_budget,
    json_bytes,
    neutralize_plain,
    truncate,
    utf8_len,
)
from hookcast.platforms.url_secrets import UrlSecrets, path_after
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec

# The card header templates for the tones, and their colours on screen.
PALETTE = Palette(
    success=ToneColour("green", "#34C724"),
    failure=ToneColour("red", "#F54A45"),
    neutral=ToneColour("grey", "#8F959E"),
    warning=ToneColour("orange", "#FF8800"),
)
TITLE_CHARS = 200
BUTTON_CHARS = 40
NOTE_CHARS = 300
MAX_BUTTONS = 5
OPEN_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")

# Answers of the custom bot webhook (HTTP 200 with a JSON code unless said otherwise).
CODE_OK = 0
CODE_THROTTLED = 11232
CODE_TOKEN_INVALID = 19001  # "param invalid: incoming webhook access token invalid"
CODE_SIGN_MISMATCH = 19021
CODE_IP_NOT_ALLOWED = 19022
CODE_KEYWORD_MISSING = 19024
CODE_BAD_REQUEST = 9499

# Answers of the app's message APIs (update a card, reply) that say the card can no longer be
# reached: a new card is posted instead. 230011 the message was recalled, 230012 the bot did not
# send it, 230031 it is older than 14 days; 230001 "invalid message_id" (230001 is also any other
# bad parameter, so only with that text). Source: the error tables of im-v1/message/patch and
# message/reply (open.feishu.cn, open.larksuite.com) and trouble-shooting/how-to-resolve-error-230001.
CODE_RECALLED = 230011
CODE_NOT_SENDER = 230012
CODE_TOO_OLD = 230031
CODE_INVALID_PARAM = 230001
REFUSED_CODES = frozenset({CODE_RECALLED, CODE_NOT_SENDER, CODE_TOO_OLD})
# What a chat URL may do with its earlier cards: the app sends them, and can update or answer them.
CHAT_MODES = (MessageMode.UPDATE, MessageMode.THREAD, MessageMode.FOLLOW_UP, MessageMode.EVERY_EVENT)

ANSWERS = CodeTable(
    label="feishu",
    code_keys=("code", "StatusCode"),
    message_keys=("msg", "StatusMessage"),
    throttled={CODE_THROTTLED: None},
    pause=frozenset({CODE_TOKEN_INVALID}),
    reset_headers=("x-ogw-ratelimit-reset", "retry-after"),
)


def feishu_sign(timestamp: str, secret: str) -> str:
    """The documented signature: HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


# The custom bot's URL: /open-apis/bot/v2/hook/<token> (a UUID today).
HOOK_PATH = r"/open-apis/bot/v2/hook/[A-Za-z0-9_-]+/?"


class Feishu(Platform):
    name: ClassVar[PlatformName] = PlatformName.FEISHU
    label: ClassVar[str] = "Feishu"
    label_zh: ClassVar[str] = "飞书"
    logo_colour: ClassVar[str] = "#3370ff"
    example_url: ClassVar[str] = (
        "https://open.feishu.cn/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000000"
    )
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.CARD
    im_app: ClassVar[type[AppClient] | None] = FeishuMessenger
    palette: ClassVar[Palette] = PALETTE
    hosts: ClassVar[tuple[str, ...]] = ("open.feishu.cn",)
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Feishu bot URL",
        where="the custom bot's settings in the group (or use a chat URL from hookcast's assistant bot)",
        shapes=(UrlShape("https://open.feishu.cn/open-apis/bot/v2/hook/…", HOOK_PATH),),
    )
    settings: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec(
            name="secret",
            label="Signing secret",
            help="The bot's signature verification secret (security settings of the custom bot).",
            secret=True,
        ),
        FieldSpec(
            name="keyword",
            label="Keyword",
            help="One of the bot's custom keywords; it is put in the card title when missing.",
            max_length=64,
        ),
    )
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(5, 1), RateLimit(100, 60))
    max_body_bytes: ClassVar[int] = 20_000
    digest_budget: ClassVar[int] = 9_000

    @functools.cached_property
    def markdown(self) -> Markdown:
        """How this platform spells markdown (built once: it is on every message's path)."""
        return Markdown(
            escape=escape_feishu_markdown,
            bold=lambda text: f"**{text}**",
            link=lambda text, url: f"[{text}]({url})",
            mention=self.native_mention,
        )

    def native_mention(self, mention: Mention) -> str | None:
        person = mention_id(mention, self.name, OPEN_ID)
        return f"<at id={person}></at>" if person else None

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        lines = body_lines(message, self.markdown)
        envelope: dict[str, Any] = {"msg_type": "interactive"}
        if target.secret:
            timestamp = str(int(ctx.now))
            envelope |= {"timestamp": timestamp, "sign": feishu_sign(timestamp, target.secret)}

        def build(budget: int) -> dict[str, Any]:
            content = fit_lines(lines, budget, utf8_len)
            return envelope | {"card": self.card(message, target, content)}

        payload = fit_to_budget(
            build, lambda body: len(json_bytes(body)) <= self.max_body_bytes, self.max_body_bytes
        )
        return payload

    def card(self, message: Message, target: WebhookTarget, content: str) -> dict[str, Any]:
        elements: list[dict[str, Any]] = []
        if content:
            elements.append({"tag": "markdown", "content": content})
        buttons = [
            {
                "tag": "button",
                "text": {"tag": "plain_text", "content": neutralize_plain(truncate(a.label, BUTTON_CHARS))},
                "type": "primary" if index == 0 else "default",
                "url": a.url,
            }
            for index, a in enumerate(usable_actions(message, MAX_BUTTONS))
        ]
        footer = neutralize_plain(truncate(message.footer or "", NOTE_CHARS))
        if elements and (buttons or footer):
            elements.append({"tag": "hr"})
        if buttons:
            elements.append({"tag": "action", "actions": buttons})
        if footer:
            elements.append({"tag": "note", "elements": [{"tag": "plain_text", "content": footer}]})
        config: dict[str, Any] = {"wide_screen_mode": True}
        if self.relayed(target.url):
            # A shared card: the app can update it for everyone later (it must be declared both
            # when the card is sent and in every update).
            config["update_multi"] = True
        return {
            "config": config,
            "header": {
                "template": self.palette.of(message.tone).value,
                "title": {"tag": "plain_text", "content": plain_title(message, TITLE_CHARS, target.keyword)},
            },
            "elements": elements,
        }

    def classify(self, response: HttpResponse) -> Outcome:
        return classify_coded(response, ANSWERS, self.name.value)

    # --- Living messages: a chat URL's cards are sent by the app, which can update them ---------

    def message_modes(self, url: str) -> tuple[MessageMode, ...]:
        return CHAT_MODES if chat_urls.has_chat_shape(url) else super().message_modes(url)

    def posted_ref(self, response: HttpResponse) -> str:
        """``data.message_id`` of the app's answer (the relay passes it on); a group robot's
        answer names no message."""
        data = json_object(response).get("data")
        return chat_urls.message_id(data.get("message_id")) if isinstance(data, dict) else ""

    def encode_edit(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        request = self._to_card(message, target, ctx, "edit")
        return replace(request, method="PATCH", headers={**request.headers, chat_urls.EDIT_HEADER: ref})

    def encode_reply(
        self, message: Message, target: WebhookTarget, ctx: EncodeContext, ref: str
    ) -> HttpRequest:
        request = self._to_card(message, target, ctx, "reply")
        return replace(request, headers={**request.headers, chat_urls.REPLY_HEADER: ref})

    def _to_card(self, message: Message, target: WebhookTarget, ctx: EncodeContext, what: str) -> HttpRequest:
        if not self.relayed(target.url):
            raise NotImplementedError(f"a {self.label} group robot cannot {what} a message")
        return self.encode(message, target, ctx)

    def edit_refused(self, response: HttpResponse) -> bool:
        answer = json_object(response)
        code = int_code(answer.get("code"))
        if code in REFUSED_CODES:
            return True
        return code == CODE_INVALID_PARAM and "message_id" in str(answer.get("msg", ""))

    def url_secrets(self, url: str) -> UrlSecrets:
        """Keep ``/open-apis/bot/v2/hook/``, hide the hook token (or the chat URL's token)."""
        return chat_urls.secret_parts(url) or path_after(url, 4)

    def relayed(self, url: str) -> bool:
        return chat_urls.is_chat_url(url)

    def relay_problem(self, url: str, public_url: str | None) -> str | None:
        return chat_urls.problem(url, public_url)


class Lark(Feishu):
    name: ClassVar[PlatformName] = PlatformName.LARK
    label: ClassVar[str] = "Lark"
    label_zh: ClassVar[str] = "Lark（飞书国际版）"
    im_app: ClassVar[type[AppClient] | None] = LarkMessenger
    logo_colour: ClassVar[str] = "#00d6b9"
    example_url: ClassVar[str] = (
        "https://open.larksuite.com/open-apis/bot/v2/hook/00000000-0000-0000-0000-000000000000"
    )
    hosts: ClassVar[tuple[str, ...]] = ("open.larksuite.com",)
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a Lark bot URL",
        where="the custom bot's settings in the group (or use a chat URL from hookcast's assistant bot)",
        shapes=(UrlShape("https://open.larksuite.com/open-apis/bot/v2/hook/…", HOOK_PATH),),
    )
