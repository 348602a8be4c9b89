"""A webhook's review reminder as it is stored, checked and shown; the deciding is pure
(`hookcast.reminders`).

Stored in ``webhooks.review_reminders`` as ``{"time": "09:30", "days": ["mon", "tue", "wed",
"thu", "fri"], "timezone": "Europe/Berlin", "to": "group", "drafts": false}``; the API, the UI
and the CLI take and show the same values as the ``reminder_*`` fields of a webhook. No time: no
reminder. The zone is loaded here (a file), never in the pure core.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from hookcast.quiet_hours import Weekday
from hookcast.reminders import Recipients, Schedule
from hookcast.services.errors import Invalid
from hookcast.services.quiet_hours import CLOCK_TIME, DEFAULT_ZONE, load_zone

FIELDS = ("reminder_time", "reminder_days", "reminder_timezone", "reminder_to", "reminder_drafts")
WORKING_DAYS: tuple[Weekday, ...] = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)


def shown(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``reminder_*`` fields of a webhook's view (the defaults when it never had a reminder)."""
    stored = stored or {}
    return {
        "reminder_time": stored.get("time", ""),
        "reminder_days": [Weekday(d) for d in stored.get("days", [d.value for d in WORKING_DAYS])],
        "reminder_timezone": stored.get("timezone", DEFAULT_ZONE),
        "reminder_to": Recipients(stored.get("to", Recipients.GROUP.value)),
        "reminder_drafts": bool(stored.get("drafts", False)),
    }


def stored(current: Mapping[str, Any] | None, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form after ``changes`` (``reminder_*`` names; None or absent keeps), checked:
    the time as HH:MM, a time zone the database knows, at least one weekday when there is a time."""
    values = shown(current)
    values.update({name: value for name, value in changes.items() if name in FIELDS and value is not None})
    at = str(values["reminder_time"]).strip()
    if at and not CLOCK_TIME.fullmatch(at):
        raise Invalid("a time of day is written HH:MM, from 00:00 to 23:59", field="reminder_time")
    zone = str(values["reminder_timezone"]).strip() or DEFAULT_ZONE
    load_zone(zone, field="reminder_timezone")
    days = sorted({Weekday(d) for d in values["reminder_days"]}, key=lambda d: d.number)
    if at and not days:
        raise Invalid("a reminder needs at least one weekday", field="reminder_days")
    return {
        "time": at,
        "days": [d.value for d in days],
        "timezone": zone,
        "to": Recipients(values["reminder_to"]).value,
        "drafts": bool(values["reminder_drafts"]),
    }


def effective(stored: Mapping[str, Any] | None) -> Schedule | None:
    """The reminder to send, or None when there is none (no time, no day, or a zone the database
    no longer knows: off rather than at a wrong hour)."""
    if not stored or not stored.get("time"):
        return None
    try:
        zone = load_zone(str(stored.get("timezone") or DEFAULT_ZONE))
        at = time.fromisoformat(str(stored["time"]))
        days = frozenset(Weekday(d) for d in stored.get("days", []))
        to = Recipients(stored.get("to") or Recipients.GROUP.value)
    except (Invalid, ValueError):
        return None
    if not days:
        return None
    return Schedule(at=at, days=days, zone=zone, to=to, drafts=bool(stored.get("drafts")))
