"""CloudEvents 1.0 carrying issue-workflow events, in structured or binary HTTP mode.

* structured: ``Content-Type: application/cloudevents+json``; the body holds the attributes
  (``specversion``, ``id``, ``source``, ``type``, ``time``...) and the workflow body in ``data``
  (or ``data_base64``);
* binary: the attributes come as ``ce-*`` headers and the body is the data.

``type`` may be namespaced (``com.example.issue.approved``): it matches the workflow type it ends
with at a dot. The CloudEvent ``id`` is the idempotency key; ``time`` fills ``occurred_at``
when the data has none. A CloudEvent of another type is `Ignored` (a source may send many
kinds of events to one sink). Batched mode is refused (415).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any, get_args

from hookcast.sources import Ignored, ParseResult, Rejection
from hookcast.sources.tolerant import load_json
from hookcast.sources.workflow import WorkflowType, parse_workflow_payload

SPEC_VERSION = "1.0"
STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
SOURCE = "cloudevents"
_TYPES: tuple[str, ...] = get_args(WorkflowType)
_REQUIRED = ("id", "source", "specversion", "type")


def is_cloudevent(headers: Mapping[str, str]) -> bool:
    """Whether a request is a CloudEvent in either mode (headers with lower-cased names)."""
    content_type = _media_type(headers.get("content-type", ""))
    return content_type in (STRUCTURED, BATCH) or "ce-specversion" in headers


def workflow_type(ce_type: str) -> str | None:
    """The workflow type ``ce_type`` names: itself, or the one it ends with after a dot."""
    for known in _TYPES:
        if ce_type == known or ce_type.endswith("." + known):
            return known
    return None


def parse_cloudevent(headers: Mapping[str, str], body: bytes) -> ParseResult:
    """``headers`` with lower-cased names."""
    content_type = _media_type(headers.get("content-type", ""))
    if content_type == BATCH:
        return Rejection(415, "batched CloudEvents are not supported: send one event per request")
    envelope = _structured(body) if content_type == STRUCTURED else _binary(headers, body)
    if isinstance(envelope, Rejection):
        return envelope
    return _to_workflow(envelope)


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _structured(body: bytes) -> dict[str, Any] | Rejection:
    try:
        envelope = load_json(body)
    except ValueError as exc:
        return Rejection(400, f"malformed CloudEvent JSON: {str(exc)[:80]}")
    if not isinstance(envelope, dict):
        return Rejection(400, "a structured CloudEvent must be a JSON object")
    if "data_base64" in envelope and "data" not in envelope:
        try:
            raw = base64.b64decode(str(envelope.pop("data_base64")), validate=True)
        except (binascii.Error, ValueError):
            return Rejection(400, "data_base64 is not valid base64")
        data = _json_data(raw)
        if isinstance(data, Rejection):
            return data
        envelope["data"] = data
    return envelope


def _binary(headers: Mapping[str, str], body: bytes) -> dict[str, Any] | Rejection:
    envelope: dict[str, Any] = {
        name.removeprefix("ce-"): value for name, value in headers.items() if name.startswith("ce-")
    }
    content_type = _media_type(headers.get("content-type", "application/json"))
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        return Rejection(415, f"CloudEvent data must be JSON, not {content_type!r}")
    data = _json_data(body) if body.strip() else None
    if isinstance(data, Rejection):
        return data
    envelope["data"] = data
    return envelope


def _json_data(raw: bytes) -> Any:
    try:
        return load_json(raw)
    except ValueError as exc:
        return Rejection(400, f"CloudEvent data is not JSON: {str(exc)[:80]}")


def _to_workflow(envelope: Mapping[str, Any]) -> ParseResult:
    missing = [name for name in _REQUIRED if not _attribute(envelope, name)]
    if missing:
        return Rejection(400, f"CloudEvent attribute(s) missing: {', '.join(missing)}")
    if _attribute(envelope, "specversion") != SPEC_VERSION:
        return Rejection(400, f"unsupported CloudEvents specversion {envelope['specversion']!r} (want 1.0)")
    ce_type = _attribute(envelope, "type")
    kind = workflow_type(ce_type)
    if kind is None:
        return Ignored(f"CloudEvent type {ce_type[:100]!r} is not an issue-workflow event")
    data = envelope.get("data")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Rejection(400, "CloudEvent data must be a JSON object")
    payload = {**data, "id": _attribute(envelope, "id"), "type": kind}
    if not payload.get("occurred_at") and _attribute(envelope, "time"):
        payload["occurred_at"] = _attribute(envelope, "time")
    return parse_workflow_payload(payload, source=SOURCE)


def _attribute(envelope: Mapping[str, Any], name: str) -> str:
    value = envelope.get(name)
    return value.strip() if isinstance(value, str) else ""
