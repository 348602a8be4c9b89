"""Sending review reminders when they are due: each active webhook with a reminder
(`services/reminder_options.py`) whose scheduled instant (`reminders.latest_instant`) has come,
and was not handled yet, gets one reminder event and its deliveries, through the outbox.

Each scheduled instant is handled once, whatever the number of workers and passes: a
conditional update moves ``webhooks.reminded_at`` to the instant, and only the pass whose update
took the row goes on (in the same transaction as what it enqueues, so a failure hands the
instant to the next pass). The event's idempotency key (``reminder:<webhook>:<instant>``, one
per reviewer for direct messages) makes a second copy impossible on top of that (the events
table is unique per project and key).

An instant more than `LATE_AT_MOST` ago is not sent (after a week without a worker only the
newest one can be, and only within the hour). Nothing is sent when nothing waits. Reminders are
not held by quiet hours: their time is one the webhook chose. A paused webhook keeps them
waiting like any other delivery.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.events import Event, ProjectRef
from hookcast.reminders import (
    REMINDER_SOURCE,
    OpenMergeRequest,
    Recipients,
    Schedule,
    by_reviewer,
    latest_instant,
    person_key,
    reminder_event,
    waiting,
)
from hookcast.services import merge_requests, reminder_options
from hookcast.store import outbox
from hookcast.store.tables import EventRow, Project, Webhook

LATE_AT_MOST = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Reminded:
    """One webhook's reminder at ``instant``: the events stored and the deliveries enqueued (none
    when nothing waited)."""

    webhook_id: int
    instant: datetime
    events: dict[int, Event]
    deliveries: int


def reminder_key(webhook_id: int, instant: datetime, reviewer: str | None = None) -> str:
    key = f"reminder:{webhook_id}:{instant.isoformat()}"
    if reviewer is None:
        return key
    return f"{key}:{hashlib.sha256(reviewer.encode()).hexdigest()[:24]}"


async def send_due(session: AsyncSession, now: datetime) -> list[Reminded]:
    """Handle every reminder due at ``now`` (the caller's clock) in the caller's transaction."""
    await merge_requests.forget_closed(session, now)
    active = Webhook.active.is_(True)
    hooks = await session.scalars(
        select(Webhook).where(active, Webhook.review_reminders.is_not(None)).order_by(Webhook.id)
    )
    done: list[Reminded] = []
    known: dict[int, list[OpenMergeRequest]] = {}  # per project, read once per pass
    for webhook in hooks.all():
        schedule = reminder_options.effective(webhook.review_reminders)
        if schedule is None:
            continue
        instant = latest_instant(schedule, now)
        if instant is None or now - instant > LATE_AT_MOST:
            continue
        if webhook.reminded_at is not None and webhook.reminded_at >= instant:
            continue
        if not await _take(session, webhook.id, instant):
            continue  # another pass (another worker) has it
        if webhook.project_id not in known:
            known[webhook.project_id] = await merge_requests.open_requests(session, webhook.project_id)
        events, rows = await _reminders(session, webhook, known[webhook.project_id], schedule, instant, now)
        await outbox.enqueue(session, rows)
        done.append(Reminded(webhook.id, instant, events, len(rows)))
    return done


async def _reminders(
    session: AsyncSession,
    webhook: Webhook,
    known: list[OpenMergeRequest],
    schedule: Schedule,
    instant: datetime,
    now: datetime,
) -> tuple[dict[int, Event], list[dict[str, Any]]]:
    """The webhook's reminder events at ``instant`` (stored) and their deliveries (to enqueue),
    from the project's ``known`` open merge requests."""
    requests = waiting(known, drafts=schedule.drafts)
    if not requests:
        return {}, []
    project = await session.get(Project, webhook.project_id)
    ref = _project_ref(project.name if project is not None else "", requests)
    if schedule.to is Recipients.GROUP:
        lists: list[tuple[str | None, dict[str, Any] | None, Event]] = [
            (None, None, reminder_event(ref, requests, instant))
        ]
    else:
        lists = [
            (
                person_key(person),
                person.model_dump(mode="json", exclude_defaults=True),
                reminder_event(ref, theirs, instant, to=person),
            )
            for person, theirs in by_reviewer(requests)
        ]
    events: dict[int, Event] = {}
    rows: list[dict[str, Any]] = []
    for reviewer, recipient, event in lists:
        key = reminder_key(webhook.id, instant, reviewer)
        event_id = await _insert_event(session, webhook.project_id, key, event, now)
        if event_id is None:
            continue  # stored already
        events[event_id] = event
        rows.append(
            outbox.new_delivery(
                event_id=event_id,
                webhook_id=webhook.id,
                project_id=webhook.project_id,
                now=now,
                channel=outbox.Channel.GROUP if recipient is None else outbox.Channel.DIRECT,
                recipient=recipient,
            )
        )
    return events, rows


async def _take(session: AsyncSession, webhook_id: int, instant: datetime) -> bool:
    """Mark ``instant`` handled for the webhook, unless a pass did already: whether this one did."""
    result = await session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, or_(Webhook.reminded_at.is_(None), Webhook.reminded_at < instant))
        .values(reminded_at=instant)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _project_ref(name: str, requests: list[OpenMergeRequest]) -> ProjectRef:
    paths = {r.gitlab_path for r in requests}
    return ProjectRef(name=name, path_with_namespace=paths.pop() if len(paths) == 1 else "")


async def _insert_event(
    session: AsyncSession, project_id: int, key: str, event: Event, now: datetime
) -> int | None:
    """Store the reminder; None when one with its key is stored already."""
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        dialect_insert(EventRow)
        .values(
            project_id=project_id,
            idempotency_key=key,
            source=REMINDER_SOURCE,
            kind=event.kind.value,
            action=event.action,
            event=event.model_dump(mode="json", exclude_unset=True),
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["project_id", "idempotency_key"])
        .returning(EventRow.id)
    )
    return (await session.execute(statement)).scalar()
