"""Delivery history and resending."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.services import projects, silences, webhooks
from hookcast.services.errors import Conflict, NotFound
from hookcast.store import outbox
from hookcast.store.outbox import State
from hookcast.store.tables import Attempt, Delivery, EventRow

MAX_PAGE = 500


class AttemptView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    outcome: str
    response_excerpt: str
    error: str | None
    request_url: str
    request_body: str


class DeliveryView(BaseModel):
    id: int
    event_id: int
    webhook_id: int
    project_id: int
    event_kind: str
    event_action: str
    event_title: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    held_until: datetime | None = Field(
        default=None,
        description="Born inside its webhook's quiet hours: held until then, and sent in one digest "
        "with the other messages they held.",
    )
    silence_id: int | None = Field(
        default=None,
        description="State 'silenced': the silence it was born under (never sent unless resent).",
    )
    silenced_by: str | None = Field(
        default=None,
        description="That silence's comment; empty when the silence was deleted since.",
    )
    created_at: datetime
    updated_at: datetime
    attempt_log: list[AttemptView]


async def list_for_project(
    session: AsyncSession,
    project_id: int,
    *,
    state: str | None = None,
    webhook_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[DeliveryView]:
    await projects.get(session, project_id)
    query = (
        select(Delivery, EventRow.kind, EventRow.action, EventRow.event)
        .join(EventRow, EventRow.id == Delivery.event_id)
        .where(Delivery.project_id == project_id)
        .order_by(Delivery.id.desc())
        .limit(max(1, min(limit, MAX_PAGE)))
    )
    if state:
        query = query.where(Delivery.state == State(state).value)
    if webhook_id is not None:
        query = query.where(Delivery.webhook_id == webhook_id)
    if before_id is not None:
        query = query.where(Delivery.id < before_id)
    rows = (await session.execute(query)).all()
    attempts = await _attempts_of(session, [row[0].id for row in rows])
    comments = await silences.comments_of(session, {row[0].silence_id for row in rows if row[0].silence_id})
    return [_view(row[0], row[1], row[2], row[3], attempts.get(row[0].id, []), comments) for row in rows]


async def get(session: AsyncSession, delivery_id: int) -> DeliveryView:
    row = (
        await session.execute(
            select(Delivery, EventRow.kind, EventRow.action, EventRow.event)
            .join(EventRow, EventRow.id == Delivery.event_id)
            .where(Delivery.id == delivery_id)
        )
    ).first()
    if row is None:
        raise NotFound("delivery {id} not found", id=delivery_id)
    attempts = await _attempts_of(session, [delivery_id])
    comments = await silences.comments_of(session, {row[0].silence_id} if row[0].silence_id else set())
    return _view(row[0], row[1], row[2], row[3], attempts.get(delivery_id, []), comments)


async def resend(session: AsyncSession, delivery_id: int) -> None:
    """Queue the delivery again now, whatever its state; its webhook is resumed if paused.

    Refused (`Conflict`) while a worker holds it: it is being sent, and its result is about to be
    recorded. Refusing is what the person can act on at once (wait a moment, look at the result,
    resend); a resend remembered for later would need a queue of its own and could still surprise
    whoever sees the first send succeed."""
    delivery = await session.get(Delivery, delivery_id)
    if delivery is None:
        raise NotFound("delivery {id} not found", id=delivery_id)
    if not await outbox.requeue(session, [Delivery.id == delivery_id], utcnow()):
        raise Conflict("delivery {id} is being sent right now; resend it once it is finished", id=delivery_id)
    outbox.resume(await webhooks.get(session, delivery.webhook_id), utcnow())


async def _attempts_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[AttemptView]]:
    if not ids:
        return {}
    rows = await session.scalars(select(Attempt).where(Attempt.delivery_id.in_(ids)).order_by(Attempt.id))
    grouped: dict[int, list[AttemptView]] = {}
    for attempt in rows:
        grouped.setdefault(attempt.delivery_id, []).append(AttemptView.model_validate(attempt))
    return grouped


def _view(
    delivery: Delivery,
    kind: str,
    action: str,
    event: dict[str, Any],
    attempts: list[AttemptView],
    comments: dict[int, str],
) -> DeliveryView:
    waiting = delivery.state in (State.PENDING, State.SENDING)
    return DeliveryView(
        id=delivery.id,
        event_id=delivery.event_id,
        webhook_id=delivery.webhook_id,
        project_id=delivery.project_id,
        event_kind=kind,
        event_action=action,
        event_title=str(event.get("title", "")),
        state=delivery.state,
        # Every attempt listed, resends included (the row's own counter restarts at a resend, for
        # the retry schedule).
        attempts=len(attempts),
        next_attempt_at=delivery.next_attempt_at if waiting else None,
        last_error=delivery.last_error,
        held_until=delivery.held_until,
        silence_id=delivery.silence_id,
        silenced_by=comments.get(delivery.silence_id, "") if delivery.silence_id else None,
        created_at=delivery.created_at,
        updated_at=delivery.updated_at,
        attempt_log=attempts,
    )


async def replay(
    session: AsyncSession,
    project_id: int,
    *,
    since: datetime,
    until: datetime | None = None,
    webhook_id: int | None = None,
) -> int:
    """Queue again every delivery of the project's events received in ``[since, until)``."""
    ids = await event_ids_in_range(session, project_id, since=since, until=until)
    return await requeue_events(session, project_id, ids, webhook_id=webhook_id)


async def event_ids_in_range(
    session: AsyncSession, project_id: int, *, since: datetime, until: datetime | None = None
) -> list[int]:
    await projects.get(session, project_id)
    query = select(EventRow.id).where(EventRow.project_id == project_id, EventRow.received_at >= since)
    if until is not None:
        query = query.where(EventRow.received_at < until)
    return list(await session.scalars(query.order_by(EventRow.id)))


async def requeue_events(
    session: AsyncSession, project_id: int, event_ids: Sequence[int], *, webhook_id: int | None = None
) -> int:
    """Queue the deliveries of these events again now (those a worker holds right now are left to
    it); their webhooks are resumed if paused."""
    if not event_ids:
        return 0
    chosen = [Delivery.project_id == project_id, Delivery.event_id.in_(event_ids)]
    if webhook_id is not None:
        chosen.append(Delivery.webhook_id == webhook_id)
    touched = await outbox.requeue(session, chosen, utcnow())
    for webhook in sorted(set(touched)):
        outbox.resume(await webhooks.get(session, webhook), utcnow())
    return len(touched)
