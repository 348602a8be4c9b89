"""Hostile user text in every Text of a Message: on every platform the body stays valid JSON,
within the platform's limits, and never carries a broadcast, a mention or injected markup."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookcast.events import Tone
from hookcast.messages.model import Action, Line, Link, Message, MessageField, Text
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import EncodeContext, PlatformName, WebhookTarget
from tests.fakes.platforms.telegram import html_problem, length_after_entities

TOKENS = [
    "<at id=all></at>",
    '<at user_id="all">',
    "<at id=ou_1>",
    "<font color=red>",
    "</font>",
    "@all",
    "＠all",
    "@13800000000",
    "<@userid>",
    "<@U024BE7LH>",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<users/all>",
    "@channel",
    "<a href='https://evil.example'>x</a>",
    "<https://evil.example|click>",
    "@everyone",
    "@here",
    "<@&123456789012345678>",
    "<@123456789012345678>",
    "[x](https://evil.example)",
    "![i](https://evil.example/i.png)",
    "**bold**",
    "_it_",
    "~~s~~",
    "`c`",
    "# h",
    "> q",
    "\n- item\n",
    "\\",
    "&amp;",
    "&#60;",
    '"',
    "\u200b",
    "😀",
    "提交信息",
    "e\u0301",
    "x" * 3000,
    "构建😀" * 700,
]
hostile = st.lists(st.sampled_from(TOKENS) | st.text(max_size=12), max_size=6).map("".join)
SAFE_URL = "https://example.com/safe"
segment = st.builds(Text, hostile, st.booleans()) | st.builds(Link, hostile, st.just(SAFE_URL))
line = st.lists(segment, max_size=4).map(tuple)
messages = st.builds(
    Message,
    title=hostile,
    tone=st.sampled_from(list(Tone)),
    summary=hostile,
    url=st.just(SAFE_URL),
    lines=st.lists(line, max_size=6).map(tuple),
    fields=st.lists(st.builds(MessageField, hostile, line, st.booleans()), max_size=4).map(tuple),
    actions=st.lists(st.builds(Action, hostile, st.just(SAFE_URL)), max_size=3).map(tuple),
    footer=hostile,
)

# Every registered platform, at its declared example URL: a new platform is covered by itself.
URLS = {name: platform.example_url for name, platform in PLATFORMS.items()}
TEAMS_LEGACY = "https://x.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d"
# Markup that only hookcast may write: hostile text must not add a single one.
GUARDED = [
    "<at",
    "@all",
    "@everyone",
    "@here",
    "@1380",
    "<!",
    "<@",
    "<font",
    "](",
    "<http",
    "<users/",
    "@channel",
    "<a href",
]
# Telegram's HTML mode reads no markdown: there, hookcast's own markup is tags (and "@name" mentions).
GUARDED_HTML = ["<a ", "<b>", "<i>", "<code>", "<pre", "<blockquote", "@all", "@everyone", "@here", "@1380"]
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")


def benign(message: Message) -> Message:
    """The same message with every user text replaced by "x"."""

    def plain_line(value: Line) -> Line:
        return tuple(replace(seg, text="x") if isinstance(seg, Text | Link) else seg for seg in value)

    return replace(
        message,
        title="x",
        summary="x",
        footer="x",
        lines=tuple(plain_line(value) for value in message.lines),
        fields=tuple(replace(f, label="x", value=plain_line(f.value)) for f in message.fields),
        actions=tuple(replace(a, label="x") for a in message.actions),
    )


def encoded(platform: PlatformName, message: Message, url: str) -> tuple[bytes, Any]:
    secret = "SECx" if platform != PlatformName.TEAMS else None
    target = WebhookTarget(url, secret=secret, keyword="CI", settings={"chat_id": "-100123"})
    body = PLATFORMS[platform].encode(message, target, CTX).body
    return body, json.loads(body)


def texts(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(texts(item) for item in value.values())
    if isinstance(value, list):
        return "\n".join(texts(item) for item in value)
    return value if isinstance(value, str) else ""


def check_platform_limits(platform: PlatformName, body: Any) -> None:
    if platform is PlatformName.WECOM:
        assert len(body["markdown"]["content"].encode()) <= 4096
    if platform is PlatformName.DINGTALK:
        assert body.get("at", {}).get("isAtAll", False) is False and not body.get("at", {}).get("atMobiles")
    if platform is PlatformName.SLACK:
        blocks = body["attachments"][0]["blocks"]
        assert len(blocks) <= 50 and len(blocks[0]["text"]["text"]) <= 150
        assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks[1:])
    if platform is PlatformName.DISCORD:
        embed = body["embeds"][0]
        assert body["allowed_mentions"] == {"parse": [], "users": []}
        parts = [embed["title"], embed.get("description", ""), embed.get("footer", {}).get("text", "")]
        parts += [text for f in embed.get("fields", []) for text in (f["name"], f["value"])]
        assert len(embed["title"]) <= 256 and len(embed.get("description", "")) <= 4096
        assert sum(len(part.encode("utf-16-le")) // 2 for part in parts) <= 6000
    if platform is PlatformName.GOOGLE_CHAT:
        card = body["cardsV2"][0]["card"]
        assert sum(len(section["widgets"]) for section in card["sections"]) <= 100
        assert "text" not in body  # no one has a Google Chat id here: nobody is mentioned
    if platform is PlatformName.MATTERMOST:
        assert len(json.dumps(body["attachments"], ensure_ascii=False)) <= 7_900
        assert "text" not in body
    if platform is PlatformName.TELEGRAM:
        assert html_problem(body["text"]) is None, body["text"]
        assert 0 < length_after_entities(body["text"]) <= 4096


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_hostile_text_never_breaks_out(message: Message) -> None:
    targets = [(name, url) for name, url in URLS.items()] + [(PlatformName.TEAMS, TEAMS_LEGACY)]
    for platform, url in targets:
        raw, body = encoded(platform, message, url)
        assert len(raw) <= PLATFORMS[platform].max_body_bytes, platform
        check_platform_limits(platform, body)
        _, reference = encoded(platform, benign(message), url)
        if platform is PlatformName.TELEGRAM:  # only "text" is parsed as HTML; buttons are plain
            hostile_text, reference_text = body["text"], reference["text"]
        else:
            hostile_text, reference_text = texts(body), texts(reference)
        for token in GUARDED_HTML if platform is PlatformName.TELEGRAM else GUARDED:
            assert hostile_text.count(token) <= reference_text.count(token), (platform, token)


@settings(max_examples=15, deadline=None)
@given(st.lists(line, min_size=30, max_size=60).map(tuple))
def test_long_digests_are_cut_never_over(lines: tuple[Line, ...]) -> None:
    parts = tuple(Message(title=f"part {i}", tone=Tone.NEUTRAL) for i in range(3))
    message = Message(
        title="Digest", tone=Tone.NEUTRAL, lines=lines, parts=parts, actions=(Action("All", SAFE_URL),)
    )
    for platform, url in URLS.items():
        raw, body = encoded(platform, message, url)
        assert len(raw) <= PLATFORMS[platform].max_body_bytes
        check_platform_limits(platform, body)
        assert SAFE_URL in raw.decode()  # the link to the full list survives the cut
