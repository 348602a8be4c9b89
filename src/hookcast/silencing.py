"""Silences, purely: which silence, if any, mutes an event at a given instant.

A silence is a set of conditions (`hookcast.matching.EventMatch`, the same conditions routing
rules use) and a time window ``[starts_at, ends_at)``, in one project or in every project. It
mutes the event everywhere in its project: every delivery made of the event (each webhook's
group message and every direct message) is recorded as ``silenced`` and never sent, so the
history still shows it and a person can resend it. When several silences match, the first by
id decides (the oldest: the one people have known longest). "Now" comes from the caller; no
I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hookcast.events import Event
from hookcast.matching import EventMatch, matches

# A silence in force that ends within this is listed as "expiring soon".
EXPIRING_SOON = timedelta(hours=24)
# The longest window a silence may have: a forgotten silence must not mute a project for good.
LONGEST = timedelta(days=366)


_DURATION = re.compile(r"(?:(?P<d>[0-9]{1,3})d)?(?:(?P<h>[0-9]{1,4})h)?(?:(?P<m>[0-9]{1,6})m)?")


def parse_duration(text: str) -> timedelta:
    """``90m``, ``1h``, ``1h30m``, ``2d`` (Alertmanager's amtool spelling) -> a timedelta;
    ValueError for anything else or nothing."""
    found = _DURATION.fullmatch(text.strip().lower())
    if found is None or not any(found.groups()):
        raise ValueError(f"not a duration: {text!r} (like 30m, 1h, 1h30m, 2d)")
    days, hours, minutes = (int(found[unit] or 0) for unit in ("d", "h", "m"))
    duration = timedelta(days=days, hours=hours, minutes=minutes)
    if not duration:
        raise ValueError("a duration must be longer than nothing")
    return duration


class Status(StrEnum):
    PENDING = "pending"  # starts later
    ACTIVE = "active"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Silence:
    """What deciding needs of a stored silence. ``project_id`` None: every project."""

    id: int
    project_id: int | None
    match: EventMatch
    starts_at: datetime
    ends_at: datetime


def status(silence: Silence, now: datetime) -> Status:
    if now < silence.starts_at:
        return Status.PENDING
    if now < silence.ends_at:
        return Status.ACTIVE
    return Status.EXPIRED


def expiring_soon(silence: Silence, now: datetime) -> bool:
    """In force now, and ends within `EXPIRING_SOON`."""
    return status(silence, now) is Status.ACTIVE and silence.ends_at - now <= EXPIRING_SOON


def is_empty(match: EventMatch) -> bool:
    """No condition set: such a silence would mute every event, so none may be made of it."""
    return match == EventMatch()


def conditions_text(match: EventMatch) -> str:
    """The conditions that are set, in one line (``kinds: alert; alert_labels: team="db"``)."""
    parts = []
    for name, value in match.model_dump(mode="json", exclude_defaults=True).items():
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value).lower()
        parts.append(f"{name}: {shown}")
    return "; ".join(parts)


def silencing(event: Event, project_id: int, silences: Iterable[Silence], now: datetime) -> Silence | None:
    """The silence that mutes ``event`` of project ``project_id`` at ``now``: the first by id of
    those in force there (the project's own or instance-wide) whose conditions it meets."""
    for silence in sorted(silences, key=lambda s: s.id):
        if silence.project_id not in (None, project_id) or status(silence, now) is not Status.ACTIVE:
            continue
        if matches(event, silence.match):
            return silence
    return None


@dataclass(frozen=True, slots=True)
class InForce:
    """The silences in force for one intake batch, loaded once (`services/silences.py`)."""

    silences: Sequence[Silence]
    now: datetime

    def silencing(self, event: Event, project_id: int) -> Silence | None:
        return silencing(event, project_id, self.silences, self.now)
