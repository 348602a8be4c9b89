"""Review reminders (`hookcast.reminders`): "3 merge requests wait for review", a line per merge
request with its author, its age at the scheduled time, who it waits on and its approvals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from hookcast.events import Event, Item
from hookcast.messages.common import compose, first_line, link_or_text, tidy
from hookcast.messages.i18n import Translator
from hookcast.messages.model import Line, Mention, Message, Segment, Text


def age(since: datetime | None, at: datetime | None, t: Translator) -> str:
    """How long a merge request has been open at ``at``: "3 hours", "2 days" ("" unknown)."""
    if since is None or at is None:
        return ""
    hours = max(int((at - since).total_seconds() // 3600), 0)
    if hours < 1:
        return t.gettext("less than an hour")
    if hours < 48:
        return t.nformat("{n} hour", "{n} hours", hours)
    return t.nformat("{n} day", "{n} days", hours // 24)


def _line(item: Item, at: datetime | None, t: Translator) -> Line:
    label = " ".join(part for part in (item.id or "", first_line(item.title)) if part)
    segments: list[Segment] = [Text("• "), link_or_text(label, item.url)]
    approvals = item.approvals or 0
    parts = [
        t.format("by {author}", author=item.author) if item.author else "",
        age(item.since, at, t),
        t.format("waiting on {people}", people=", ".join(n for n in item.waiting_on if n))
        if any(item.waiting_on)
        else "",
        t.nformat("{n} approval", "{n} approvals", approvals) if approvals else t.gettext("no approval yet"),
    ]
    segments.append(Text(" — " + tidy(" · ".join(p for p in parts if p))))
    return tuple(segments)


def render_review_reminder(event: Event, t: Translator, mentions: Sequence[Mention]) -> Message:
    count = max(event.total_items, len(event.items))
    title = t.nformat("{n} merge request waits for review", "{n} merge requests wait for review", count)
    lines = [_line(item, event.occurred_at, t) for item in event.items]
    hidden = count - len(event.items)
    if event.items and hidden > 0:
        lines.append((Text(t.nformat("and {n} more", "and {n} more", hidden)),))
    return compose(event, t, title=title, lines=lines, mentions=mentions)
