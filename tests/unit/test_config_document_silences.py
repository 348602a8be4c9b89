"""The silences section's pure parts: what a silence is matched by (its conditions, window and
comment, times in UTC whatever zone the document wrote), how the diff names it, and a skipped
entry in the diff's text (not a change)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hookcast.services.config_document import document
from hookcast.services.config_document.diff import Action, ItemChange, text
from hookcast.services.config_document.silence_section import SilenceEntry, identity_of, label, skipped_note
from hookcast.services.errors import InvalidDocument

ENTRY = {
    "match": {"kinds": ["alert"], "alert_labels": ['alertname="DiskFull"']},
    "starts_at": "2026-12-01T10:00:00Z",
    "ends_at": "2026-12-01T12:00:00Z",
    "author": "ann",
    "comment": "disk being replaced",
}


def test_a_silence_is_matched_by_conditions_window_and_comment_in_utc_not_by_author() -> None:
    entry = SilenceEntry.model_validate(ENTRY)
    berlin = SilenceEntry.model_validate(
        {**ENTRY, "starts_at": "2026-12-01T11:00:00+01:00", "ends_at": "2026-12-01T12:00:00", "author": "bob"}
    )
    assert identity_of(berlin) == identity_of(entry)  # a zone written, or none (UTC); another author
    for changed in (
        {"comment": "other"},
        {"ends_at": "2026-12-01T12:00:01Z"},
        {"match": {"kinds": ["alert"]}},
    ):
        assert identity_of(SilenceEntry.model_validate({**ENTRY, **changed})) != identity_of(entry)


def test_the_diff_names_a_silence_by_all_it_is_matched_by() -> None:
    identity = identity_of(SilenceEntry.model_validate(ENTRY))
    assert label(identity) == (
        'kinds: alert; alert_labels: alertname="DiskFull", '
        "2026-12-01 10:00:00 UTC to 2026-12-01 12:00:00 UTC: disk being replaced"
    )
    assert skipped_note(identity) == "ended 2026-12-01 12:00:00 UTC: an expired silence is not imported"
    zoned = identity[2].astimezone(timezone(timedelta(hours=8)))
    assert zoned == identity[2] and label((*identity[:2], zoned, identity[3])) == label(identity)


def test_a_skipped_item_is_shown_with_its_note_and_is_no_change() -> None:
    skipped = ItemChange(section="silences", noun="silence", name="x", action=Action.SKIPPED, note="why")
    assert not Action.SKIPPED.changes and not Action.KEPT.changes and Action.ADDED.changes
    assert text([skipped]) == "silence 'x': skipped (why)\nno changes\n"


def test_entries_are_checked_by_the_document_model_with_their_path() -> None:
    parsed = document.validated({"project": {"name": "app"}, "silences": [ENTRY]})
    [entry] = parsed.silences  # type: ignore[attr-defined]
    assert entry.starts_at == datetime(2026, 12, 1, 10, tzinfo=UTC)
    wrong = {**ENTRY, "status": "active", "match": {"alert_labels": ["no matcher"]}}
    with pytest.raises(InvalidDocument) as raised:
        document.validated({"project": {"name": "app"}, "silences": [ENTRY, wrong]})
    assert [path for path, _ in raised.value.problems] == [
        "silences[1].match.alert_labels[0]",
        "silences[1].status",
    ]
