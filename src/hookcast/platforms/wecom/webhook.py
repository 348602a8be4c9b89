"""WeCom (WeChat Work) group robots: a markdown message; the URL's ``key`` is the only secret."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from hookcast.messages.model import Mention, Message
from hookcast.platforms.app_client.client import AppClient
from hookcast.platforms.base import (
    EncodeContext,
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
from hookcast.platforms.shared import (
    CodeTable,
    Markdown,
    action_links,
    body_lines,
    classify_coded,
    mention_id,
    usable_actions,
)
from hookcast.platforms.text import (
    fit_lines,
    fit_to_budget,
    json_bytes,
    neutralize_markdown,
    truncate,
    utf8_len,
)
from hookcast.platforms.url_secrets import UrlSecrets, query_values
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec
from hookcast.platforms.wecom.im_app import WeComMessenger

# The markdown font colours for the tones, and how WeCom shows them.
PALETTE = Palette(
    success=ToneColour("info", "#07C160"),
    failure=ToneColour("warning", "#FA9D3B"),
    neutral=ToneColour("comment", "#999999"),
    warning=ToneColour("warning", "#FA9D3B"),
)
USER_ID = re.compile(r"[A-Za-z0-9_\-.@]{1,64}")
MAX_CONTENT_BYTES = 4096
TITLE_CHARS = 120
FOOTER_CHARS = 200
MAX_LINKS = 5

CODE_THROTTLED = 45009  # over 20 / min (failed sends count too)
CODE_BUSY = -1
CODE_INVALID_KEY = 93000
CODE_BAD_MSGTYPE = 40008
CODE_EMPTY = 44004
CODE_BAD_ARGS = 40058

ANSWERS = CodeTable(
    label="wecom",
    code_keys=("errcode",),
    message_keys=("errmsg",),
    throttled={CODE_THROTTLED: None},
    busy=frozenset({CODE_BUSY}),
    pause=frozenset({CODE_INVALID_KEY}),
)


def native_mention(mention: Mention) -> str | None:
    person = mention_id(mention, PlatformName.WECOM, USER_ID)
    return f"<@{person}>" if person else None


MARKDOWN = Markdown(
    escape=neutralize_markdown,
    mention=native_mention,
)


class WeCom(Platform):
    name: ClassVar[PlatformName] = PlatformName.WECOM
    label: ClassVar[str] = "WeCom"
    label_zh: ClassVar[str] = "企业微信"
    logo_colour: ClassVar[str] = "#07c160"
    example_url: ClassVar[str] = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=example"
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.MARKDOWN
    im_app: ClassVar[type[AppClient] | None] = WeComMessenger
    palette: ClassVar[Palette] = PALETTE
    hosts: ClassVar[tuple[str, ...]] = ("qyapi.weixin.qq.com",)
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a WeCom group robot URL",
        where="the group robot's details (Webhook address)",
        shapes=(
            UrlShape(
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…", r"/cgi-bin/webhook/send/?", ("key",)
            ),
        ),
    )
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(20, 60),)
    # The content is capped at 4096 bytes; JSON escaping of quotes can at most double it.
    max_body_bytes: ClassVar[int] = 2 * MAX_CONTENT_BYTES + 200
    digest_budget: ClassVar[int] = 2_800

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        color = self.palette.of(message.tone).value
        title = MARKDOWN.escape(truncate(message.title or message.summary, TITLE_CHARS))
        head = f'<font color="{color}">**{title}**</font>'
        tail = [action_links(usable_actions(message, MAX_LINKS), MARKDOWN)]
        if message.footer:
            tail.append(
                f'<font color="comment">{MARKDOWN.escape(truncate(message.footer, FOOTER_CHARS))}</font>'
            )
        lines = body_lines(message, MARKDOWN)

        def build(budget: int) -> dict[str, Any]:
            content = "\n".join(part for part in (head, fit_lines(lines, budget, utf8_len), *tail) if part)
            return {"msgtype": "markdown", "markdown": {"content": content}}

        def fits(payload: dict[str, Any]) -> bool:
            content = payload["markdown"]["content"]
            return utf8_len(content) <= MAX_CONTENT_BYTES and len(json_bytes(payload)) <= self.max_body_bytes

        return fit_to_budget(build, fits, MAX_CONTENT_BYTES)

    def classify(self, response: HttpResponse) -> Outcome:
        return classify_coded(response, ANSWERS)

    def url_secrets(self, url: str) -> UrlSecrets:
        return query_values("key")
