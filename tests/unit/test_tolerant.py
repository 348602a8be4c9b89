"""The tolerant-JSON toolkit every parser reads untrusted bodies with: a value of the wrong type
reads as absent, never raises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from hookcast.sources import Rejection
from hookcast.sources.tolerant import (
    as_flag,
    as_int,
    as_obj,
    as_objs,
    as_opt,
    as_raw,
    as_seconds,
    as_string_map,
    as_text,
    as_texts,
    clip,
    decode_json_object,
    iso_time,
    joined,
    load_json,
)

HOSTILE: list[object] = [None, True, False, [], {}, [1], {"a": 1}, float("nan"), float("inf"), 10**30, "  "]


def test_a_json_object_is_decoded_with_its_keys_trimmed() -> None:
    assert decode_json_object(b'{" ref ": "main", "n": 1}') == {"ref": "main", "n": 1}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[1, 2]", "the body must be a JSON object, not an array"),
        (b'"text"', "the body must be a JSON object, not a string"),
        (b"true", "the body must be a JSON object, not a boolean"),
        (b"3", "the body must be a JSON object, not a number"),
        (b"null", "the body must be a JSON object, not null"),
    ],
)
def test_anything_but_an_object_is_refused_with_what_it_is(body: bytes, reason: str) -> None:
    assert decode_json_object(body) == Rejection(400, reason)


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"[" * 100_000, b""])
def test_malformed_or_too_deep_bodies_are_refused_not_raised(body: bytes) -> None:
    refused = decode_json_object(body)
    assert isinstance(refused, Rejection) and refused.status == 400
    assert refused.reason.startswith("malformed JSON body: ") and len(refused.reason) < 120


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_read_as_absent(value: object) -> None:
    assert as_text(value) == ""
    assert as_opt(value) is None
    assert as_seconds(value) is None
    assert as_obj(value) == ({"a": 1} if value == {"a": 1} else {})
    assert as_int(value) is None or value == 10**30  # an int is kept as it is; text of it is not


def test_scalars_read_as_plain_text() -> None:
    assert as_text("  main ") == "main"
    assert as_text(42) == "42"
    assert as_text(3.0) == "3"
    assert as_text(2.5) == "2.5"
    assert as_text(True) == ""
    assert as_raw("  kept as sent\n") == "  kept as sent\n"
    assert as_raw(5) == ""
    assert as_texts(["a", 1, None, {}, " ", True]) == ["a", "1"]
    assert as_string_map({"a": "x", " b ": 2, "": "y", "c": None, "d": ["z"]}) == {"a": "x", "b": "2"}
    assert as_string_map(["a"]) == {}


def test_objects_and_lists_of_objects() -> None:
    assert as_obj({"a": 1}) == {"a": 1}
    assert as_obj([{"a": 1}]) == {}
    assert as_objs([{"a": 1}, "x", None, {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert as_objs({"a": 1}) == []


def test_numbers_flags_and_durations() -> None:
    assert as_int(7) == 7
    assert as_int(7.0) == 7
    assert as_int(" 12 ") == 12
    assert as_int("1" * 19) is None
    assert as_int(7.5) is None
    assert as_int(True) is None
    assert as_flag(True) == "true" and as_flag(False) == "false" and as_flag("true") is None
    assert as_seconds(62.6) == "63"
    assert as_seconds(-1) is None and as_seconds(1e13) is None and as_seconds("5") is None


def test_joining_and_clipping() -> None:
    assert joined(["a", "", "b"]) == "a, b"
    assert joined([]) is None
    assert clip("x" * 80) == "x" * 80
    assert clip("x" * 81) == "x" * 80 + "..."


def test_iso_times_are_aware() -> None:
    assert iso_time("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert iso_time("2024-05-01T10:00:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert iso_time("2024-05-01T10:00:00+02:00") == datetime(
        2024, 5, 1, 10, tzinfo=timezone(timedelta(hours=2))
    )
    assert iso_time("") is None
    assert iso_time("yesterday") is None
    assert iso_time("9999-99-99T99:99:99Z") is None


def test_control_and_bidi_characters_never_reach_the_text() -> None:
    body = (
        b'{"title": "fix \\u202eevil\\u202c \\u2066x\\u2069 bell\\u0007 nul\\u0000",'
        b' "note": "line\\nnext\\ttab"}'
    )
    raw_bidi = '{"title": "a\u202eb\u200fc\u0085d"}'.encode()
    cleaned, raw = load_json(body), load_json(raw_bidi)
    assert cleaned == {"title": "fix evil x bell nul", "note": "line\nnext\ttab"}
    assert raw == {"title": "abcd"}
    assert load_json(b'{"k\\u202e": ["\\u0007"]}') == {"k": [""]}  # keys and lists too


def test_a_lone_surrogate_is_not_json_here() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        load_json(b'{"a": "\\ud800"}')
    assert load_json(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}  # a pair is fine
