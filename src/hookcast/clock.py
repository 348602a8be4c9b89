"""One place for 'now', so that tests and the worker agree on time zones."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
