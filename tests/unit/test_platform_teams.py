"""Microsoft Teams: Adaptive Card for Workflows URLs, MessageCard for connector URLs."""

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

WORKFLOW = (
    "https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke"
    "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SECRETsig"
)
LEGACY = "https://contoso.webhook.office.com/webhookb2/1-2@3-4/IncomingWebhook/abc/5-6"
CTX = EncodeContext(now=1_700_000_000.0, idempotency_key="k")
teams = get_platform("teams")


def encode(url: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Release v2.0",
        "tone": Tone.FAILURE,
        "lines": ((Text("Notes by "), Mention("Ann", ids={"teams": "x"})),),
        "fields": (MessageField("Tag", (Text("v2.0"),)),),
        "actions": (Action("Open", "https://g.example/r/2"),),
        "footer": "group/project",
    }
    values.update(overrides)
    return json.loads(teams.encode(Message(**values), WebhookTarget(url), CTX).body)  # type: ignore[no-any-return]


def test_adaptive_card_for_workflows() -> None:
    body = encode(WORKFLOW)
    assert body["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    title, text, facts, footer = card["body"]
    assert title["text"] == "Release v2.0" and title["color"] == "attention"
    assert text["text"] == "Notes by @\u200bAnn"  # Teams: plain name
    assert facts["facts"] == [{"title": "Tag", "value": "v2.0"}]
    assert footer["isSubtle"] is True
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open", "url": "https://g.example/r/2"}]


@pytest.mark.parametrize(
    ("tone", "colour"), [(Tone.SUCCESS, "good"), (Tone.NEUTRAL, "default"), (Tone.WARNING, "warning")]
)
def test_tone_colour(tone: Tone, colour: str) -> None:
    assert encode(WORKFLOW, tone=tone)["attachments"][0]["content"]["body"][0]["color"] == colour


def test_message_card_for_connectors() -> None:
    body = encode(LEGACY)
    assert body["@type"] == "MessageCard" and body["themeColor"] == "E01E5A"
    assert body["summary"] == "Release v2.0"
    assert body["sections"][0]["facts"] == [{"name": "Tag", "value": "v2.0"}]
    assert body["potentialAction"][0]["targets"] == [{"os": "default", "uri": "https://g.example/r/2"}]


def test_large_message_fits_28_kb() -> None:
    lines = tuple((Text("日志 " * 400),) for _ in range(30))
    for url in (WORKFLOW, LEGACY):
        request = teams.encode(Message(title="t", tone=Tone.NEUTRAL, lines=lines), WebhookTarget(url), CTX)
        assert len(request.body) <= 28_000
        assert "…" in request.body.decode()


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (HttpResponse(202, {}, b""), Delivered()),
        (HttpResponse(200, {}, b""), Delivered()),
        (HttpResponse(200, {}, b"1"), Delivered()),
        (
            HttpResponse(200, {}, b"Microsoft Teams endpoint returned HTTP error 429 with ContextId x"),
            RetryAfter(
                "teams: throttled (Microsoft Teams endpoint returned HTTP error 429 with ContextId x)",
                throttled=True,
            ),
        ),
        (
            HttpResponse(200, {}, b"Summary or Text is required."),
            Permanent("teams: HTTP 400 Summary or Text is required."),
        ),
        (HttpResponse(429, {"retry-after": "2"}, b""), RetryAfter("teams: HTTP 429", 2.0, True)),
        (HttpResponse(503, {}, b""), RetryAfter("teams: HTTP 503")),
        (HttpResponse(400, {}, b""), Permanent("teams: HTTP 400")),
        (HttpResponse(401, {}, b""), Permanent("teams: HTTP 401")),
        (HttpResponse(404, {}, b""), Permanent("teams: HTTP 404", pause=True)),
    ],
)
def test_classify(response: HttpResponse, expected: object) -> None:
    assert teams.classify(response) == expected


def test_redaction_and_hosts() -> None:
    redacted = teams.redact_url(WORKFLOW)
    assert "SECRETsig" not in redacted and "sig=***" in redacted and "api-version=2016-06-01" in redacted
    assert teams.redact_url(LEGACY) == "https://contoso.webhook.office.com/***"
    assert teams.host_allowed("prod-01.westeurope.logic.azure.com")
    assert teams.host_allowed("default123.environment.api.powerplatform.com")
    assert not teams.host_allowed("evil.example")
