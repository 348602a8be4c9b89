"""Slack incoming webhook: attachment + blocks, colours, mrkdwn escaping, limits, answers."""

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
    HttpResponse,
    Permanent,
    RetryAfter,
    WebhookTarget,
)

URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXX"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
slack = get_platform("slack")


def encode(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Pipeline #9 passed",
        "summary": "Pipeline #9 passed on main",
        "tone": Tone.SUCCESS,
        "lines": (
            (
                Text("Commit "),
                Link("abc123", "https://g.example/c/abc123"),
                Text(" by "),
                Mention("Ann", ids={"slack": "U024BE7LH"}),
            ),
        ),
        "fields": (MessageField("Branch", (Text("main"),)), MessageField("Duration", (Text("3m"),))),
        "actions": (Action("View", "https://g.example/p/9"),),
        "footer": "group/project",
    }
    values.update(overrides)
    return json.loads(slack.encode(Message(**values), WebhookTarget(URL), CTX).body)  # type: ignore[no-any-return]


def test_blocks_shape() -> None:
    body = encode()
    assert body["text"] == "Pipeline #9 passed on main"
    attachment = body["attachments"][0]
    assert attachment["color"] == "#2EB67D"
    types = [block["type"] for block in attachment["blocks"]]
    assert types == ["header", "section", "section", "context", "actions"]
    header, section, fields = attachment["blocks"][:3]
    assert header["text"] == {"type": "plain_text", "text": "Pipeline #9 passed", "emoji": True}
    assert section["text"]["text"] == "Commit <https://g.example/c/abc123|abc123> by <@U024BE7LH>"
    assert [f["text"] for f in fields["fields"]] == ["*Branch*\nmain", "*Duration*\n3m"]
    assert attachment["blocks"][4]["elements"][0]["url"] == "https://g.example/p/9"


@pytest.mark.parametrize(("tone", "colour"), [(Tone.FAILURE, "#E01E5A"), (Tone.NEUTRAL, "#9E9E9E")])
def test_tone_colour(tone: Tone, colour: str) -> None:
    assert encode(tone=tone)["attachments"][0]["color"] == colour


def test_mrkdwn_escaping() -> None:
    hostile = "<!channel> <!here> <!everyone> <@U123> <https://evil|click> a & b"
    body = encode(lines=((Text(hostile),),), summary=hostile)
    section = body["attachments"][0]["blocks"][1]["text"]["text"]
    assert section.startswith("&lt;!channel&gt; &lt;!here&gt;")
    assert "&amp;" in section
    raw = json.dumps(body, ensure_ascii=False)
    for token in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://evil"):
        assert token not in raw


def test_limits_header_section_and_fields() -> None:
    body = encode(
        title="T" * 400,
        lines=tuple((Text("line " * 100),) for _ in range(50)),
        fields=tuple(MessageField(f"F{i}", (Text("v" * 2500),)) for i in range(60)),
    )
    blocks = body["attachments"][0]["blocks"]
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) == 150 and blocks[0]["text"]["text"].endswith("…")
    assert len(blocks[1]["text"]["text"]) <= 3000 and blocks[1]["text"]["text"].endswith("…")
    for block in blocks:
        for item in block.get("fields", []):
            assert len(item["text"]) <= 2000
        assert len(block.get("fields", [])) <= 10
    assert blocks[-1]["type"] == "actions"


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (HttpResponse(200, {}, b"ok"), Delivered()),
        (
            HttpResponse(429, {"retry-after": "30"}, b"rate_limited"),
            RetryAfter("slack: HTTP 429 rate_limited", 30.0, throttled=True),
        ),
        (HttpResponse(500, {}, b"rollup_error"), RetryAfter("slack: HTTP 500 rollup_error")),
        (HttpResponse(400, {}, b"invalid_payload"), Permanent("slack: HTTP 400 invalid_payload")),
        (HttpResponse(400, {}, b"invalid_blocks"), Permanent("slack: HTTP 400 invalid_blocks")),
        (HttpResponse(400, {}, b"too_many_attachments"), Permanent("slack: HTTP 400 too_many_attachments")),
        (HttpResponse(403, {}, b"action_prohibited"), Permanent("slack: HTTP 403 action_prohibited", True)),
        (HttpResponse(403, {}, b"team_disabled"), Permanent("slack: HTTP 403 team_disabled", True)),
        (HttpResponse(404, {}, b"no_service"), Permanent("slack: HTTP 404 no_service", True)),
        (HttpResponse(404, {}, b"channel_not_found"), Permanent("slack: HTTP 404 channel_not_found", True)),
        (
            HttpResponse(410, {}, b"channel_is_archived"),
            Permanent("slack: HTTP 410 channel_is_archived", True),
        ),
    ],
)
def test_classify(response: HttpResponse, expected: object) -> None:
    assert slack.classify(response) == expected


def test_unexpected_200_is_not_a_delivery() -> None:
    assert isinstance(slack.classify(HttpResponse(200, {}, b"<html>")), Permanent)


def test_redaction() -> None:
    assert slack.redact_url(URL) == "https://hooks.slack.com/services/***"
