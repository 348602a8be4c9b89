"""The words of a delivery's life: its states, its channels, the outcome labels of its attempts
and the PostgreSQL channel that announces new ones."""

from __future__ import annotations

from enum import StrEnum

from hookcast.platforms.base import Delivered, Outcome, Permanent, Unreachable

# Intake commits ``NOTIFY`` on it; workers ``LISTEN`` (PostgreSQL only).
NOTIFY_CHANNEL = "hookcast_deliveries"


class State(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"  # a permanent answer: retrying would not help
    DEAD = "dead"  # retries exhausted
    SKIPPED = "skipped"  # set aside at birth: its webhook was paused with a full backlog (backlog.py)
    SILENCED = "silenced"  # born under a silence (``silence_id``): recorded, never sent unless resent


class Channel(StrEnum):
    """How a delivery reaches its chat: the webhook's group bot, or one person through the
    platform's IM app (``recipient``)."""

    GROUP = "group"
    DIRECT = "direct"


def outcome_label(outcome: Outcome) -> str:
    """The outcome's name in metrics and attempt records: ``delivered``, ``retry_after`` (the
    platform said "later", or answered with a passing error), ``connection_error`` (no answer at
    all) or ``permanent``."""
    if isinstance(outcome, Delivered):
        return "delivered"
    if isinstance(outcome, Unreachable):
        return "connection_error"
    if isinstance(outcome, Permanent):
        return "permanent"
    return "retry_after"
