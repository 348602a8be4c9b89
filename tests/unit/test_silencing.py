"""Which silence mutes an event: conditions, the time window, instance-wide against a project's,
the first by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hookcast.events import Event, EventKind
from hookcast.matching import EventMatch
from hookcast.silencing import InForce, Silence, Status, expiring_soon, is_empty, silencing, status

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def alert(**labels: str) -> Event:
    return Event(kind=EventKind.ALERT, action="firing", title="DiskFull", alert_labels=labels)


def silence(
    id: int = 1,
    project_id: int | None = 7,
    starts: timedelta = -HOUR,
    ends: timedelta = HOUR,
    **match: object,
) -> Silence:
    conditions = EventMatch.model_validate(match or {"alert_labels": ['alertname="DiskFull"']})
    return Silence(id, project_id, conditions, NOW + starts, NOW + ends)


def test_a_silence_in_force_mutes_what_it_matches_and_nothing_else() -> None:
    s = silence()
    assert silencing(alert(alertname="DiskFull"), 7, [s], NOW) == s
    assert silencing(alert(alertname="CpuHigh"), 7, [s], NOW) is None
    regex = silence(alert_labels=['severity=~"warning|info"', 'team="db"'])
    assert silencing(alert(severity="info", team="db"), 7, [regex], NOW) == regex
    assert silencing(alert(severity="critical", team="db"), 7, [regex], NOW) is None


def test_the_window_starts_at_its_start_and_ends_before_its_end() -> None:
    later = silence(starts=HOUR, ends=2 * HOUR)
    assert status(later, NOW) is Status.PENDING
    assert silencing(alert(alertname="DiskFull"), 7, [later], NOW) is None
    assert silencing(alert(alertname="DiskFull"), 7, [later], NOW + HOUR) == later
    assert silencing(alert(alertname="DiskFull"), 7, [later], NOW + 2 * HOUR) is None
    assert status(later, NOW + 2 * HOUR) is Status.EXPIRED


def test_a_silence_ended_early_no_longer_mutes() -> None:
    ended = silence(starts=-2 * HOUR, ends=timedelta(0))  # expired now: ends_at set to now
    assert status(ended, NOW) is Status.EXPIRED
    assert silencing(alert(alertname="DiskFull"), 7, [ended], NOW) is None


def test_instance_wide_silences_mute_every_project_and_a_projects_only_its_own() -> None:
    mine, everyone = silence(id=2, project_id=7), silence(id=3, project_id=None)
    assert silencing(alert(alertname="DiskFull"), 8, [mine], NOW) is None
    assert silencing(alert(alertname="DiskFull"), 8, [mine, everyone], NOW) == everyone
    assert silencing(alert(alertname="DiskFull"), 7, [everyone, mine], NOW) == mine  # first by id


def test_the_first_silence_by_id_decides() -> None:
    first, second = silence(id=5), silence(id=9, kinds=["alert"])
    assert silencing(alert(alertname="DiskFull"), 7, [second, first], NOW) == first
    assert InForce((second, first), NOW).silencing(alert(alertname="DiskFull"), 7) == first
    assert InForce((second, first), NOW).silencing(alert(alertname="Other"), 7) == second


def test_conditions_other_than_labels_mute_other_kinds() -> None:
    pushes = silence(kinds=["push"], refs=["renovate/*"])
    renovate = Event(kind=EventKind.PUSH, title="push", branch="renovate/pg-16")
    main = Event(kind=EventKind.PUSH, title="push", branch="main")
    assert silencing(renovate, 7, [pushes], NOW) == pushes
    assert silencing(main, 7, [pushes], NOW) is None


def test_expiring_soon_is_a_silence_in_force_ending_within_a_day() -> None:
    assert expiring_soon(silence(ends=23 * HOUR), NOW)
    assert not expiring_soon(silence(ends=25 * HOUR), NOW)
    assert not expiring_soon(silence(starts=HOUR, ends=2 * HOUR), NOW)  # not started
    assert not expiring_soon(silence(starts=-2 * HOUR, ends=-HOUR), NOW)


def test_an_empty_match_is_recognised() -> None:
    assert is_empty(EventMatch())
    assert not is_empty(EventMatch(kinds=(EventKind.ALERT,)))
    assert not is_empty(EventMatch(exclude_bots=True))


def test_durations_are_read_like_amtools() -> None:
    from hookcast.silencing import parse_duration

    assert parse_duration("1h") == HOUR
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2d") == timedelta(days=2)
    for bad in ("", "0m", "1 hour", "h", "-1h"):
        try:
            parse_duration(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
