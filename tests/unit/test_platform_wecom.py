"""WeCom group robot: markdown content, colours, mentions, the 4096-byte cap, answers, redaction."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hookcast.events import Tone
from hookcast.messages.model import Action, Mention, Message, MessageField, Text
from hookcast.platforms import get_platform
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpResponse,
    Permanent,
    RetryAfter,
    WebhookTarget,
)

URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
wecom = get_platform("wecom")


def content(**overrides: Any) -> str:
    values: dict[str, Any] = {
        "title": "Deploy to prod succeeded",
        "tone": Tone.SUCCESS,
        "lines": ((Text("v1.2.3 by "), Mention("Ann", ids={"wecom": "ann.li"})),),
        "fields": (MessageField("Env", (Text("prod"),)),),
        "actions": (Action("Open", "https://g.example/d/1"),),
        "footer": "group/project",
    }
    values.update(overrides)
    body = json.loads(wecom.encode(Message(**values), WebhookTarget(URL), CTX).body)
    assert body["msgtype"] == "markdown"
    return body["markdown"]["content"]  # type: ignore[no-any-return]


def test_markdown_content() -> None:
    text = content()
    lines = text.split("\n")
    assert lines[0] == '<font color="info">**Deploy to prod succeeded**</font>'
    assert lines[1] == "v1.2.3 by <@ann.li>"
    assert lines[2] == "**Env**: prod"
    assert lines[3] == "[Open](https://g.example/d/1)"
    assert lines[4] == '<font color="comment">group/project</font>'


@pytest.mark.parametrize(
    ("tone", "colour"),
    [(Tone.SUCCESS, "info"), (Tone.FAILURE, "warning"), (Tone.NEUTRAL, "comment"), (Tone.WARNING, "warning")],
)
def test_tone_colour(tone: Tone, colour: str) -> None:
    assert content(tone=tone).startswith(f'<font color="{colour}">')


def test_content_is_cut_utf8_safely_to_4096_bytes_keeping_the_link() -> None:
    text = content(lines=tuple((Text("构建日志😀" * 50),) for _ in range(60)))
    size = len(text.encode("utf-8"))
    assert 3500 < size <= 4096
    assert "…" in text and "[Open](https://g.example/d/1)" in text
    text.encode("utf-8").decode("utf-8")  # whole characters only


def test_hostile_text_is_inert() -> None:
    text = content(
        lines=((Text('<@all> @all <font color="info">x</font> [a](http://e) *b*'),),), title="<@all>"
    )
    assert "<@all>" not in text and "@all" not in text and '<font color="info">x' not in text
    assert "](http://e" not in text


def answer(code: int) -> HttpResponse:
    return HttpResponse(200, {}, json.dumps({"errcode": code, "errmsg": "m"}).encode())


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (answer(0), Delivered()),
        (answer(45009), RetryAfter("wecom: code 45009 (m)", None, throttled=True)),
        (answer(-1), RetryAfter("wecom: code -1 (m)")),
        (HttpResponse(500, {}, b""), RetryAfter("wecom: HTTP 500")),
        (answer(93000), Permanent("wecom: code 93000 (m)", pause=True)),
        (answer(40008), Permanent("wecom: code 40008 (m)")),
        (answer(44004), Permanent("wecom: code 44004 (m)")),
        (answer(40058), Permanent("wecom: code 40058 (m)")),
    ],
)
def test_classify(response: HttpResponse, expected: object) -> None:
    assert wecom.classify(response) == expected


def test_redaction_hides_the_key() -> None:
    assert wecom.redact_url(URL) == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
    assert wecom.settings == ()
