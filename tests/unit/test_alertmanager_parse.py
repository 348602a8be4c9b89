"""parse_alertmanager: one Event per Alertmanager notification (sample bodies in tests/data/alertmanager)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookcast.events import Event, EventKind, Tone
from hookcast.sources import Rejection
from hookcast.sources.alertmanager import parse_alertmanager
from tests.fixtures import load_alertmanager


def sample(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(load_alertmanager(name))
    return payload


def parse(payload: dict[str, Any]) -> Event:
    result = parse_alertmanager(json.dumps(payload).encode())
    assert isinstance(result, Event), result
    return result


def test_firing_group() -> None:
    event = parse(sample("firing"))
    assert (event.kind, event.action, event.tone, event.source) == (
        EventKind.ALERT,
        "firing",
        Tone.FAILURE,
        "alertmanager",
    )
    assert event.title == "API error rate above 5%"
    assert event.description == "More than 5% of API requests fail with 5xx."
    assert event.url == "http://alertmanager.example.com:9093"
    assert event.project.path_with_namespace == ""
    assert event.details == {
        "status": "firing",
        "alertname": "HighErrorRate",
        "severity": "critical",
        "receiver": "hookcast-team-app",
        "group_labels": "alertname=HighErrorRate, job=api",
        "firing": "2",
        "resolved": "0",
        "truncated": "1",
        "runbook_url": "https://runbooks.example.com/api/high-error-rate",
        "group_key": '{}/{severity="critical"}:{alertname="HighErrorRate", job="api"}',
    }
    assert [(item.title, item.status, item.id) for item in event.items] == [
        ("api-1 error rate is 7.2%", "firing", "a1b2c3d4e5f60001"),
        ("HighErrorRate (api-2:8080)", "firing", "a1b2c3d4e5f60002"),
    ]
    assert (
        event.items[0].url == "http://prometheus.example.com:9090/graph?g0.expr=job%3Aerrors%3Arate5m%3Eo.05"
    )
    assert event.total_items == 3  # two alerts sent, one truncated
    assert event.occurred_at == datetime(2024, 5, 1, 10, 2, 30, tzinfo=UTC)
    assert event.source_id is not None and event.source_id.startswith("alertmanager:")


def test_resolved_group() -> None:
    event = parse(sample("resolved"))
    assert (event.action, event.tone) == ("resolved", Tone.SUCCESS)
    assert event.details["resolved"] == "2"
    assert "truncated" not in event.details
    assert event.description == ""
    assert event.occurred_at == datetime(2024, 5, 1, 10, 25, tzinfo=UTC)
    assert event.total_items == 2


def test_mixed_group_without_common_annotations() -> None:
    event = parse(sample("mixed_no_common_annotations"))
    assert event.title == "DiskFull"
    assert (event.action, event.tone) == ("firing", Tone.FAILURE)
    assert event.details["severity"] == "warning"  # the firing alert's, not the resolved one's
    assert [(item.title, item.status) for item in event.items] == [
        ("/var is 97% full", "firing"),
        ("DiskFull (db-2)", "resolved"),
    ]
    assert (event.details["firing"], event.details["resolved"]) == ("1", "1")


def test_repeat_of_the_same_notification_has_the_same_source_id() -> None:
    first = parse(sample("firing"))
    again = sample("firing")
    again["alerts"].reverse()  # order does not matter
    again["commonAnnotations"]["summary"] = "reworded"  # nor does wording
    assert parse(again).source_id == first.source_id


def test_new_state_has_a_new_source_id() -> None:
    firing = parse(sample("firing")).source_id
    assert parse(sample("resolved")).source_id != firing
    one_resolved = sample("firing")
    one_resolved["alerts"][1]["status"] = "resolved"
    assert parse(one_resolved).source_id != firing
    refired = sample("firing")
    refired["alerts"][0]["startsAt"] = "2024-05-01T11:00:00Z"
    assert parse(refired).source_id != firing
    other_group = sample("firing")
    other_group["groupKey"] = '{}:{alertname="Other"}'
    assert parse(other_group).source_id != firing


def test_alert_without_fingerprint_is_identified_by_labels() -> None:
    payload = sample("firing")
    for alert in payload["alerts"]:
        del alert["fingerprint"]
    first = parse(payload).source_id
    payload["alerts"][0]["labels"]["instance"] = "api-9:8080"
    assert parse(payload).source_id != first


def test_title_falls_back_to_alertname_then_receiver() -> None:
    payload = sample("resolved")
    payload["commonAnnotations"] = {}
    assert parse(payload).title == "HighErrorRate"
    payload.update(groupLabels={}, commonLabels={})
    assert parse(payload).title == "HighErrorRate"  # from the first alert's labels
    for alert in payload["alerts"]:
        alert["labels"] = {}
    assert parse(payload).title == "hookcast-team-app"


def test_item_title_falls_back_to_labels() -> None:
    payload = sample("firing")
    payload["alerts"][0].update(annotations={}, labels={"job": "api", "zone": "b"})
    assert parse(payload).items[0].title == "job=api, zone=b"


def test_status_missing_is_derived_from_alerts() -> None:
    payload = sample("resolved")
    del payload["status"]
    assert parse(payload).action == "resolved"
    payload["alerts"][0]["status"] = "firing"
    assert parse(payload).action == "firing"


@pytest.mark.parametrize("body", [b"", b"{", b"nope", b"\xff"])
def test_malformed_json_is_rejected(body: bytes) -> None:
    result = parse_alertmanager(body)
    assert isinstance(result, Rejection) and result.status == 400
    assert "JSON" in result.reason


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "firing", "receiver": "team", "groupKey": "{}:{}", "alerts": []},
        {"status": "resolved", "commonLabels": {"alertname": "HighErrorRate"}},
        {"status": "firing", "alerts": ["not an alert", 3]},
    ],
)
def test_a_group_without_alerts_is_refused_naming_them(payload: dict[str, object]) -> None:
    result = parse_alertmanager(json.dumps(payload).encode())
    assert result == Rejection(400, "Alertmanager notification: missing alerts")


@pytest.mark.parametrize("body", [b"[]", b"1", b'"firing"', b"null", b"{}", b'{"alerts": "x"}'])
def test_not_a_notification_is_rejected(body: bytes) -> None:
    result = parse_alertmanager(body)
    assert isinstance(result, Rejection) and result.status == 400


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "status", "receiver", "alerts", "groupLabels", "commonLabels", "commonAnnotations",
    "externalURL", "groupKey", "truncatedAlerts", "version",
]  # fmt: skip
ALERT_FIELDS = ["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"]


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(FIELDS), value=json_values)
def test_random_values_in_group_fields_never_raise(field: str, value: object) -> None:
    payload = sample("firing")
    payload[field] = value
    result = parse_alertmanager(json.dumps(payload).encode())
    if field == "alerts" and not (isinstance(value, list) and any(isinstance(v, dict) for v in value)):
        assert result == Rejection(400, "Alertmanager notification: missing alerts")
        return
    assert isinstance(result, Event), result  # the alerts still say what happened


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(ALERT_FIELDS), value=json_values)
def test_random_values_in_alert_fields_never_raise(field: str, value: object) -> None:
    payload = copy.deepcopy(sample("firing"))
    payload["alerts"][0][field] = value
    event = parse(payload)
    assert len(event.items) == 2


@settings(max_examples=200, deadline=None)
@given(payload=json_values)
def test_random_bodies_never_raise(payload: object) -> None:
    result = parse_alertmanager(json.dumps(payload).encode())
    assert isinstance(result, Event | Rejection)
