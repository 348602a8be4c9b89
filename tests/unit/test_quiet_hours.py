"""Quiet hours, purely: whether an instant is quiet, when the quiet time ends (midnight, weekends,
DST in Europe/Berlin and America/New_York), and which events break through."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hookcast.events import Event, EventKind, ProjectRef, Tone
from hookcast.quiet_hours import QuietHours, Severity, Weekday, breaks_through, quiet_until

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
PROJECT = ProjectRef(name="app", path_with_namespace="team/app", default_branch="main")


def hours(start: str, end: str, zone: Any = UTC, days: str = "", **options: Any) -> QuietHours:
    return QuietHours(
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
        days=frozenset(Weekday(d) for d in days.split()),
        zone=zone,
        **options,
    )


def local(zone: Any, text: str, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


def ends(quiet: QuietHours, instant: datetime) -> str | None:
    """When the quiet time ends, as local wall time with its offset (None: not quiet)."""
    until = quiet_until(quiet, instant)
    if until is None:
        return None
    assert until.tzinfo is UTC
    assert until > instant
    return until.astimezone(quiet.zone).isoformat(timespec="minutes")


NIGHT = hours("20:00", "08:30")  # crosses midnight

# 2026-11-27 is a Friday.
NIGHT_CASES = [
    ("2026-11-27T19:59", None),
    ("2026-11-27T20:00", "2026-11-28T08:30+00:00"),
    ("2026-11-27T23:59", "2026-11-28T08:30+00:00"),
    ("2026-11-28T00:00", "2026-11-28T08:30+00:00"),
    ("2026-11-28T08:29", "2026-11-28T08:30+00:00"),
    ("2026-11-28T08:30", None),
    ("2026-11-28T12:00", None),
]


@pytest.mark.parametrize(("at", "expected"), NIGHT_CASES)
def test_a_window_crossing_midnight(at: str, expected: str | None) -> None:
    assert ends(NIGHT, local(UTC, at)) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [("2026-11-27T11:59", None), ("2026-11-27T12:00", "2026-11-27T13:30+00:00"), ("2026-11-27T13:30", None)],
)
def test_a_window_within_a_day(at: str, expected: str | None) -> None:
    assert ends(hours("12:00", "13:30"), local(UTC, at)) == expected


@pytest.mark.parametrize("at", ["2026-11-27T00:00", "2026-11-27T12:00", "2026-11-28T23:59"])
def test_a_window_of_no_length_is_off(at: str) -> None:
    quiet = hours("08:00", "08:00")
    assert not quiet.on
    assert quiet_until(quiet, local(UTC, at)) is None


WEEKEND_NIGHTS = hours("20:00", "08:30", days="sat sun")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-27T21:00", "2026-11-30T08:30+00:00"),  # Friday night runs into the weekend
        ("2026-11-28T12:00", "2026-11-30T08:30+00:00"),  # Saturday noon
        ("2026-11-29T23:00", "2026-11-30T08:30+00:00"),  # Sunday night
        ("2026-11-30T08:00", "2026-11-30T08:30+00:00"),  # Monday morning
        ("2026-11-30T09:00", None),
        ("2026-11-27T18:00", None),  # Friday evening before the window
    ],
)
def test_quiet_weekends_join_the_nights_around_them(at: str, expected: str | None) -> None:
    assert ends(WEEKEND_NIGHTS, local(UTC, at)) == expected


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-28T12:00", "2026-11-30T00:00+00:00"),
        ("2026-11-29T00:00", "2026-11-30T00:00+00:00"),
        ("2026-11-27T23:59", None),
        ("2026-11-30T00:00", None),
    ],
)
def test_quiet_days_without_a_window(at: str, expected: str | None) -> None:
    assert ends(hours("00:00", "00:00", days="sat sun"), local(UTC, at)) == expected


def test_the_zone_decides_what_local_time_it_is() -> None:
    # 19:30 UTC is 20:30 in Berlin in winter: quiet there, not in UTC.
    instant = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)
    assert quiet_until(NIGHT, instant) is None
    assert ends(hours("20:00", "08:30", BERLIN), instant) == "2026-11-28T08:30+01:00"


@pytest.mark.parametrize(
    ("zone", "at", "expected"),
    [
        # Berlin springs forward on 2026-03-29, 02:00 -> 03:00; falls back on 2026-10-25, 03:00 -> 02:00.
        (BERLIN, "2026-03-28T23:00", "2026-03-29T08:30+02:00"),
        (BERLIN, "2026-10-24T23:00", "2026-10-25T08:30+01:00"),
        # New York springs forward on 2026-03-08, falls back on 2026-11-01.
        (NEW_YORK, "2026-03-07T21:00", "2026-03-08T08:30-04:00"),
        (NEW_YORK, "2026-10-31T21:00", "2026-11-01T08:30-05:00"),
    ],
)
def test_a_night_across_a_dst_change_ends_at_the_local_end(zone: Any, at: str, expected: str) -> None:
    assert ends(hours("20:00", "08:30", zone), local(zone, at)) == expected


def test_a_night_across_a_dst_change_lasts_an_hour_less_or_more() -> None:
    spring = hours("20:00", "08:30", BERLIN)
    start = local(BERLIN, "2026-03-28T20:00")
    until = quiet_until(spring, start)
    assert until is not None and (until - start).total_seconds() == 11.5 * 3600
    autumn_start = local(BERLIN, "2026-10-24T20:00")
    until = quiet_until(spring, autumn_start)
    assert until is not None and (until - autumn_start).total_seconds() == 13.5 * 3600


def test_an_end_skipped_by_the_spring_change_ends_right_after_the_gap() -> None:
    quiet = hours("01:00", "02:30", BERLIN)  # 02:30 does not exist on 2026-03-29
    assert ends(quiet, local(BERLIN, "2026-03-29T01:30")) == "2026-03-29T03:30+02:00"


def test_an_end_repeated_by_the_autumn_change_ends_at_its_first_occurrence() -> None:
    quiet = hours("01:00", "02:30", BERLIN)  # 02:30 occurs twice on 2026-10-25
    assert ends(quiet, local(BERLIN, "2026-10-25T01:30")) == "2026-10-25T02:30+02:00"


def test_inside_the_repeated_hour_the_second_end_counts() -> None:
    quiet = hours("02:10", "02:40", BERLIN)
    second = local(BERLIN, "2026-10-25T02:20", fold=1)  # after the first 02:40 has passed
    until = quiet_until(quiet, second)
    assert until is not None and until > second
    assert until.astimezone(BERLIN).time() == time(2, 40)
    assert (until - second).total_seconds() == 20 * 60


def test_a_window_starting_in_the_spring_gap_starts_after_it() -> None:
    quiet = hours("02:30", "06:00", BERLIN)
    assert ends(quiet, local(BERLIN, "2026-03-29T03:00")) == "2026-03-29T06:00+02:00"
    assert quiet_until(quiet, local(BERLIN, "2026-03-29T01:59")) is None


def event(kind: EventKind, **fields: Any) -> Event:
    fields.setdefault("project", PROJECT)
    return Event(kind=kind, **fields)


FAILURES = hours("20:00", "08:30", break_on_failures=True)


@pytest.mark.parametrize(
    ("sample", "protected", "urgent"),
    [
        (event(EventKind.PIPELINE, action="failed", branch="main"), (), True),
        (event(EventKind.JOB, action="failed", branch="main"), (), True),
        (event(EventKind.PIPELINE, action="failed", branch="release/1"), ("release/*",), True),
        (event(EventKind.PIPELINE, action="failed", branch="feature/x"), ("release/*",), False),
        (event(EventKind.PIPELINE, action="success", branch="main"), (), False),
        (event(EventKind.PIPELINE, action="failed", branch="v1.0", is_tag=True), (), False),
        (event(EventKind.PUSH, action="pushed", branch="main"), (), False),
    ],
)
def test_failures_on_default_or_protected_branches_break_through(
    sample: Event, protected: tuple[str, ...], urgent: bool
) -> None:
    assert breaks_through(sample, FAILURES, protected) is urgent
    assert breaks_through(sample, hours("20:00", "08:30"), protected) is False


def alert(severity: str, tone: Tone = Tone.FAILURE) -> Event:
    return event(
        EventKind.ALERT, action="firing", tone=tone, details={"severity": severity} if severity else {}
    )


@pytest.mark.parametrize(
    ("threshold", "severity", "urgent"),
    [
        (Severity.CRITICAL, "critical", True),
        (Severity.CRITICAL, "Critical", True),
        (Severity.CRITICAL, "warning", False),
        (Severity.WARNING, "critical", True),
        (Severity.WARNING, "error", True),
        (Severity.WARNING, "warning", True),
        (Severity.WARNING, "info", False),
        (Severity.INFO, "info", True),
        (Severity.INFO, "", False),
        (Severity.INFO, "unheard-of", False),
        (Severity.OFF, "critical", False),
    ],
)
def test_firing_alerts_at_or_above_the_severity_break_through(
    threshold: Severity, severity: str, urgent: bool
) -> None:
    assert breaks_through(alert(severity), hours("20:00", "08:30", break_at_severity=threshold)) is urgent


def test_a_resolved_alert_waits() -> None:
    quiet = hours("20:00", "08:30", break_at_severity=Severity.INFO)
    assert breaks_through(alert("critical", Tone.SUCCESS), quiet) is False
