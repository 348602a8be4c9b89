"""How attempt outcomes are named in /metrics and in the attempt records."""

from __future__ import annotations

from datetime import UTC, datetime

from hookcast.delivery.policy import after_attempt
from hookcast.platforms.base import Delivered, Permanent, RetryAfter, Unreachable
from hookcast.store.outbox import State, outcome_label


def test_outcomes_are_lower_snake_and_a_refused_connection_is_no_rate_limit() -> None:
    assert outcome_label(Delivered()) == "delivered"
    assert outcome_label(RetryAfter("HTTP 503", seconds=2)) == "retry_after"
    assert outcome_label(RetryAfter("too fast", throttled=True)) == "retry_after"
    assert outcome_label(Permanent("HTTP 404", pause=True)) == "permanent"
    assert outcome_label(Unreachable("Cannot connect to host")) == "connection_error"


def test_an_unreachable_endpoint_is_retried_like_any_passing_failure() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    step = after_attempt(Unreachable("refused"), 1, (0, 10), now, rng=lambda: 0.5)
    assert step.state is State.PENDING and step.error == "refused"
    assert step.next_attempt_at is not None and (step.next_attempt_at - now).total_seconds() == 10
