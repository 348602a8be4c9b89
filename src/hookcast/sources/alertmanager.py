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
import math
from datetime import UTC, datetime

from hookcast.events import Event, EventKind, Item, Tone, details_of
from hookcast.sources import ParseResult, Rejection
from hookcast.sources.required import Required

JsonObject = dict[str, object]

FIRING = "firing"
RESOLVED = "resolved"
_SEVERITY_ORDER = ("critical", "error", "high", "warning", "medium", "low", "info", "none")
_ZERO_TIME_PREFIX = "0001-01-01"

# Alertmanager never notifies about a group without alerts: such a body would be an empty card.
REQUIRED = Required("Alertmanager notification", ("alerts[]",))


def parse_alertmanager(body: bytes) -> ParseResult:
    """Parse one Alertmanager webhook request into an `Event` or a 400 `Rejection` (not JSON, or
    a group without alerts)."""
    payload = _decode(body)
    if isinstance(payload, Rejection):
        return payload
    lacking = REQUIRED.check(payload)
    if lacking is not None:
        return lacking
    alerts = _objs(payload.get("alerts"))
    status = _group_status(payload, alerts)
    if status is None:
        return Rejection(400, "not an Alertmanager notification: no status and no alerts")
    common_labels = _string_map(payload.get("commonLabels"))
    group_labels = _string_map(payload.get("groupLabels"))
    annotations = _string_map(payload.get("commonAnnotations"))
    alertname = group_labels.get("alertname") or common_labels.get("alertname") or _first_alertname(alerts)
    receiver = _text(payload.get("receiver"))
    truncated = max(_count(payload.get("truncatedAlerts")), 0)
    items = tuple(_alert_item(alert) for alert in alerts)
    return Event(
        kind=EventKind.ALERT,
        action=status,
        tone=Tone.FAILURE if status == FIRING else Tone.SUCCESS,
        source="alertmanager",
        source_id=_source_id(payload, status, alerts),
        title=annotations.get("summary") or alertname or receiver or "Alert",
        url=_text(payload.get("externalURL")) or None,
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
                "group_key": _text(payload.get("groupKey")),
            }
        ),
        items=items,
        total_items=len(items) + truncated,
        occurred_at=_occurred_at(status, alerts),
    )


# --------------------------------------------------------------------------- decoding helpers


def _decode(body: bytes) -> JsonObject | Rejection:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as error:
        reason = str(error)
        return Rejection(400, f"malformed JSON body: {reason[:80]}")
    if not isinstance(value, dict):
        return Rejection(400, "the body must be a JSON object")
    return value


def _objs(value: object) -> list[JsonObject]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**18 else ""
    if isinstance(value, float) and math.isfinite(value):
        return str(value)
    return ""


def _string_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    pairs = ((str(key).strip(), _text(entry)) for key, entry in value.items())
    return {key: entry for key, entry in pairs if key and entry}


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return min(value, 10**9)


def _time(value: object) -> datetime | None:
    text = _text(value)
    if not text or text.startswith(_ZERO_TIME_PREFIX) or len(text) > 64:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- the group and its alerts


def _group_status(payload: JsonObject, alerts: list[JsonObject]) -> str | None:
    status = _text(payload.get("status")).lower()
    if status in (FIRING, RESOLVED):
        return status
    if not alerts:
        return None
    return FIRING if any(_alert_status(alert) == FIRING for alert in alerts) else RESOLVED


def _alert_status(alert: JsonObject) -> str:
    return _text(alert.get("status")).lower() or FIRING


def _first_alertname(alerts: list[JsonObject]) -> str:
    for alert in alerts:
        name = _string_map(alert.get("labels")).get("alertname")
        if name:
            return name
    return ""


def _alert_title(alert: JsonObject) -> str:
    annotations = _string_map(alert.get("annotations"))
    labels = _string_map(alert.get("labels"))
    if annotations.get("summary") or annotations.get("description"):
        return annotations.get("summary") or annotations["description"]
    name, instance = labels.get("alertname", ""), labels.get("instance", "")
    if name:
        return f"{name} ({instance})" if instance else name
    return ", ".join(f"{key}={value}" for key, value in sorted(labels.items())) or "alert"


def _alert_item(alert: JsonObject) -> Item:
    return Item(
        title=_alert_title(alert),
        url=_text(alert.get("generatorURL")) or None,
        id=_text(alert.get("fingerprint")) or None,
        status=_alert_status(alert),
    )


def _worst_severity(alerts: list[JsonObject], status: str) -> str:
    """The most severe label among the alerts in the group's state (all alerts if none is)."""
    in_state = [alert for alert in alerts if _alert_status(alert) == status] or alerts
    severities = {_string_map(alert.get("labels")).get("severity", "").lower() for alert in in_state}
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
    fingerprint = _text(alert.get("fingerprint"))
    if not fingerprint:
        labels = _string_map(alert.get("labels"))
        fingerprint = json.dumps(sorted(labels.items()))
    return [fingerprint, _alert_status(alert), _text(alert.get("startsAt"))]


def _source_id(payload: JsonObject, status: str, alerts: list[JsonObject]) -> str:
    identity = [_text(payload.get("groupKey")), status, sorted(_alert_identity(alert) for alert in alerts)]
    digest = hashlib.sha256(json.dumps(identity).encode()).hexdigest()
    return f"alertmanager:{digest[:40]}"
