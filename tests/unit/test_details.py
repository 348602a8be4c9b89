"""Event details are a closed set of keys (`DetailKey`; mypy checks every read and write against
it): every key is written by some parser over the test payloads, every key a renderer reads for a
kind is one the parsers write for that kind, and events stored before the set was closed load."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest

from hookcast.events import DETAIL_KEYS, DetailKey, Event, EventKind
from hookcast.kinds import CATALOGUE
from hookcast.messages.model import LANGUAGES
from hookcast.messages.render import render
from tests.unit.parsed_events import parsed_events


def family(kind: EventKind) -> EventKind:
    """A confidential kind and its public twin come from the same parser: one family."""
    public = {spec.confidential_twin: spec.kind for spec in CATALOGUE if spec.confidential_twin}
    return public.get(kind, kind)


def written_by_kind() -> dict[EventKind, set[str]]:
    written: dict[EventKind, set[str]] = defaultdict(set)
    for _name, event in parsed_events():
        written[family(event.kind)] |= set(event.details)
    return written


def test_every_detail_key_is_written_by_some_parser() -> None:
    written = set().union(*written_by_kind().values())
    assert DETAIL_KEYS - written == set()
    assert written <= DETAIL_KEYS


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[tuple[EventKind, str]]]:
    """Every (kind, key) a renderer asks an event for while the test runs."""
    asked: set[tuple[EventKind, str]] = set()
    detail = Event.detail

    def recording(self: Event, key: DetailKey) -> str | None:
        asked.add((self.kind, key))
        return detail(self, key)

    monkeypatch.setattr(Event, "detail", recording)
    yield asked


def test_renderers_read_only_keys_their_kind_is_given(reads: set[tuple[EventKind, str]]) -> None:
    for _name, event in parsed_events():
        for language in LANGUAGES:
            render(event, language)
    written = written_by_kind()
    unwritten = sorted((kind.value, key) for kind, key in reads if key not in written[family(kind)])
    assert unwritten == []
    assert ("push", "after") in {(kind.value, key) for kind, key in reads}  # the recording works


def test_a_stored_event_with_keys_no_source_writes_any_more_still_loads() -> None:
    stored = '{"kind": "issue", "title": "Fix", "details": {"state": "opened", "milestone": "v1"}}'
    event = Event.model_validate_json(stored)
    assert event.details == {"state": "opened"}
    assert event.detail("state") == "opened"
    assert Event.model_validate_json(event.model_dump_json()) == event
