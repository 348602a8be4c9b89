"""Prometheus Alertmanager webhooks (payload version 4) -> one canonical Event per notification.

Alertmanager sends one request per alert group; hookcast turns it into one Event (one card):

* kind ALERT, source ``alertmanager``, action ``firing`` or ``resolved`` (the group's status;
  when absent, ``firing`` if any alert fires), tone FAILURE when firing, SUCCESS when resolved;
* title: ``commonAnnotations.summary``, else the alert name (group / common labels, else the
  first alert's), else ``receiver``; description: ``commonAnnotations.description``;
* url: ``externalURL`` (the Alertmanager UI);
* items: one per alert — title from its annotations ``summary`` / ``description``, else
  ``alertname`` plus ``instance``, else its labels; url = ``generatorURL``; status = the alert's
  status; id = its fingerprint. ``total_items`` = alerts + ``truncatedAlerts``;
* details: ``status``, ``alertname``, ``severity`` (common labels, else group labels, else the
  most severe of the alerts in the group's state), ``receiver``, ``group_labels`` ("k=v, k=v",
  sorted), ``firing`` and ``resolved`` (counts), ``truncated`` (when > 0), ``runbook_url``
  (common annotations), ``group_key``;
* occurred_at: the latest ``startsAt`` of the firing alerts, or the latest ``endsAt`` of the
  resolved ones;
* source_id: ``alertmanager:`` + a SHA-256 of the group key, the status and each alert's
  fingerprint (its labels when there is none), status and ``startsAt`` — a re-sent notification
  is the same event, a new state of the group is a new one;
* project: left empty — the web layer picks the project by the token of the request.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from hookcast.events import Event, EventKind, Item, Tone, details_of
from hookcast.sources import ParseResult, Rejection
from hookcast.sources.caps import capped
from hookcast.sources.required import Required
from hookcast.sources.tolerant import (
    MAX_TIME_LENGTH,
    JsonObject,
    as_int,
    as_objs,
    as_string_map,
    as_text,
    decode_json_object,
    iso_time,
)

FIRING = "firing"
RESOLVED = "resolved"
_SEVERITY_ORDER = ("critical", "error", "high", "warning", "medium", "low", "info", "none")
_ZERO_TIME_PREFIX = "0001-01-01"  # Go's zero time: an alert that has not ended
MAX_TRUNCATED = 10**9

# Alertmanager never notifies about a group without alerts: such a body would be an empty card.
REQUIRED = Required("Alertmanager notification", ("alerts[]",))


def parse_alertmanager(body: bytes) -> ParseResult:
    """Parse one Alertmanager webhook request into an `Event` or a 400 `Rejection` (not JSON, or
    a group without alerts)."""
    payload = decode_json_object(body)
    if isinstance(payload, Rejection):
        return payload
    lacking = REQUIRED.check(payload)
    if lacking is not None:
        return lacking
    alerts = as_objs(payload.get("alerts"))
    status = _group_status(payload, alerts)
    if status is None:
        return Rejection(400, "not an Alertmanager notification: no status and no alerts")
    common_labels = as_string_map(payload.get("commonLabels"))
    group_labels = as_string_map(payload.get("groupLabels"))
    annotations = as_string_map(payload.get("commonAnnotations"))
    alertname = group_labels.get("alertname") or common_labels.get("alertname") or _first_alertname(alerts)
    receiver = as_text(payload.get("receiver"))
    truncated = min(max(as_int(payload.get("truncatedAlerts")) or 0, 0), MAX_TRUNCATED)
    items = tuple(_alert_item(alert) for alert in alerts)
    event = Event(
        kind=EventKind.ALERT,
        action=status,
        tone=Tone.FAILURE if status == FIRING else Tone.SUCCESS,
        source="alertmanager",
        source_id=_source_id(payload, status, alerts),
        title=annotations.get("summary") or alertname or receiver or "Alert",
        url=as_text(payload.get("externalURL")) or None,
        description=annotations.get("description", ""),
        details=details_of(
            {
                "status": status,
                "alertname": alertname,
                "severity": common_labels.get("severity")
                or group_labels.get("severity")
                or _worst_severity(alerts, status),
                "receiver": receiver,
                "group_labels": ", ".join(f"{key}={value}" for key, value in sorted(group_labels.items())),
                "firing": str(sum(item.status == FIRING for item in items)),
                "resolved": str(sum(item.status == RESOLVED for item in items)),
                "truncated": str(truncated) if truncated else "",
                "runbook_url": annotations.get("runbook_url", ""),
                "group_key": as_text(payload.get("groupKey")),
            }
        ),
        items=items,
        total_items=len(items) + truncated,
        occurred_at=_occurred_at(status, alerts),
        alert_labels={**group_labels, **common_labels},
    )
    return capped(event)


def _time(value: object) -> datetime | None:
    text = as_text(value)
    if text.startswith(_ZERO_TIME_PREFIX) or len(text) > MAX_TIME_LENGTH:
        return None
    return iso_time(text)


# --------------------------------------------------------------------------- the group and its alerts


def _group_status(payload: JsonObject, alerts: list[JsonObject]) -> str | None:
    status = as_text(payload.get("status")).lower()
    if status in (FIRING, RESOLVED):
        return status
    if not alerts:
        return None
    return FIRING if any(_alert_status(alert) == FIRING for alert in alerts) else RESOLVED


def _alert_status(alert: JsonObject) -> str:
    return as_text(alert.get("status")).lower() or FIRING


def _first_alertname(alerts: list[JsonObject]) -> str:
    for alert in alerts:
        name = as_string_map(alert.get("labels")).get("alertname")
        if name:
            return name
    return ""


def _alert_title(alert: JsonObject) -> str:
    annotations = as_string_map(alert.get("annotations"))
    labels = as_string_map(alert.get("labels"))
    if annotations.get("summary") or annotations.get("description"):
        return annotations.get("summary") or annotations["description"]
    name, instance = labels.get("alertname", ""), labels.get("instance", "")
    if name:
        return f"{name} ({instance})" if instance else name
    return ", ".join(f"{key}={value}" for key, value in sorted(labels.items())) or "alert"


def _alert_item(alert: JsonObject) -> Item:
    return Item(
        title=_alert_title(alert),
        url=as_text(alert.get("generatorURL")) or None,
        id=as_text(alert.get("fingerprint")) or None,
        status=_alert_status(alert),
    )


def _worst_severity(alerts: list[JsonObject], status: str) -> str:
    """The most severe label among the alerts in the group's state (all alerts if none is)."""
    in_state = [alert for alert in alerts if _alert_status(alert) == status] or alerts
    severities = {as_string_map(alert.get("labels")).get("severity", "").lower() for alert in in_state}
    for severity in _SEVERITY_ORDER:
        if severity in severities:
            return severity
    return next((severity for severity in sorted(severities) if severity), "")


def _occurred_at(status: str, alerts: list[JsonObject]) -> datetime | None:
    field = "startsAt" if status == FIRING else "endsAt"
    times = [
        parsed
        for alert in alerts
        if _alert_status(alert) == status
        for parsed in [_time(alert.get(field))]
        if parsed is not None
    ]
    return max(times, default=None)


def _alert_identity(alert: JsonObject) -> list[str]:
    fingerprint = as_text(alert.get("fingerprint"))
    if not fingerprint:
        labels = as_string_map(alert.get("labels"))
        fingerprint = json.dumps(sorted(labels.items()))
    return [fingerprint, _alert_status(alert), as_text(alert.get("startsAt"))]


def _source_id(payload: JsonObject, status: str, alerts: list[JsonObject]) -> str:
    identity = [as_text(payload.get("groupKey")), status, sorted(_alert_identity(alert) for alert in alerts)]
    digest = hashlib.sha256(json.dumps(identity).encode()).hexdigest()
    return f"alertmanager:{digest[:40]}"
