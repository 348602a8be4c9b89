"""CloudEvents 1.0, structured and binary, carrying issue-workflow events."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from hookcast.events import Event, EventKind, Tone
from hookcast.sources import Ignored, Rejection
from hookcast.sources.cloudevents import is_cloudevent, parse_cloudevent, workflow_type

DATA: dict[str, Any] = {
    "actor": {"name": "Ann"},
    "issue": {"id": 7, "title": "Drop old table", "creator": {"name": "Ann", "email": "ann@example.com"}},
}


def structured(**attributes: Any) -> bytes:
    envelope = {
        "specversion": "1.0",
        "id": "ce-1",
        "source": "https://flow.example.com",
        "type": "com.example.issue.approved",
        "time": "2026-03-01T10:00:00Z",
        "datacontenttype": "application/json",
        "data": DATA,
    }
    envelope.update(attributes)
    return json.dumps({k: v for k, v in envelope.items() if v is not None}).encode()


STRUCTURED = {"content-type": "application/cloudevents+json; charset=utf-8"}


def binary_headers(**overrides: str) -> dict[str, str]:
    headers = {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": "ce-2",
        "ce-source": "/flow",
        "ce-type": "issue.rollout_needed",
    }
    headers.update(overrides)
    return headers


def test_structured_mode() -> None:
    parsed = parse_cloudevent(STRUCTURED, structured())
    assert isinstance(parsed, Event)
    assert parsed.kind is EventKind.ISSUE_APPROVED
    assert parsed.tone is Tone.SUCCESS
    assert parsed.source == "cloudevents"
    assert parsed.source_id == "ce-1"
    assert parsed.title == "Drop old table"
    assert parsed.occurred_at is not None and parsed.occurred_at.month == 3


def test_structured_mode_with_base64_data() -> None:
    encoded = base64.b64encode(json.dumps(DATA).encode()).decode()
    raw = structured(data=None, data_base64=encoded)
    parsed = parse_cloudevent(STRUCTURED, raw)
    assert isinstance(parsed, Event)
    assert parsed.object_id == "7"


def test_binary_mode() -> None:
    parsed = parse_cloudevent(binary_headers(), json.dumps(DATA).encode())
    assert isinstance(parsed, Event)
    assert parsed.kind is EventKind.ISSUE_ROLLOUT_NEEDED
    assert parsed.tone is Tone.WARNING
    assert parsed.source_id == "ce-2"


def test_the_data_time_wins_over_the_envelope_time() -> None:
    data = {**DATA, "occurred_at": "2025-12-24T00:00:00Z"}
    parsed = parse_cloudevent(STRUCTURED, structured(data=data))
    assert isinstance(parsed, Event)
    assert parsed.occurred_at is not None and parsed.occurred_at.year == 2025


@pytest.mark.parametrize(
    ("ce_type", "expected"),
    [
        ("issue.approved", "issue.approved"),
        ("com.example.issue.approved", "issue.approved"),
        ("com.example.rollout.failed", "rollout.failed"),
        ("com.example.myissue.approved", None),
        ("issue.approved.v2", None),
        ("com.example.build.finished", None),
    ],
)
def test_types_match_at_a_dot(ce_type: str, expected: str | None) -> None:
    assert workflow_type(ce_type) == expected


def test_other_types_are_ignored() -> None:
    parsed = parse_cloudevent(STRUCTURED, structured(type="com.example.build.finished"))
    assert isinstance(parsed, Ignored)
    assert "build.finished" in parsed.reason


@pytest.mark.parametrize(
    ("headers", "raw", "status", "words"),
    [
        (STRUCTURED, b"{oops", 400, "malformed"),
        (STRUCTURED, structured(id=None), 400, "id"),
        (STRUCTURED, structured(specversion="0.3"), 400, "specversion"),
        (STRUCTURED, structured(data=[1]), 400, "JSON object"),
        (STRUCTURED, structured(data=None, data_base64="!!"), 400, "base64"),
        ({"content-type": "application/cloudevents-batch+json"}, b"[]", 415, "batch"),
        (binary_headers(**{"content-type": "text/plain"}), b"hi", 415, "JSON"),
        (binary_headers(), b"{bad", 400, "not JSON"),
        (STRUCTURED, structured(data={"issue": {"title": 5}}), 422, "issue.title"),
    ],
)
def test_refusals(headers: dict[str, str], raw: bytes, status: int, words: str) -> None:
    parsed = parse_cloudevent(headers, raw)
    assert isinstance(parsed, Rejection), parsed
    assert parsed.status == status
    assert words in parsed.reason


def test_detection() -> None:
    assert is_cloudevent(STRUCTURED)
    assert is_cloudevent(binary_headers())
    assert not is_cloudevent({"content-type": "application/json"})
