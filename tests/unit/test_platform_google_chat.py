"""Google Chat webhook: one cards v2 card within the message ceiling, mentions in the text, the
optional thread, every documented answer, and the key and token redacted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hookcast.events import Tone
from hookcast.messages.model import Action, Link, Mention, Message, MessageField, Text
from hookcast.platforms import get_platform
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpRequest,
    HttpResponse,
    Permanent,
    RetryAfter,
    WebhookTarget,
)

URL = "https://chat.googleapis.com/v1/spaces/AAAAbCdE/messages?key=AIzaKEY&token=SECRETtoken"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
google_chat = get_platform("google_chat")


def message(**overrides: Any) -> Message:
    values: dict[str, Any] = {
        "title": "Pipeline #42 failed",
        "tone": Tone.FAILURE,
        "summary": "project: pipeline #42 failed",
        "url": "https://g.example/p/42",
        "lines": (
            (Text("Branch "), Text("main", bold=True), Text(" by "), Link("Ann", "https://g.example/ann")),
        ),
        "fields": (MessageField("Stage", (Text("test"),)),),
        "actions": (Action("View pipeline", "https://g.example/p/42?a=1&b=2"),),
        "footer": "group/project",
    }
    values.update(overrides)
    return Message(**values)


def request(settings: dict[str, str] | None = None, url: str = URL, **overrides: Any) -> HttpRequest:
    return google_chat.encode(message(**overrides), WebhookTarget(url, settings=settings or {}), CTX)


def body(**overrides: Any) -> dict[str, Any]:
    return json.loads(request(**overrides).body)  # type: ignore[no-any-return]


def test_card_shape() -> None:
    sent = body()
    assert sent["fallbackText"] == "project: pipeline #42 failed"
    assert "text" not in sent and "thread" not in sent
    card = sent["cardsV2"][0]["card"]
    assert card["header"] == {"title": "Pipeline #42 failed", "subtitle": "group/project"}
    paragraph, fields, buttons = (section["widgets"] for section in card["sections"])
    assert paragraph[0]["textParagraph"]["text"] == (
        '<font color="#E01E5A">●</font> Branch <b>main</b> by <a href="https://g.example/ann">Ann</a>'
    )
    assert fields == [{"decoratedText": {"topLabel": "Stage", "text": "test", "wrapText": True}}]
    button = buttons[0]["buttonList"]["buttons"][0]
    assert button == {
        "text": "View pipeline",
        "onClick": {"openLink": {"url": "https://g.example/p/42?a=1&b=2"}},
    }


def test_people_with_a_google_chat_id_are_mentioned_in_the_text() -> None:
    ann = Mention("Ann", ids={"google_chat": "112233445566778899"})
    bob = Mention("Bob", ids={"google_chat": "all"})  # never a broadcast
    sent = body(mentions=(ann, bob))
    assert sent["text"] == "<users/112233445566778899>"
    assert "@\u200bBob" in json.dumps(sent, ensure_ascii=False)


def test_a_thread_key_replies_in_its_thread_or_starts_it() -> None:
    sent = request(settings={"thread_key": "deploys"})
    assert json.loads(sent.body)["thread"] == {"threadKey": "deploys"}
    assert sent.url == URL + "&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
    chosen = URL + "&messageReplyOption=REPLY_MESSAGE_OR_FAIL"
    assert request(settings={"thread_key": "deploys"}, url=chosen).url == chosen  # the user's choice stays
    assert request().url == URL


def test_hostile_text_stays_text() -> None:
    hostile = "<users/all> <b>x</b> <a href='javascript:alert(1)'>y</a> @all [z](https://evil.example)"
    sent = body(
        title=hostile,
        lines=((Text(hostile), Link(hostile, "javascript:alert(1)")),),
        fields=(MessageField(hostile, (Text(hostile),)),),
        actions=(Action(hostile, "javascript:alert(1)"),),
    )
    raw = json.dumps(sent, ensure_ascii=False)
    for token in ("<users/", "<a href='javascript", 'href="javascript', '"url": "javascript', "<b>x", "]("):
        assert token not in raw, token
    assert "&lt;b&gt;x&lt;/b&gt;" in raw
    assert sent["cardsV2"][0]["card"]["sections"][-1]["widgets"][0]["buttonList"]["buttons"][0][
        "onClick"
    ] == {"openLink": {"url": "https://g.example/p/42"}}


def test_a_huge_message_fits_the_ceiling() -> None:
    huge = tuple((Text("构建失败 build failed 😀 " * 80),) for _ in range(300))
    many = tuple(MessageField(f"f{i}", (Text("值" * 3000),)) for i in range(40))
    sent = request(lines=huge, fields=many, footer="尾" * 5000, title="题" * 5000)
    assert len(sent.body) <= 30_000 < 32_000
    card = json.loads(sent.body)["cardsV2"][0]["card"]
    assert sum(len(section["widgets"]) for section in card["sections"]) <= 100
    assert card["sections"][0]["widgets"][0]["textParagraph"]["text"].endswith("…")


def answer(status: int, body: bytes = b"", **headers: str) -> HttpResponse:
    return HttpResponse(status, {name.replace("_", "-"): value for name, value in headers.items()}, body)


def test_answers_are_classified() -> None:
    assert google_chat.classify(answer(200, b'{"name": "spaces/A/messages/B"}')) == Delivered()
    bad = google_chat.classify(answer(400, b'{"error": {"status": "INVALID_ARGUMENT"}}'))
    assert isinstance(bad, Permanent) and not bad.pause and "INVALID_ARGUMENT" in bad.reason
    for status in (401, 403, 404):
        gone = google_chat.classify(answer(status))
        assert isinstance(gone, Permanent) and gone.pause, status
    throttled = google_chat.classify(answer(429, retry_after="7"))
    assert throttled == RetryAfter("google chat: HTTP 429", 7.0, True)
    bounded = google_chat.classify(answer(429, retry_after="999999"))
    assert isinstance(bounded, RetryAfter) and bounded.seconds == 3600.0
    busy = google_chat.classify(answer(503))
    assert isinstance(busy, RetryAfter) and not busy.throttled


def test_the_key_and_token_are_redacted() -> None:
    redacted = google_chat.redact_url(URL)
    assert redacted == "https://chat.googleapis.com/v1/spaces/AAAAbCdE/messages?key=***&token=***"


@pytest.mark.parametrize("key", ["a b", "x" * 129, "<users/all>"])
def test_the_thread_key_setting_has_a_strict_shape(key: str) -> None:
    import re

    spec = next(spec for spec in google_chat.settings if spec.name == "thread_key")
    assert spec.pattern is not None and not re.fullmatch(spec.pattern, key)
    assert not spec.secret and not spec.required
