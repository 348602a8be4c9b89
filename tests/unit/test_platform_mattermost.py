"""Mattermost webhook: one attachment within the server's limits, native @mentions, every answer
a server gives, and the hook id redacted."""

from __future__ import annotations

import json
from typing import Any

from hookcast.events import Tone
from hookcast.messages.model import Action, Link, Mention, Message, MessageField, Text
from hookcast.platforms import get_platform
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpResponse,
    Permanent,
    RetryAfter,
    WebhookTarget,
)

URL = "https://chat.example.org/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
mattermost = get_platform("mattermost")


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Issue #5 opened",
        "tone": Tone.WARNING,
        "summary": "project: issue #5 opened",
        "url": "https://g.example/i/5",
        "lines": ((Text("Crash on start, by "), Mention("Ann", ids={"mattermost": "ann.lee"})),),
        "fields": (MessageField("Labels", (Text("bug"),)),),
        "actions": (Action("Open issue", "https://g.example/i/5"),),
        "footer": "group/project",
    }
    values.update(overrides)
    return json.loads(mattermost.encode(Message(**values), WebhookTarget(URL), CTX).body)  # type: ignore[no-any-return]


def test_attachment_shape() -> None:
    sent = body()
    assert sent["text"] == "@ann.lee"
    assert sent["attachments"] == [
        {
            "fallback": "project: issue \\#5 opened".replace("\\", ""),
            "color": "#ECB22E",
            "title": "Issue #5 opened",
            "title_link": "https://g.example/i/5",
            "text": "Crash on start, by @ann.lee\n\n[Open issue](https://g.example/i/5)",
            "fields": [{"title": "Labels", "value": "bug", "short": True}],
            "footer": "group/project",
        }
    ]


def test_broadcast_names_and_bad_usernames_are_not_mentions() -> None:
    people = tuple(Mention(name, ids={"mattermost": name}) for name in ("channel", "all", "here", "Bad Name"))
    sent = body(lines=(), mentions=people)
    assert "text" not in sent
    text = sent["attachments"][0]["text"]
    assert "@channel" not in text and "@all" not in text and "@here" not in text


def test_hostile_text_stays_text() -> None:
    hostile = "<!channel> @here **b** [x](https://evil.example) # h <5fb5f7iw8tfrfcwssd1xmx3j7y> `c`"
    sent = body(
        title=hostile,
        lines=((Text(hostile), Link(hostile, "javascript:alert(1)")),),
        fields=(MessageField(hostile, (Text(hostile),)),),
        footer=hostile,
        mentions=(),
    )
    raw = json.dumps(sent, ensure_ascii=False)
    for token in ("<!channel>", "@here", "](https://evil", "<5fb5", "](javascript", "**b**", "`c`"):
        assert token not in raw, token


def test_a_huge_message_fits_every_server() -> None:
    huge = tuple((Text("构建失败 build failed 😀 *_[]() " * 80),) for _ in range(300))
    many = tuple(MessageField(f"f{i}", (Text("值*" * 3000),)) for i in range(40))
    sent = body(lines=huge, fields=many, title="题" * 5000, footer="尾" * 5000)
    assert len(json.dumps(sent["attachments"], ensure_ascii=False)) <= 7_900
    assert sent["attachments"][0]["text"].endswith("…") or "…" in sent["attachments"][0]["text"]


def answer(status: int, body: bytes = b"", **headers: str) -> HttpResponse:
    return HttpResponse(status, {name.replace("_", "-"): value for name, value in headers.items()}, body)


def test_answers_are_classified() -> None:
    assert mattermost.classify(answer(200, b"ok")) == Delivered()
    odd = mattermost.classify(answer(200, b"<html>login</html>"))
    assert isinstance(odd, Permanent) and not odd.pause
    invalid = mattermost.classify(answer(400, b'{"id": "web.incoming_webhook.parse.app_error"}'))
    assert isinstance(invalid, Permanent) and not invalid.pause
    for status in (403, 404, 501):
        gone = mattermost.classify(answer(status))
        assert isinstance(gone, Permanent) and gone.pause, status
    throttled = mattermost.classify(answer(429, x_ratelimit_reset="3"))
    assert isinstance(throttled, RetryAfter) and throttled.throttled and throttled.seconds == 3.0
    bounded = mattermost.classify(answer(429, retry_after="86400"))
    assert isinstance(bounded, RetryAfter) and bounded.seconds == 3600.0
    busy = mattermost.classify(answer(502))
    assert isinstance(busy, RetryAfter) and not busy.throttled


def test_the_hook_id_is_redacted() -> None:
    assert mattermost.redact_url(URL) == "https://chat.example.org/***"
    assert mattermost.self_hosted and mattermost.hosts == ()
