"""When to merge waiting messages into one digest, and how many. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from hookcast.messages.model import Message

MAX_PARTS = 30
# Escaping (HTML entities, backslashes) and link markup make a line longer than its text.
ESCAPE_FACTOR = 1.4
LINE_OVERHEAD = 48


# A window at least this long is worth saving the last slots of: a shorter one frees them soon.
LONG_WINDOW_SECONDS = 10.0
# Of a long window, the last quarter of its slots (at least one) carry digests only.
RESERVE_DIVISOR = 4


def reserved_slots(count: int) -> int:
    """How many of a long window's ``count`` slots are kept for digests: a burst bigger than the
    window spends the others as single messages, and these carry the rest of it, in the same
    window, instead of leaving it for the next one."""
    return max(1, count // RESERVE_DIVISOR)


def should_merge(waiting: int, remaining_slots: int) -> bool:
    """Merge when more messages wait than the bot may be sent right now (this one included)."""
    return waiting > 1 and waiting > remaining_slots + 1


def estimated_line_bytes(message: Message) -> int:
    text = message.summary or message.title
    return int(len(text.encode()) * ESCAPE_FACTOR) + len((message.url or "").encode()) + LINE_OVERHEAD


def parts_that_fit(messages: Sequence[Message], budget: int) -> int:
    """How many of ``messages`` (oldest first) a digest can carry within ``budget`` bytes; at least 1."""
    used = 0
    for count, message in enumerate(messages[:MAX_PARTS], start=1):
        used += estimated_line_bytes(message)
        if used > budget:
            return max(1, count - 1)
    return min(len(messages), MAX_PARTS)
