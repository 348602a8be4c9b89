"""Quiet hours: when a webhook's messages wait, until when, and which ones break through. Pure.

A webhook may keep a daily window (``20:00``–``08:30``; it may cross midnight) and whole quiet
weekdays (Saturday and Sunday) in its own time zone. What arrives inside is held until the quiet
time ends, then sent as one digest; an urgent event (a failed pipeline or job on the default or a
protected branch, a firing alert at or above a severity) goes at once when the webhook says so.

Everything here takes the instant and the zone from its caller: the zone is loaded (a file read)
where the webhook is, and "now" is read by the caller (``clock.utcnow``), so DST and midnight
cases are plain unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum

from hookcast.events import Event, EventKind, Tone
from hookcast.kinds import Filter, kinds_with
from hookcast.routing import BROKEN_STATUS, on_default_or_protected_branch

_FAILING_KINDS = kinds_with(Filter.ONLY_BROKEN)  # pipelines and jobs
_MAX_STEPS = 16  # a window and six quiet days chain into at most a few exits; 16 is ample


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """``datetime.weekday()`` of this day (Monday 0)."""
        return list(Weekday).index(self)


class Severity(StrEnum):
    """The least severe firing alert that breaks through (``off``: none does)."""

    OFF = "off"
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Alert severities as Alertmanager rules and GitLab name them, most severe highest; one that is
# not listed ranks lowest, so it breaks through no threshold.
_RANKS: dict[str, int] = {
    "critical": 4,
    "error": 3,
    "high": 3,
    "warning": 2,
    "medium": 2,
    "info": 1,
    "low": 1,
}


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A webhook's quiet time. ``start == end`` means no daily window (only ``days``, if any)."""

    start: time
    end: time
    days: frozenset[Weekday]
    zone: tzinfo
    break_on_failures: bool = False
    break_at_severity: Severity = Severity.OFF

    @property
    def on(self) -> bool:
        return self.start != self.end or bool(self.days)


def _quiet_wall(hours: QuietHours, wall: datetime) -> bool:
    """Whether a local wall-clock time is inside the quiet time."""
    if list(Weekday)[wall.weekday()] in hours.days:
        return True
    now, start, end = wall.time(), hours.start, hours.end
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end  # the window crosses midnight


def _exit_after(hours: QuietHours, wall: datetime) -> datetime:
    """The next local wall time that might end the quiet time that ``wall`` is in: the next
    midnight on a quiet day, else the window's next end."""
    if list(Weekday)[wall.weekday()] in hours.days:
        return datetime.combine(wall.date() + timedelta(days=1), time(0))
    today_end = datetime.combine(wall.date(), hours.end)
    return today_end if wall.time() < hours.end else today_end + timedelta(days=1)


def quiet_until(hours: QuietHours, instant: datetime) -> datetime | None:
    """When the quiet time that ``instant`` (aware) falls in ends, in UTC; None when it is not
    quiet then. Windows and quiet days that touch are one quiet time (Friday 20:00 to Monday
    08:30 with a weekend). A local end that does not exist (skipped by a DST change) ends at the
    first instant after the gap; one that occurs twice ends at the first."""
    if not hours.on:
        return None
    wall = instant.astimezone(hours.zone).replace(tzinfo=None)
    if not _quiet_wall(hours, wall):
        return None
    moment = instant.astimezone(UTC)
    for _ in range(_MAX_STEPS):
        exit_wall = _exit_after(hours, wall)
        candidate = exit_wall.replace(tzinfo=hours.zone).astimezone(UTC)
        if candidate <= moment:  # a wall time repeated by a DST change, passed once already
            candidate = exit_wall.replace(tzinfo=hours.zone, fold=1).astimezone(UTC)
        if candidate <= moment:
            candidate = moment + timedelta(minutes=1)
        moment = candidate
        wall = moment.astimezone(hours.zone).replace(tzinfo=None)
        if not _quiet_wall(hours, wall):
            return moment
    return moment


def severity_rank(severity: str) -> int:
    return _RANKS.get(severity.strip().lower(), 0)


def breaks_through(event: Event, hours: QuietHours, protected_branches: Sequence[str] = ()) -> bool:
    """Whether ``event`` is urgent enough to be sent during quiet hours, as ``hours`` says."""
    if (
        hours.break_on_failures
        and event.kind in _FAILING_KINDS
        and event.action == BROKEN_STATUS
        and on_default_or_protected_branch(event, protected_branches)
    ):
        return True
    if hours.break_at_severity is Severity.OFF or event.kind != EventKind.ALERT:
        return False
    firing = event.tone is Tone.FAILURE
    return firing and severity_rank(event.detail("severity") or "") >= severity_rank(hours.break_at_severity)
