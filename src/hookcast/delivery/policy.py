"""What happens after an attempt: the retry schedule and the pausing of failing webhooks. Pure."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from hookcast.platforms.base import Delivered, Outcome, Permanent
from hookcast.store.outbox.states import State

JITTER = 0.2
PAUSE_AFTER_FAILURES = 4
PAUSE_FIRST = timedelta(minutes=1)
PAUSE_LONGEST = timedelta(days=1)
PAUSE_INDEFINITELY = timedelta(days=365 * 100)
# The reason a webhook paused after failures carries (in English, for the API and the logs); the
# web UI reads it back with ``pause_reason_parts`` to say it in the reader's language.
FAILURES_REASON = "{failures} failures in a row; last: {reason}"
_FAILURES_PATTERN = re.compile(r"(?P<failures>\d+) failures in a row; last: (?P<reason>.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Step:
    state: State
    next_attempt_at: datetime | None
    error: str | None


def after_attempt(
    outcome: Outcome,
    attempts_done: int,
    schedule: Sequence[float],
    now: datetime,
    rng: Callable[[], float] = random.random,
) -> Step:
    """The delivery's next state once its ``attempts_done``-th attempt ended with ``outcome``.

    ``schedule[i]`` is the delay before attempt ``i + 1`` (``schedule[0]`` is the first send); once
    the schedule is used up the delivery is dead. A platform's own "retry after" is a floor.
    """
    if isinstance(outcome, Delivered):
        return Step(State.DELIVERED, None, None)
    if isinstance(outcome, Permanent):
        return Step(State.FAILED, None, outcome.reason)
    if attempts_done >= len(schedule):
        return Step(State.DEAD, None, outcome.reason)
    delay = schedule[attempts_done] * (1 + JITTER * (2 * rng() - 1))
    if outcome.seconds is not None:
        delay = max(delay, outcome.seconds)
    return Step(State.PENDING, now + timedelta(seconds=delay), outcome.reason)


@dataclass(frozen=True, slots=True)
class Pause:
    until: datetime
    reason: str


def pause_for(outcome: Outcome, consecutive_failures: int, now: datetime) -> Pause | None:
    """Whether a webhook is to be paused after ``consecutive_failures`` failures in a row
    (this outcome included), like GitLab's auto-disabling of failing hooks."""
    if isinstance(outcome, Permanent) and outcome.pause:
        return Pause(now + PAUSE_INDEFINITELY, outcome.reason)
    if isinstance(outcome, Delivered) or consecutive_failures < PAUSE_AFTER_FAILURES:
        return None
    doublings = min(consecutive_failures - PAUSE_AFTER_FAILURES, 20)
    backoff = min(PAUSE_FIRST * (2**doublings), PAUSE_LONGEST)
    return Pause(now + backoff, FAILURES_REASON.format(failures=consecutive_failures, reason=outcome.reason))


def pause_reason_parts(reason: str) -> tuple[str, dict[str, object]] | None:
    """``(FAILURES_REASON, {"failures": 4, "reason": "..."})`` for a reason made by
    :func:`pause_for` after failures; None for any other reason."""
    found = _FAILURES_PATTERN.fullmatch(reason)
    if found is None:
        return None
    return FAILURES_REASON, {"failures": int(found["failures"]), "reason": found["reason"]}
