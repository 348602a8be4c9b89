"""Feishu and Lark custom bot: card shape, tone colours, signature, keyword, answers, limits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest

from hookcast.events import Tone
from hookcast.messages.model import Action, Link, Mention, Message, MessageField, Text
from hookcast.platforms import PLATFORMS, get_platform
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpResponse,
    Permanent,
    PlatformName,
    RetryAfter,
    WebhookTarget,
)

URL = "https://open.feishu.cn/open-apis/bot/v2/hook/5f0c7a1e-token"
CTX = EncodeContext(now=1_700_000_123.9, idempotency_key="delivery-1")
feishu = get_platform(PlatformName.FEISHU)
lark = get_platform(PlatformName.LARK)


def message(**overrides: Any) -> Message:
    values: dict[str, Any] = {
        "title": "Pipeline #42 failed",
        "tone": Tone.FAILURE,
        "url": "https://gitlab.example/p/-/pipelines/42",
        "lines": (
            (Text("Branch "), Text("main", bold=True), Text(" by "), Link("Ann", "https://u.example/ann")),
        ),
        "fields": (MessageField("Stage", (Text("test"),)),),
        "actions": (Action("View pipeline", "https://gitlab.example/p/-/pipelines/42"),),
        "footer": "group/project",
    }
    values.update(overrides)
    return Message(**values)


def encode(msg: Message, target: WebhookTarget | None = None) -> dict[str, Any]:
    request = feishu.encode(msg, target or WebhookTarget(URL), CTX)
    assert request.method == "POST"
    assert request.headers["Content-Type"].startswith("application/json")
    return json.loads(request.body)  # type: ignore[no-any-return]


def answer(code: int, status: int = 200, **headers: str) -> HttpResponse:
    body = json.dumps({"code": code, "msg": "m", "data": {}}).encode()
    return HttpResponse(status=status, headers=headers, body=body)


def test_registry_has_both_editions() -> None:
    assert PLATFORMS[PlatformName.FEISHU] is feishu
    assert PLATFORMS[PlatformName.LARK] is lark
    assert feishu.host_allowed("open.feishu.cn") and not feishu.host_allowed("open.larksuite.com")
    assert lark.host_allowed("open.larksuite.com") and not lark.host_allowed("open.feishu.cn")
    assert {spec.name for spec in feishu.settings} == {"secret", "keyword"}
    assert next(spec for spec in feishu.settings if spec.name == "secret").secret


def test_card_shape() -> None:
    body = encode(message())
    assert body["msg_type"] == "interactive"
    assert "uuid" not in body and "timestamp" not in body and "sign" not in body
    card = body["card"]
    assert card["config"] == {"wide_screen_mode": True}
    assert card["header"]["title"] == {"tag": "plain_text", "content": "Pipeline #42 failed"}
    tags = [element["tag"] for element in card["elements"]]
    assert tags == ["markdown", "hr", "action", "note"]
    markdown = card["elements"][0]["content"]
    assert markdown == "Branch **main** by [Ann](https://u.example/ann)\n**Stage**: test"
    button = card["elements"][2]["actions"][0]
    assert button["text"] == {"tag": "plain_text", "content": "View pipeline"}
    assert button["url"] == "https://gitlab.example/p/-/pipelines/42"
    assert card["elements"][3]["elements"] == [{"tag": "plain_text", "content": "group/project"}]


@pytest.mark.parametrize(
    ("tone", "template"),
    [(Tone.SUCCESS, "green"), (Tone.FAILURE, "red"), (Tone.NEUTRAL, "grey"), (Tone.WARNING, "orange")],
)
def test_tone_picks_header_template(tone: Tone, template: str) -> None:
    assert encode(message(tone=tone))["card"]["header"]["template"] == template


def test_signature_matches_an_independent_derivation() -> None:
    body = encode(message(), WebhookTarget(URL, secret="SECxyz"))
    assert body["timestamp"] == "1700000123"
    string_to_sign = b"1700000123\nSECxyz"
    expected = base64.b64encode(hmac.new(string_to_sign, digestmod=hashlib.sha256).digest()).decode()
    assert body["sign"] == expected


def test_encoding_is_deterministic() -> None:
    target = WebhookTarget(URL, secret="s", keyword="CI")
    assert feishu.encode(message(), target, CTX) == feishu.encode(message(), target, CTX)


def test_keyword_is_prefixed_only_when_missing() -> None:
    assert (
        encode(message(), WebhookTarget(URL, keyword="deploy"))["card"]["header"]["title"]["content"]
        == "deploy · Pipeline #42 failed"
    )
    assert (
        encode(message(), WebhookTarget(URL, keyword="Pipeline"))["card"]["header"]["title"]["content"]
        == "Pipeline #42 failed"
    )


def test_keyword_survives_a_long_title() -> None:
    title = encode(message(title="x" * 5000), WebhookTarget(URL, keyword="ALERT"))["card"]["header"]["title"]
    assert title["content"].startswith("ALERT · ")
    assert title["content"].endswith("…")


def test_native_mention_and_plain_fallback() -> None:
    lines = ((Mention("Ann", ids={"feishu": "ou_123abc"}), Text(" "), Mention("Bob", ids={"slack": "U1"})),)
    content = encode(message(lines=lines, fields=()))["card"]["elements"][0]["content"]
    assert content.startswith("<at id=ou_123abc></at> ")
    assert "Bob" in content and "<at id=Bob" not in content
    hostile_id = ((Mention("Eve", ids={"feishu": "all"}),),)
    assert "<at" not in encode(message(lines=hostile_id, fields=()))["card"]["elements"][0]["content"]


def test_hostile_text_is_inert() -> None:
    lines = ((Text('<at id=all></at> <at user_id="all"> <font color=red>x</font> [a](http://evil) **b**'),),)
    body = encode(message(title="<at id=all></at>", lines=lines, fields=(), footer="<at id=all>"))
    raw = json.dumps(body, ensure_ascii=False)
    assert "<at" not in raw and "<font" not in raw and "](http://evil" not in raw and "**b**" not in raw


def test_long_digest_is_cut_to_the_body_limit_and_keeps_the_button() -> None:
    lines = tuple((Text(f"{index} 提交信息 commit message 😀 " * 8),) for index in range(400))
    request = feishu.encode(message(lines=lines), WebhookTarget(URL, secret="s"), CTX)
    assert len(request.body) <= 20_000
    card = json.loads(request.body)["card"]
    assert card["elements"][0]["content"].endswith("…")
    assert card["elements"][2]["tag"] == "action"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (answer(0), Delivered()),
        (HttpResponse(200, {}, b'{"StatusCode":0,"StatusMessage":"success"}'), Delivered()),
        (answer(11232), RetryAfter("feishu: code 11232 (m)", None, throttled=True)),
        (answer(19021), Permanent("feishu: code 19021 (m)")),
        (answer(19022), Permanent("feishu: code 19022 (m)")),
        (answer(19024), Permanent("feishu: code 19024 (m)")),
        (answer(9499, status=400), Permanent("feishu: code 9499 (m)")),
        (answer(19001), Permanent("feishu: code 19001 (m)", pause=True)),
        (HttpResponse(429, {"x-ogw-ratelimit-reset": "3"}, b""), RetryAfter("feishu: HTTP 429", 3.0, True)),
        (HttpResponse(503, {}, b"busy"), RetryAfter("feishu: HTTP 503")),
        (HttpResponse(200, {}, b"<html>"), Permanent("feishu: HTTP 200 without a result code: <html>")),
    ],
)
def test_classify(response: HttpResponse, expected: object) -> None:
    assert feishu.classify(response) == expected


def test_lark_names_itself_in_reasons() -> None:
    outcome = lark.classify(answer(19021))
    assert isinstance(outcome, Permanent) and outcome.reason.startswith("lark:")


def test_redaction_hides_the_hook_token() -> None:
    assert feishu.redact_url(URL) == "https://open.feishu.cn/open-apis/bot/v2/hook/***"
    assert "token" not in lark.redact_url("https://open.larksuite.com/open-apis/bot/v2/hook/token")
