"""Discord webhook: one embed within every limit, mentions, answers, redaction."""

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

URL = "https://discord.com/api/webhooks/123456789012345678/tok-EN_secret"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
discord = get_platform("discord")


def encode(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Issue #5 opened",
        "tone": Tone.WARNING,
        "url": "https://g.example/i/5",
        "lines": (
            (Text("Crash on start, assigned to "), Mention("Ann", ids={"discord": "80351110224678912"})),
        ),
        "fields": (MessageField("Labels", (Text("bug"),)),),
        "actions": (Action("Open issue", "https://g.example/i/5"),),
        "footer": "group/project",
    }
    values.update(overrides)
    return json.loads(discord.encode(Message(**values), WebhookTarget(URL), CTX).body)  # type: ignore[no-any-return]


def test_embed_shape() -> None:
    body = encode()
    embed = body["embeds"][0]
    assert embed["title"] == "Issue #5 opened" and embed["url"] == "https://g.example/i/5"
    assert embed["color"] == 0xECB22E
    assert embed["description"].startswith("Crash on start, assigned to <@80351110224678912>")
    assert embed["description"].endswith("[Open issue](https://g.example/i/5)")
    assert embed["fields"] == [{"name": "Labels", "value": "bug", "inline": True}]
    assert embed["footer"] == {"text": "group/project"}
    assert body["allowed_mentions"] == {"parse": [], "users": ["80351110224678912"]}


@pytest.mark.parametrize(("tone", "colour"), [(Tone.SUCCESS, 0x2EB67D), (Tone.FAILURE, 0xE01E5A)])
def test_tone_colour(tone: Tone, colour: int) -> None:
    assert encode(tone=tone)["embeds"][0]["color"] == colour


def test_hostile_text_is_escaped() -> None:
    body = encode(
        lines=((Text("@everyone @here <@1234567890123456> <@&987654321098765> [x](http://e) **b**"),),)
    )
    description = body["embeds"][0]["description"]
    for token in ("@everyone", "@here", "<@1234567890123456>", "<@&", "](http://e", "**b**"):
        assert token not in description
    assert body["allowed_mentions"]["parse"] == []


def test_every_limit() -> None:
    body = encode(
        title="T" * 1000,
        lines=tuple((Text("x" * 500),) for _ in range(40)),
        fields=tuple(MessageField("N" * 300, (Text("v" * 2000),)) for _ in range(40)),
        footer="F" * 5000,
    )
    embed = body["embeds"][0]
    assert len(embed["title"]) <= 256 and len(embed["description"]) <= 4096
    assert len(embed["fields"]) <= 25
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in embed["fields"])
    total = len(embed["title"]) + len(embed["description"]) + len(embed["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert total <= 6000
    assert embed["description"].endswith("[Open issue](https://g.example/i/5)")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (HttpResponse(204, {}, b""), Delivered()),
        (HttpResponse(200, {}, b'{"id":"1"}'), Delivered()),
        (
            HttpResponse(429, {"retry-after": "3"}, b'{"message":"rl","retry_after":2.5,"global":false}'),
            RetryAfter('discord: HTTP 429 {"message":"rl","retry_after":2.5,"global":false}', 2.5, True),
        ),
        (HttpResponse(429, {"retry-after": "3"}, b""), RetryAfter("discord: HTTP 429", 3.0, True)),
        (HttpResponse(502, {}, b""), RetryAfter("discord: HTTP 502")),
        (HttpResponse(400, {}, b"{}"), Permanent("discord: HTTP 400 {}")),
        (HttpResponse(401, {}, b""), Permanent("discord: HTTP 401", pause=True)),
        (HttpResponse(404, {}, b""), Permanent("discord: HTTP 404", pause=True)),
    ],
)
def test_classify(response: HttpResponse, expected: object) -> None:
    assert discord.classify(response) == expected


def test_redaction_hides_the_token() -> None:
    assert discord.redact_url(URL) == "https://discord.com/api/webhooks/123456789012345678/***"
