"""DingTalk custom robots: markdown, or an action card when the message has exactly one button."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any, ClassVar
from urllib.parse import quote

from hookcast.messages.model import Mention, Message
from hookcast.platforms.app_client.client import AppClient
from hookcast.platforms.base import (
    EncodeContext,
    FieldSpec,
    HttpResponse,
    Outcome,
    Palette,
    Platform,
    PlatformName,
    PreviewStyle,
    RateLimit,
    WebhookTarget,
)
from hookcast.platforms.dingtalk.im_app import DingTalkMessenger
from hookcast.platforms.shared import (
    HEX_PALETTE,
    TONE_HEX,
    CodeTable,
    Markdown,
    action_links,
    body_lines,
    classify_coded,
    mention_id,
    native_ids,
    plain_title,
    usable_actions,
    with_keyword,
    with_query,
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
from hookcast.platforms.url_secrets import UrlSecrets, query_values
from hookcast.platforms.webhook_url import UrlShape, WebhookUrlSpec

PERSON_ID = re.compile(r"[A-Za-z0-9_\-$+]{1,64}")
MOBILE = re.compile(r"\+?[0-9][0-9\-]{5,19}")
TITLE_CHARS = 120
FOOTER_CHARS = 300
MAX_LINKS = 5
LINE_BREAK = "\n\n"  # DingTalk markdown needs an empty line to break a line

CODE_TOO_FAST = 130101  # over 20 / min: the robot is throttled for about ten minutes
CODE_THROTTLED = 410100
CODE_BUSY = -1
CODE_SECURITY = 310000  # errmsg: sign not match / keywords not in content / ip not in whitelist
CODE_TOKEN_MISSING = 300001
CODE_TOKEN_INVALID = 300005
CODE_ROBOT_MISSING = 400101
CODE_ROBOT_STOPPED = 400102
CODE_MISSING_PARAMETER = 40035
CODE_TOO_LONG = 460101  # "message too long, exceed 20000 bytes"

ANSWERS = CodeTable(
    label="dingtalk",
    code_keys=("errcode",),
    message_keys=("errmsg",),
    throttled={CODE_TOO_FAST: 60.0, CODE_THROTTLED: None},
    busy=frozenset({CODE_BUSY}),
    pause=frozenset({CODE_TOKEN_MISSING, CODE_TOKEN_INVALID, CODE_ROBOT_MISSING, CODE_ROBOT_STOPPED}),
)


def dingtalk_sign(timestamp_ms: str, secret: str) -> str:
    """base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded once for the query."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote(base64.b64encode(digest).decode("ascii"), safe="")


def native_mention(mention: Mention) -> str | None:
    person = mention_id(mention, PlatformName.DINGTALK, PERSON_ID)
    return f"@{person}" if person else None


MARKDOWN = Markdown(
    escape=neutralize_markdown,
    mention=native_mention,
)


class DingTalk(Platform):
    name: ClassVar[PlatformName] = PlatformName.DINGTALK
    label: ClassVar[str] = "DingTalk"
    label_zh: ClassVar[str] = "钉钉"
    logo_colour: ClassVar[str] = "#1890ff"
    example_url: ClassVar[str] = "https://oapi.dingtalk.com/robot/send?access_token=example"
    preview_style: ClassVar[PreviewStyle] = PreviewStyle.MARKDOWN
    im_app: ClassVar[type[AppClient] | None] = DingTalkMessenger
    palette: ClassVar[Palette] = HEX_PALETTE
    hosts: ClassVar[tuple[str, ...]] = ("oapi.dingtalk.com",)
    webhook_url: ClassVar[WebhookUrlSpec] = WebhookUrlSpec(
        what="a DingTalk robot URL",
        where="the custom robot's settings in the group",
        shapes=(
            UrlShape(
                "https://oapi.dingtalk.com/robot/send?access_token=…", r"/robot/send/?", ("access_token",)
            ),
        ),
    )
    settings: ClassVar[tuple[FieldSpec, ...]] = (
        FieldSpec(
            name="secret",
            label="Signing secret",
            help="The robot's signing secret (starts with SEC), from its security settings.",
            secret=True,
        ),
        FieldSpec(
            name="keyword",
            label="Keyword",
            help="One of the robot's custom keywords; it is put in the title when missing.",
            max_length=64,
        ),
    )
    rate_limits: ClassVar[tuple[RateLimit, ...]] = (RateLimit(20, 60),)
    max_body_bytes: ClassVar[int] = 20_000
    digest_budget: ClassVar[int] = 12_000

    def payload(self, message: Message, target: WebhookTarget, ctx: EncodeContext) -> dict[str, Any]:
        people = native_ids(message, self.name, PERSON_ID)
        actions = usable_actions(message, MAX_LINKS)
        single = actions[0] if len(actions) == 1 and not people else None
        title = plain_title(message, TITLE_CHARS, target.keyword)
        heading = with_keyword(
            neutralize_markdown(truncate(message.title or message.summary, TITLE_CHARS)),
            target.keyword,
            TITLE_CHARS,
        )
        head = f'#### <font color="{TONE_HEX[message.tone]}">{heading}</font>'
        tail = [] if single else [action_links(actions, MARKDOWN)]
        if message.footer:
            tail.append(
                f'<font color="#9E9E9E">{MARKDOWN.escape(truncate(message.footer, FOOTER_CHARS))}</font>'
            )
        lines = body_lines(message, MARKDOWN)

        def build(budget: int) -> dict[str, Any]:
            body = fit_lines(lines, budget, utf8_len, LINE_BREAK)
            text = LINE_BREAK.join(part for part in (head, body, *tail) if part)
            if single is not None:
                card = {
                    "title": title,
                    "text": text,
                    "btnOrientation": "0",
                    "singleTitle": neutralize_plain(truncate(single.label, 40)) or "Open",
                    "singleURL": single.url,
                }
                return {"msgtype": "actionCard", "actionCard": card}
            return {"msgtype": "markdown", "markdown": {"title": title, "text": text}, "at": at_field(people)}

        payload = fit_to_budget(
            build, lambda body: len(json_bytes(body)) <= self.max_body_bytes, self.max_body_bytes
        )
        return payload

    def post_url(self, target: WebhookTarget, ctx: EncodeContext) -> str:
        return signed_url(target, ctx)

    def classify(self, response: HttpResponse) -> Outcome:
        return classify_coded(response, ANSWERS)

    def url_secrets(self, url: str) -> UrlSecrets:
        return query_values("access_token", "sign")


def at_field(people: list[str]) -> dict[str, Any]:
    mobiles = [person for person in people if MOBILE.fullmatch(person)]
    user_ids = [person for person in people if person not in mobiles]
    return {"atMobiles": mobiles, "atUserIds": user_ids, "isAtAll": False}


def signed_url(target: WebhookTarget, ctx: EncodeContext) -> str:
    if not target.secret:
        return target.url
    timestamp = str(int(ctx.now * 1000))
    return with_query(
        target.url, [("timestamp", timestamp), ("sign", dingtalk_sign(timestamp, target.secret))]
    )
