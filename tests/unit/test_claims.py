"""Which workers are gone: a silent heartbeat, a dead pid where pids can be compared, or the
caller being the only worker there can be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hookcast.delivery.claims import STALE_AFTER, Holder, Place, gone

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HERE = Place("box", 100, "boot-1/pid:[4026531836]")
FRESH = NOW - timedelta(seconds=1)


def holder(name: str, place: Place, seconds_silent: float = 1) -> Holder:
    return Holder(name, place, NOW - timedelta(seconds=seconds_silent))


def gone_here(*holders: Holder, dead_pids: tuple[int, ...] = (), everyone_else: bool = False) -> list[str]:
    return gone(holders, "me", HERE, NOW, everyone_else=everyone_else, alive=lambda pid: pid not in dead_pids)


def test_a_silent_heartbeat_is_gone_a_fresh_one_is_not() -> None:
    elsewhere = Place("other", 7, "boot-2/pid:[1]")
    assert gone_here(
        holder("silent", elsewhere, STALE_AFTER + 1), holder("beating", elsewhere, STALE_AFTER - 1)
    ) == ["silent"]


def test_a_dead_pid_counts_only_on_this_host_in_this_pid_namespace() -> None:
    dead = (7,)
    same = holder("same-namespace", Place("box", 7, HERE.namespace))
    container = holder("other-namespace", Place("box", 7, "boot-1/pid:[4026532000]"))
    other_host = holder("other-host", Place("elsewhere", 7, HERE.namespace))
    unknown = holder("unknown", Place("box", 7, ""))
    assert gone_here(same, container, other_host, unknown, dead_pids=dead) == ["same-namespace"]
    assert gone_here(same, dead_pids=()) == [], "a live pid (or one reused) is taken as alive"


def test_nothing_is_known_about_pids_where_this_process_cannot_tell() -> None:
    unknown_here = Place("box", 100, "")
    others = [holder("a", Place("box", 7, ""))]
    assert gone(others, "me", unknown_here, NOW, alive=lambda pid: False) == []


def test_never_itself_and_everyone_else_when_it_is_the_only_worker() -> None:
    others = [holder("me", HERE, 3600), holder("a", Place("x", 1, "")), holder("b", HERE)]
    assert gone_here(*others) == []  # "b" shares this pid: that is this process, alive
    assert gone_here(*others, everyone_else=True) == ["a", "b"]
