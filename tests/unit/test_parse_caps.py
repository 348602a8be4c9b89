"""Every source cuts what a sender makes too long at parse time (`hookcast.sources.caps`): a
586 KiB ref, a thousand labels or alerts cost no more downstream than what a chat can show, and
events of the usual size come out of the parsers untouched."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hookcast.events import Event
from hookcast.sources import ParseResult
from hookcast.sources.alertmanager import parse_alertmanager
from hookcast.sources.caps import CAPS, ELLIPSIS, capped, cut
from hookcast.sources.gitlab import parse_gitlab
from hookcast.sources.registry import SOURCES_BY_NAME
from hookcast.sources.workflow import parse_workflow
from tests.fixtures import alertmanager_payloads, gitlab_fixtures, load_fixture_json

HUGE = 586 * 1024


def parsed(result: ParseResult) -> Event:
    assert isinstance(result, Event), result
    return result


def texts_of(event: Event) -> list[str]:
    """Every text the event carries, its details' values and its lists' entries included."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for entry in value.values():
                walk(entry)
        elif isinstance(value, list | tuple):
            for entry in value:
                walk(entry)

    walk(event.model_dump(mode="json", exclude={"source_id"}))
    return found


def assert_within_caps(event: Event) -> None:
    longest = max(CAPS.ref, CAPS.name, CAPS.path, CAPS.title, CAPS.text, CAPS.url)
    assert max(len(text) for text in texts_of(event)) <= longest
    assert len(event.labels) <= CAPS.entries
    assert len(event.items) <= CAPS.entries
    assert len(event.related_users) <= CAPS.entries


def hostile_push() -> bytes:
    payload = load_fixture_json("docs/push.json")
    payload["ref"] = "refs/heads/" + "r" * HUGE
    payload["user_name"] = "u" * HUGE
    payload["user_username"] = "n" * HUGE
    payload["commits"] = [
        {"id": f"{n:040x}", "message": "m" * 20_000 + "\n\nbody", "author": {"name": "a" * 5000}}
        for n in range(300)
    ]
    payload["total_commits_count"] = 300
    return json.dumps(payload).encode()


def test_a_586_kib_ref_is_cut_at_parse_time() -> None:
    event = parsed(parse_gitlab("Push Hook", hostile_push()))
    assert event.ref is not None and event.branch is not None
    assert len(event.ref) == CAPS.ref and event.ref.endswith(ELLIPSIS)
    assert event.ref.startswith("refs/heads/rrr")
    assert len(event.branch) == CAPS.ref and len(event.title) <= CAPS.title
    assert len(event.actor.name) == CAPS.name and event.actor.name.endswith(ELLIPSIS)
    assert len(event.items) == CAPS.entries
    assert event.total_items == 300, "the total still counts every commit"
    assert all(len(item.title) <= CAPS.title and len(item.author or "") <= CAPS.name for item in event.items)
    assert_within_caps(event)


def test_a_merge_request_with_huge_texts_and_thousands_of_labels_is_cut() -> None:
    payload = load_fixture_json("docs/merge_request.json")
    attributes = payload["object_attributes"]
    assert isinstance(attributes, dict)
    attributes |= {"title": "t" * HUGE, "description": "d" * HUGE, "source_branch": "s" * HUGE}
    payload["labels"] = [{"title": f"label-{n}-" + "l" * 1000} for n in range(2000)]
    event = parsed(parse_gitlab("Merge Request Hook", json.dumps(payload).encode()))
    assert len(event.title) == CAPS.title
    assert len(event.description) == CAPS.text
    assert len(event.labels) == CAPS.entries and event.labels[0].startswith("label-0-")
    assert_within_caps(event)


def test_an_alert_group_with_huge_names_and_many_alerts_is_cut() -> None:
    alerts = [
        {
            "status": "firing",
            "labels": {"alertname": "n" * 50_000, "instance": "i" * 50_000},
            "annotations": {"summary": "s" * 50_000},
            "startsAt": "2024-05-01T10:00:00Z",
        }
        for _ in range(400)
    ]
    body = {
        "status": "firing",
        "receiver": "r" * HUGE,
        "commonLabels": {"alertname": "c" * HUGE},
        "commonAnnotations": {
            "summary": "s" * HUGE,
            "description": "d" * HUGE,
            "runbook_url": "https://x/" + "u" * HUGE,
        },
        "alerts": alerts,
    }
    event = parsed(parse_alertmanager(json.dumps(body).encode()))
    assert len(event.items) == CAPS.entries and event.total_items == 400
    assert event.detail("firing") == "400", "counts are made before the list is cut"
    assert event.detail("runbook_url") is None, "a URL too long to be real is dropped, not cut"
    assert_within_caps(event)


def test_a_workflow_event_at_its_schema_limits_is_cut() -> None:
    person = {"name": "p" * 1000, "email": "e" * 1000}
    body = {
        "id": "evt-1",
        "type": "issue.comment_created",
        "actor": person,
        "project": {"name": "j" * 1000, "path": "q" * 1000},
        "issue": {"id": "1", "title": "t" * 1000, "labels": ["l" * 1000] * 100, "creator": person},
        "comment": {"body": "c" * 20_000},
        "users": [{"role": "approver", "name": f"{n:03}" + "p" * 997} for n in range(200)],
    }
    event = parsed(parse_workflow(json.dumps(body).encode()))
    assert len(event.description) == CAPS.text
    assert len(event.actor.name) == CAPS.name
    assert len(event.related_users) == CAPS.entries
    assert_within_caps(event)


def test_every_source_cuts_through_its_registered_parser() -> None:
    """The inbound routes call `Source.parse`: the caps hold there, not only in the functions."""
    event = parsed(SOURCES_BY_NAME["gitlab"].parse({"x-gitlab-event": "Push Hook"}, hostile_push()))
    assert event.ref is not None and len(event.ref) == CAPS.ref


@pytest.mark.parametrize("fixture", [file for file, _, _ in gitlab_fixtures()])
def test_gitlab_fixtures_are_not_cut(fixture: str) -> None:
    header, body = next((h, b) for f, h, b in gitlab_fixtures() if f == fixture)
    result = parse_gitlab(header, body)
    if isinstance(result, Event):
        assert capped(result) == result


@pytest.mark.parametrize("stem", sorted(alertmanager_payloads()))
def test_alertmanager_samples_are_not_cut(stem: str) -> None:
    event = parsed(parse_alertmanager(alertmanager_payloads()[stem]))
    assert capped(event) == event


def test_a_cut_keeps_an_accent_with_its_letter() -> None:
    text = "e\u0301" * 100
    for limit in range(2, 30):
        result = cut(text, limit)
        assert len(result) <= limit and result.endswith(ELLIPSIS)
        assert result[:-1] == "e\u0301" * (len(result[:-1]) // 2), result


def test_a_cut_does_not_leave_half_an_emoji_sequence() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, ZWJ, woman, ZWJ, girl
    for limit in range(2, 12):
        result = cut(family * 3, limit)
        assert not result[:-1].endswith("\u200d")


@given(st.text(max_size=300), st.integers(min_value=1, max_value=200))
def test_a_cut_is_within_its_limit_and_a_prefix(text: str, limit: int) -> None:
    result = cut(text, limit)
    assert len(result) <= limit
    if len(text) <= limit:
        assert result == text
    else:
        assert result.endswith(ELLIPSIS) and text.startswith(result[:-1])
