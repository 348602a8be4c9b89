"""Telegram sendMessage: the body, HTML escaping, the 4096 limit after entities, answers, redaction."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from hookcast.events import Tone
from hookcast.messages.model import Action, Link, Mention, Message, MessageField, Text
from hookcast.platforms import get_platform
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpResponse,
    Outcome,
    Permanent,
    RetryAfter,
    WebhookTarget,
)
from tests.fakes.platforms.telegram import html_problem, length_after_entities

URL = "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
telegram = get_platform("telegram")


def encode(settings: dict[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Issue #5 opened",
        "tone": Tone.WARNING,
        "url": "https://g.example/i/5?a=1&b=2",
        "lines": ((Text("Crash on start, assigned to "), Mention("Ann", ids={"telegram": "80351110"})),),
        "fields": (MessageField("Labels", (Text("bug", code=True),)),),
        "actions": (Action("Open issue", "https://g.example/i/5"),),
        "footer": "group/project",
    }
    values.update(overrides)
    target = WebhookTarget(URL, settings={"chat_id": "-1001234567890"} if settings is None else settings)
    return json.loads(telegram.encode(Message(**values), target, CTX).body)  # type: ignore[no-any-return]


def test_send_message_shape() -> None:
    body = encode({"chat_id": "-1001234567890", "message_thread_id": "42"})
    assert body["chat_id"] == -1001234567890 and body["message_thread_id"] == 42
    assert body["parse_mode"] == "HTML" and body["link_preview_options"] == {"is_disabled": True}
    assert body["text"].splitlines() == [
        '🟠 <a href="https://g.example/i/5?a=1&amp;b=2"><b>Issue #5 opened</b></a>',
        'Crash on start, assigned to <a href="tg://user?id=80351110">@\u200bAnn</a>',
        "<b>Labels</b>: <code>bug</code>",
        "<i>group/project</i>",
    ]
    assert body["reply_markup"] == {
        "inline_keyboard": [[{"text": "Open issue", "url": "https://g.example/i/5"}]]
    }


def test_a_channel_username_stays_a_string_and_a_bad_topic_is_left_out() -> None:
    body = encode({"chat_id": "@hookcast_news", "message_thread_id": "General"})
    assert body["chat_id"] == "@hookcast_news" and "message_thread_id" not in body


def test_a_mention_without_a_telegram_id_is_inert_text() -> None:
    body = encode(lines=((Mention("Bob", ids={"slack": "U1"}),),))
    assert "@\u200bBob" in body["text"] and "tg://" not in body["text"]


def test_hostile_text_is_escaped_and_stays_well_formed() -> None:
    hostile = '<b>x</b> & <a href="https://evil.example">y</a> @all &amp; </i>'
    body = encode(
        title=hostile,
        lines=((Text(hostile, bold=True), Link(hostile, "javascript:alert(1)")),),
        fields=(MessageField(hostile, (Text(hostile),)),),
        footer=hostile,
    )
    text = body["text"]
    assert html_problem(text) is None
    assert '<a href="https://evil' not in text and "<b>x</b>" not in text
    assert "javascript" not in text and "@all" not in text
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href=" in text and "&amp;amp;" in text


def test_buttons_need_an_openable_url_and_come_in_rows_of_three() -> None:
    actions = tuple(Action(f"B{n}", f"https://g.example/{n}") for n in range(7))
    body = encode(actions=(Action("local", "http://localhost/x"), *actions))
    rows = body["reply_markup"]["inline_keyboard"]
    assert [len(row) for row in rows] == [3, 2] and rows[0][0]["text"] == "B0"


@pytest.mark.parametrize("unit", ["&", "<", "😀", "构"])
def test_a_long_message_is_cut_to_4096_after_entities_never_inside_one(unit: str) -> None:
    lines = tuple((Text(f"line {n} " + unit * 300),) for n in range(40))
    text = encode(lines=lines)["text"]
    assert html_problem(text) is None
    assert 4000 < length_after_entities(text) <= 4096
    assert "…" in text and text.endswith("<i>group/project</i>")


def test_a_long_title_and_footer_are_cut_too() -> None:
    text = encode(title="T" * 5000, footer="F" * 5000)["text"]
    assert length_after_entities(text) <= 4096 and html_problem(text) is None


def test_a_text_full_of_long_links_is_shortened_until_the_body_fits() -> None:
    link = Link("x", "https://g.example/" + "p" * 1900)
    body = encode(lines=tuple((link, Text(" y")) for _ in range(100)))
    assert len(json.dumps(body, ensure_ascii=False).encode()) <= telegram.max_body_bytes
    assert html_problem(body["text"]) is None and body["text"].count("<a href") > 10


def answer(status: int, body: dict[str, Any] | None = None, **headers: str) -> Outcome:
    raw = json.dumps(body).encode() if body is not None else b""
    return telegram.classify(HttpResponse(status, headers, raw))


def failure(status: int, description: str, **parameters: Any) -> Outcome:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    return answer(status, body | ({"parameters": parameters} if parameters else {}))


def test_answers_are_classified() -> None:
    assert answer(200, {"ok": True, "result": {"message_id": 7}}) == Delivered()
    assert isinstance(answer(200, {"ok": False}), Permanent)
    throttled = failure(429, "Too Many Requests: retry after 35", retry_after=35)
    assert throttled == RetryAfter("telegram: HTTP 429 Too Many Requests: retry after 35", 35.0, True)
    assert isinstance(bounded := failure(429, "x", retry_after=10**9), RetryAfter)
    assert bounded.seconds == 3600.0
    busy = answer(502, None)
    assert isinstance(busy, RetryAfter) and not busy.throttled
    gone = failure(400, "Bad Request: chat not found")
    assert isinstance(gone, Permanent) and gone.pause
    for words in ("Forbidden: bot was blocked by the user", "Forbidden: bot was kicked from the group chat"):
        refused = failure(403, words)
        assert isinstance(refused, Permanent) and refused.pause and words in refused.reason
    token = failure(401, "Unauthorized")
    assert isinstance(token, Permanent) and token.pause and "token" in token.reason
    bad = failure(400, "Bad Request: can't parse entities: unsupported start tag")
    assert isinstance(bad, Permanent) and not bad.pause
    moved = failure(400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-1004000000001)
    assert isinstance(moved, Permanent) and moved.pause and "-1004000000001" in moved.reason


def test_the_token_is_redacted() -> None:
    assert telegram.redact_url(URL) == "https://api.telegram.org/bot***/sendMessage"
    assert "AAHdq" not in telegram.redact_url(URL + "?x=AAHdq")
    assert telegram.redact_url("https://api.telegram.org/other/AAHdq") == "https://api.telegram.org/***"


def test_settings_are_declared_for_api_ui_and_cli() -> None:
    chat, topic = telegram.settings
    assert chat.name == "chat_id" and chat.required and not chat.secret
    assert topic.name == "message_thread_id" and not topic.required
    assert chat.pattern and all(re.fullmatch(chat.pattern, v) for v in ("-1001234567890", "@hookcast_news"))
    assert not re.fullmatch(chat.pattern, "chat 1")
    assert topic.pattern and re.fullmatch(topic.pattern, "42") and not re.fullmatch(topic.pattern, "-1")
