"""Accepting an event: store it and its fan-out (one delivery per webhook that wants it) in
the caller's transaction, so that a 2xx answer means nothing can be lost any more."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.events import Event
from hookcast.routing import route
from hookcast.services.projects import split_patterns
from hookcast.services.webhooks import rules_of
from hookcast.store.tables import Delivery, EventRow, Project, Webhook

NOTIFY_CHANNEL = "hookcast_deliveries"
IGNORED_KIND = "ignored"


@dataclass(frozen=True, slots=True)
class Accepted:
    event_id: int
    duplicate: bool
    deliveries: int


async def accept(
    session: AsyncSession, project: Project, event: Event, idempotency_key: str | None
) -> Accepted:
    webhooks = (await session.scalars(select(Webhook).where(Webhook.project_id == project.id))).all()
    chosen = route(event, [(w, rules_of(w)) for w in webhooks], split_patterns(project.protected_branches))
    stored = await _insert_event(
        session,
        project.id,
        idempotency_key,
        source=event.source,
        kind=event.kind.value,
        action=event.action,
        payload=event.model_dump(mode="json", exclude_defaults=True),
    )
    if stored.duplicate or not chosen:
        return stored
    now = utcnow()
    await session.execute(
        insert(Delivery),
        [
            {
                "event_id": stored.event_id,
                "webhook_id": webhook.id,
                "project_id": project.id,
                "idempotency_key": uuid.uuid4().hex,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for webhook in chosen
        ],
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
    return Accepted(stored.event_id, duplicate=False, deliveries=len(chosen))


async def record_ignored(
    session: AsyncSession, project: Project, reason: str, idempotency_key: str | None, source: str
) -> Accepted:
    """Keep a trace of a well-formed request that hookcast does not notify about."""
    return await _insert_event(
        session,
        project.id,
        idempotency_key,
        source=source,
        kind=IGNORED_KIND,
        action="",
        payload={"reason": reason},
    )


async def _insert_event(
    session: AsyncSession,
    project_id: int,
    idempotency_key: str | None,
    *,
    source: str,
    kind: str,
    action: str,
    payload: dict[str, Any],
) -> Accepted:
    key = idempotency_key or f"auto:{uuid.uuid4().hex}"
    values = {
        "project_id": project_id,
        "idempotency_key": key[:200],
        "source": source,
        "kind": kind,
        "action": action[:64],
        "event": payload,
        "received_at": utcnow(),
    }
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        dialect_insert(EventRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["project_id", "idempotency_key"])
        .returning(EventRow.id)
    )
    event_id = await session.scalar(statement)
    if event_id is not None:
        return Accepted(event_id, duplicate=False, deliveries=0)
    existing = await session.scalar(
        select(EventRow.id).where(
            EventRow.project_id == project_id, EventRow.idempotency_key == values["idempotency_key"]
        )
    )
    assert existing is not None
    return Accepted(existing, duplicate=True, deliveries=0)
