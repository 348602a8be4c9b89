"""A webhook's quiet hours as they are stored, checked and shown; the deciding is pure
(`hookcast.quiet_hours`).

Stored in ``webhooks.quiet_hours`` as ``{"from": "20:00", "until": "08:30", "days": ["sat", "sun"],
"timezone": "Europe/Berlin", "break_on_failures": true, "break_at_severity": "critical"}``; the
API, the UI and the CLI take and show the same values as the ``quiet_*`` fields of a webhook.
The zone is loaded here (the time zone database is a file), never in the pure core.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from hookcast.quiet_hours import QuietHours, Severity, Weekday
from hookcast.services.errors import Invalid

FIELDS = (
    "quiet_from",
    "quiet_until",
    "quiet_days",
    "quiet_timezone",
    "quiet_break_on_failures",
    "quiet_break_at_severity",
)
DEFAULT_ZONE = "UTC"
CLOCK_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*")


def shown(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``quiet_*`` fields of a webhook's view (the defaults when it never had quiet hours)."""
    stored = stored or {}
    return {
        "quiet_from": stored.get("from", ""),
        "quiet_until": stored.get("until", ""),
        "quiet_days": [Weekday(d) for d in stored.get("days", [])],
        "quiet_timezone": stored.get("timezone", DEFAULT_ZONE),
        "quiet_break_on_failures": bool(stored.get("break_on_failures", False)),
        "quiet_break_at_severity": Severity(stored.get("break_at_severity", Severity.OFF.value)),
    }


def stored(current: Mapping[str, Any] | None, changes: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stored form after ``changes`` (``quiet_*`` names; None or absent keeps), checked:
    times as HH:MM, a time zone the database knows, not every day quiet. None: no quiet hours."""
    values = shown(current)
    values.update({name: value for name, value in changes.items() if name in FIELDS and value is not None})
    start, end = str(values["quiet_from"]).strip(), str(values["quiet_until"]).strip()
    for name, value in (("quiet_from", start), ("quiet_until", end)):
        if value and not CLOCK_TIME.fullmatch(value):
            raise Invalid("a time of day is written HH:MM, from 00:00 to 23:59", field=name)
    if bool(start) != bool(end):
        raise Invalid(
            "quiet hours need both a start and an end", field="quiet_until" if start else "quiet_from"
        )
    zone = str(values["quiet_timezone"]).strip() or DEFAULT_ZONE
    load_zone(zone)
    days = sorted({Weekday(d) for d in values["quiet_days"]}, key=lambda d: d.number)
    if len(days) == len(Weekday):
        raise Invalid("not every day can be quiet: nothing would ever be sent", field="quiet_days")
    return {
        "from": start,
        "until": end,
        "days": [d.value for d in days],
        "timezone": zone,
        "break_on_failures": bool(values["quiet_break_on_failures"]),
        "break_at_severity": Severity(values["quiet_break_at_severity"]).value,
    }


def load_zone(name: str, field: str = "quiet_timezone") -> tzinfo:
    """The IANA time zone ``name`` (``Europe/Berlin``), or an `Invalid` naming ``field``. The
    zones come from the system's database, or from the pinned ``tzdata`` package where the system
    has none (a slim container)."""
    if name == DEFAULT_ZONE:
        return UTC
    try:
        if len(name) <= 64 and _ZONE_NAME.fullmatch(name):
            return ZoneInfo(name)
    except (LookupError, ValueError, OSError):
        pass
    raise Invalid(
        "{zone} is not a time zone: use an IANA name such as Europe/Berlin or America/New_York",
        field=field,
        zone=name[:64],
    )


def effective(stored: Mapping[str, Any] | None) -> QuietHours | None:
    """The quiet hours to apply, or None when there are none (never set, or no window and no
    quiet day). A zone the database no longer knows turns them off rather than holding forever."""
    if not stored:
        return None
    start, end = stored.get("from") or "", stored.get("until") or ""
    days = frozenset(Weekday(d) for d in stored.get("days", []))
    try:
        zone = load_zone(str(stored.get("timezone") or DEFAULT_ZONE))
    except Invalid:
        return None
    hours = QuietHours(
        start=time.fromisoformat(start) if start else time(0),
        end=time.fromisoformat(end) if end else time(0),
        days=days,
        zone=zone,
        break_on_failures=bool(stored.get("break_on_failures")),
        break_at_severity=Severity(stored.get("break_at_severity") or Severity.OFF.value),
    )
    return hours if hours.on else None


def local_end(instant: datetime, stored: Mapping[str, Any] | None, now: datetime) -> str:
    """When held messages go out, as the webhook's people read it: ``08:30 Europe/Berlin``, with
    the date when that is not within the next day."""
    zone_name = str((stored or {}).get("timezone") or DEFAULT_ZONE)
    try:
        zone = load_zone(zone_name)
    except Invalid:
        zone_name, zone = DEFAULT_ZONE, UTC
    local = instant.astimezone(zone)
    shape = "%H:%M" if (instant - now).total_seconds() < 86400 else "%Y-%m-%d %H:%M"
    return f"{local.strftime(shape)} {zone_name}"
