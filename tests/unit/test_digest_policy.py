"""When waiting messages are merged into a digest, and how many fit."""

from __future__ import annotations

from hookcast.delivery.digest import (
    MAX_PARTS,
    estimated_line_bytes,
    parts_that_fit,
    reserved_slots,
    should_merge,
)
from hookcast.events import Tone
from hookcast.messages.model import Message


def message(summary: str, url: str = "https://gitlab.example.com/g/p/-/commit/abc") -> Message:
    return Message(title=summary, tone=Tone.SUCCESS, summary=summary, url=url)


def test_merge_only_when_more_wait_than_the_slots_left() -> None:
    assert not should_merge(waiting=1, remaining_slots=0), "a lone message is never a digest"
    assert not should_merge(waiting=5, remaining_slots=4), "this one plus four more slots: all fit"
    assert should_merge(waiting=6, remaining_slots=4)
    assert should_merge(waiting=2, remaining_slots=0)


def test_a_long_window_keeps_a_quarter_of_its_slots_for_digests() -> None:
    assert reserved_slots(20) == 5, "DingTalk's 20 a minute: 15 singles, then 5 digests"
    assert reserved_slots(100) == 25
    assert reserved_slots(3) == 1, "at least the last slot"
    # 5 digests of MAX_PARTS carry a burst of 100 within DingTalk's minute
    assert 20 - reserved_slots(20) + reserved_slots(20) * MAX_PARTS >= 100


def test_parts_fit_the_budget_and_at_least_one_goes() -> None:
    short = [message(f"push {n}") for n in range(100)]
    assert parts_that_fit(short, budget=100_000) == MAX_PARTS
    line = estimated_line_bytes(short[0])
    assert parts_that_fit(short, budget=line * 3) == 3
    assert parts_that_fit(short, budget=line * 3 - 1) == 2
    huge = [message("x" * 50_000)]
    assert parts_that_fit(huge, budget=1_000) == 1


def test_multibyte_and_escaped_text_counts_for_more() -> None:
    ascii_line = estimated_line_bytes(message("a" * 30))
    chinese_line = estimated_line_bytes(message("流" * 30))
    assert chinese_line > ascii_line
