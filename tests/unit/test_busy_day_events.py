"""The busy day `bench/busy_day.py` sends (`bench/busy_day_events.py`): deterministic, of the
announced size, and every hook one hookcast's own parsers read as the event it stands for."""

from __future__ import annotations

from collections import Counter

from bench.busy_day_events import busy_day, tally

from hookcast.events import EventKind
from hookcast.living import object_key
from hookcast.preview import parse_source


def test_the_day_is_the_same_for_a_seed_and_another_for_another_seed() -> None:
    assert busy_day(3) == busy_day(3)
    assert [hook.body for hook in busy_day(3)] != [hook.body for hook in busy_day(4)]


def test_the_day_has_the_announced_events_in_time_order() -> None:
    hooks = busy_day()
    counts = tally(hooks)
    assert 120 <= counts["pipelines"] <= 180
    assert counts["alert"] == 20
    assert [hook.at for hook in hooks] == sorted(hook.at for hook in hooks)


def test_every_hook_parses_as_its_event_and_objects_recur() -> None:
    actions: Counter[tuple[str, str]] = Counter()
    objects: dict[str, set[str]] = {}
    for hook in busy_day():
        event = parse_source(hook.body, hook.source, hook.header)
        assert event.kind.value == hook.kind, hook
        actions[(event.kind.value, event.action)] += 1
        key = object_key(event)
        if key is not None:
            objects.setdefault(event.kind.value, set()).add(key)
    assert actions[("merge_request", "open")] == 40
    assert actions[("merge_request", "review_requested")] == 40
    assert actions[("merge_request", "approved")] > 20 and actions[("merge_request", "merge")] > 20
    assert actions[("alert", "firing")] == actions[("alert", "resolved")] == 10
    assert actions[("issue", "open")] == 6
    assert actions[("pipeline", "failed")] > 0 and actions[("pipeline", "running")] > 100
    assert len(objects[EventKind.MERGE_REQUEST.value]) == 40
    assert len(objects[EventKind.ALERT.value]) == 1  # one group, flapping
    assert len(objects[EventKind.ISSUE.value]) == 6
