"""A platform's suggested wait is bounded, whatever it says (platforms/base.py, shared.py)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from hookcast.delivery.policy import after_attempt
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import MAX_SUGGESTED_WAIT_SECONDS, HttpResponse, RetryAfter
from hookcast.platforms.shared import retry_after

HOSTILE = ["1e12", "inf", "Infinity", "nan", "-5", "1e400", "９", "0x10", "", "  7  "]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_every_platform_bounds_a_hostile_retry_after(name: str, value: str) -> None:
    platform = PLATFORMS[name]  # type: ignore[index]
    outcome = platform.classify(HttpResponse(429, {"retry-after": value}, b""))
    assert isinstance(outcome, RetryAfter)
    if outcome.seconds is not None:
        assert math.isfinite(outcome.seconds)
        assert 0 <= outcome.seconds <= MAX_SUGGESTED_WAIT_SECONDS


@pytest.mark.parametrize("seconds", [1e12, math.inf, -3.0, math.nan, 1e308])
def test_the_schedule_survives_any_suggested_wait(seconds: float) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    step = after_attempt(RetryAfter("too fast", seconds, throttled=True), 1, (0, 1, 2), now)
    assert step.next_attempt_at is not None
    assert step.next_attempt_at <= now + timedelta(seconds=MAX_SUGGESTED_WAIT_SECONDS * 1.25)


def test_a_date_is_counted_from_the_answers_own_date() -> None:
    headers = {"retry-after": "Wed, 21 Oct 2026 07:28:30 GMT", "date": "Wed, 21 Oct 2026 07:28:00 GMT"}
    assert retry_after(headers) == 30
    assert retry_after({"retry-after": "Wed, 21 Oct 2026 07:28:30 GMT"}) is None  # no Date: unknown
    past = {"retry-after": "Wed, 21 Oct 2026 07:27:00 GMT", "date": "Wed, 21 Oct 2026 07:28:00 GMT"}
    assert retry_after(past) == 0
    assert retry_after({"retry-after": "soon", "date": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
