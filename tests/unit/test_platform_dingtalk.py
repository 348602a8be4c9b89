"""DingTalk custom robot: markdown / actionCard, signed URL, keyword, mentions, answers, limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

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

URL = "https://oapi.dingtalk.com/robot/send?access_token=abc123"
CTX = EncodeContext(now=1_700_000_000.25, idempotency_key="k")
dingtalk = get_platform("dingtalk")


def message(**overrides: Any) -> Message:
    values: dict[str, Any] = {
        "title": "MR !7 merged",
        "tone": Tone.SUCCESS,
        "lines": ((Text("feature/x into main"),),),
        "fields": (MessageField("Author", (Text("Ann"),)),),
        "actions": (
            Action("Open MR", "https://g.example/mr/7"),
            Action("Diff", "https://g.example/mr/7/diff"),
        ),
        "footer": "group/project",
    }
    values.update(overrides)
    return Message(**values)


def encode(msg: Message, target: WebhookTarget | None = None) -> tuple[str, dict[str, Any]]:
    request = dingtalk.encode(msg, target or WebhookTarget(URL), CTX)
    return request.url, json.loads(request.body)


def test_markdown_shape_with_links_at_the_end() -> None:
    url, body = encode(message())
    assert url == URL
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "MR !7 merged"
    text = body["markdown"]["text"]
    assert text.startswith('#### <font color="#2EB67D">MR !')
    assert "**Author**: Ann" in text
    assert text.index("[Open MR](https://g.example/mr/7)") > text.index("feature/x")
    assert body["at"] == {"atMobiles": [], "atUserIds": [], "isAtAll": False}


def test_single_action_becomes_an_action_card() -> None:
    _, body = encode(message(actions=(Action("Open MR", "https://g.example/mr/7"),)))
    assert body["msgtype"] == "actionCard"
    card = body["actionCard"]
    assert card["singleTitle"] == "Open MR" and card["singleURL"] == "https://g.example/mr/7"
    assert card["title"] == "MR !7 merged" and "feature/x" in card["text"]


@pytest.mark.parametrize(("tone", "colour"), [(Tone.FAILURE, "#E01E5A"), (Tone.NEUTRAL, "#9E9E9E")])
def test_tone_colour(tone: Tone, colour: str) -> None:
    assert f'color="{colour}"' in encode(message(tone=tone))[1]["markdown"]["text"]


def test_signed_url_matches_an_independent_derivation_and_is_encoded_once() -> None:
    url, _ = encode(message(), WebhookTarget(URL, secret="SECabc"))
    query = parse_qs(urlsplit(url).query)
    assert query["timestamp"] == ["1700000000250"]
    expected = base64.b64encode(
        hmac.new(b"SECabc", b"1700000000250\nSECabc", hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]  # parse_qs decodes once: the raw query was encoded once
    assert "%25" not in url and "+" not in urlsplit(url).query


def test_keyword_prefixed_in_title_and_text() -> None:
    _, body = encode(message(), WebhookTarget(URL, keyword="告警"))
    assert body["markdown"]["title"].startswith("告警")
    assert "告警" in body["markdown"]["text"].split("\n")[0]


def test_mentions_need_both_text_and_at_field() -> None:
    lines = (
        (
            Text("review: "),
            Mention("Ann", ids={"dingtalk": "13800000000"}),
            Mention("Bob", ids={"dingtalk": "u_bob"}),
        ),
    )
    _, body = encode(message(lines=lines, mentions=(Mention("Cy"),)))
    assert body["at"] == {"atMobiles": ["13800000000"], "atUserIds": ["u_bob"], "isAtAll": False}
    text = body["markdown"]["text"]
    assert "@13800000000" in text and "@u_bob" in text and "@\u200bCy" in text


def test_hostile_text_cannot_broadcast() -> None:
    lines = ((Text("@all @13800000000 <font color=red>x</font> [a](http://e) **b**"),),)
    _, body = encode(message(lines=lines, title="@all"))
    raw = json.dumps(body, ensure_ascii=False)
    assert "@all" not in raw and "@13800000000" not in raw and "<font color=red" not in raw
    assert "](http://e" not in raw and "**b**" not in raw
    assert body["at"]["isAtAll"] is False and body["at"]["atMobiles"] == []


def test_long_message_is_cut_under_20000_bytes() -> None:
    lines = tuple((Text("提交 " * 300),) for _ in range(40))
    request = dingtalk.encode(message(lines=lines), WebhookTarget(URL, keyword="CI"), CTX)
    assert len(request.body) <= 20_000
    text = json.loads(request.body)["markdown"]["text"]
    assert "…" in text and "[Open MR](https://g.example/mr/7)" in text


def answer(code: int, message: str = "m") -> HttpResponse:
    return HttpResponse(200, {}, json.dumps({"errcode": code, "errmsg": message}).encode())


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (answer(0, "ok"), Delivered()),
        (answer(130101), RetryAfter("dingtalk: code 130101 (m)", 60.0, throttled=True)),
        (answer(410100), RetryAfter("dingtalk: code 410100 (m)", None, throttled=True)),
        (answer(-1), RetryAfter("dingtalk: code -1 (m)")),
        (HttpResponse(502, {}, b""), RetryAfter("dingtalk: HTTP 502")),
        (answer(310000, "sign not match"), Permanent("dingtalk: code 310000 (sign not match)")),
        (answer(300001), Permanent("dingtalk: code 300001 (m)", pause=True)),
        (answer(300005), Permanent("dingtalk: code 300005 (m)", pause=True)),
        (answer(400101), Permanent("dingtalk: code 400101 (m)", pause=True)),
        (answer(400102), Permanent("dingtalk: code 400102 (m)", pause=True)),
        (answer(40035), Permanent("dingtalk: code 40035 (m)")),
        (answer(460101), Permanent("dingtalk: code 460101 (m)")),
    ],
)
def test_classify(response: HttpResponse, expected: object) -> None:
    assert dingtalk.classify(response) == expected


def test_redaction() -> None:
    url, _ = encode(message(), WebhookTarget(URL, secret="SECabc"))
    redacted = dingtalk.redact_url(url)
    assert "abc123" not in redacted and "access_token=***" in redacted and "sign=***" in redacted
