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


# --- Living messages: post with wait=true, edit by PATCH, the refused edit ----------------------

MESSAGE = Message(title="MR !1 merged", tone=Tone.SUCCESS, url="https://g.example/mr/1")


def test_modes_update_first() -> None:
    assert [m.value for m in discord.message_modes(URL)] == ["update", "follow_up", "every_event"]


@pytest.mark.parametrize(
    ("url", "posted"),
    [
        (URL, URL + "?wait=true"),
        (URL + "?thread_id=123", URL + "?thread_id=123&wait=true"),
        (URL + "?wait=false&thread_id=9", URL + "?thread_id=9&wait=true"),
    ],
)
def test_a_post_waits_for_the_message_and_keeps_its_thread(url: str, posted: str) -> None:
    request = discord.encode_post(MESSAGE, WebhookTarget(url), CTX)
    assert (request.method, request.url) == ("POST", posted)
    assert request.body == discord.encode(MESSAGE, WebhookTarget(url), CTX).body


@pytest.mark.parametrize(
    ("url", "edited"),
    [
        (URL, URL + "/messages/1152921504606846977"),
        (URL + "/", URL + "/messages/1152921504606846977"),
        (URL + "?thread_id=123&wait=true", URL + "/messages/1152921504606846977?thread_id=123"),
    ],
)
def test_an_edit_patches_the_message_with_the_same_body(url: str, edited: str) -> None:
    request = discord.encode_edit(MESSAGE, WebhookTarget(url), CTX, "1152921504606846977")
    assert (request.method, request.url) == ("PATCH", edited)
    assert request.body == discord.encode(MESSAGE, WebhookTarget(url), CTX).body


@pytest.mark.parametrize("ref", ["", "12a", "../../x", "1" * 21, "1?wait=false"])
def test_an_edit_refuses_what_is_no_snowflake(ref: str) -> None:
    with pytest.raises(ValueError, match="snowflake"):
        discord.encode_edit(MESSAGE, WebhookTarget(URL), CTX, ref)


@pytest.mark.parametrize(
    ("body", "ref"),
    [
        (b'{"id": "1152921504606846977", "channel_id": "1"}', "1152921504606846977"),
        (b'{"id": 1152921504606846977}', ""),  # Discord's ids are strings
        (b'{"id": "1/../2"}', ""),
        (b'{"id": "' + b"9" * 21 + b'"}', ""),
        (b'{"id": "12\\u0000"}', ""),
        (b"", ""),
        (b"[1]", ""),
        (b"not json", ""),
    ],
)
def test_posted_ref_is_the_answers_snowflake(body: bytes, ref: str) -> None:
    assert discord.posted_ref(HttpResponse(200, {}, body)) == ref


def test_an_edit_of_a_message_gone_is_refused_without_pausing_the_webhook() -> None:
    gone = HttpResponse(404, {}, b'{"message": "Unknown Message", "code": 10008}')
    webhook_gone = HttpResponse(404, {}, b'{"message": "Unknown Webhook", "code": 10015}')
    assert discord.edit_refused(gone) and not discord.edit_refused(webhook_gone)
    assert not discord.edit_refused(HttpResponse(404, {}, b""))
    assert discord.classify(gone) == Permanent("discord: HTTP 404 Unknown Message")
    assert discord.classify(webhook_gone) == Permanent(
        'discord: HTTP 404 {"message": "Unknown Webhook", "code": 10015}', pause=True
    )


def test_redaction_keeps_what_follows_the_token() -> None:
    edit = URL + "/messages/1152921504606846977?thread_id=5&wait=true"
    assert discord.redact_url(edit) == (
        "https://discord.com/api/webhooks/123456789012345678/***/messages/1152921504606846977?thread_id=5&wait=true"
    )
    versioned = "https://discord.com/api/v10/webhooks/123456789012345678/tok-EN_secret"
    assert discord.redact_url(versioned) == "https://discord.com/api/v10/webhooks/123456789012345678/***"
