"""Claiming due rows under a lease: the one primitive every queue in hookcast uses — the
deliveries, and the Feishu bot's events and messages.

A row is due when it waits (``pending``) and its ``next_attempt_at`` has come, or when it is being
worked on and its lease ran out (its worker died). Claiming switches it to the working state with
a new lease in one ``UPDATE … RETURNING``; on PostgreSQL the chosen rows are locked with ``FOR
UPDATE SKIP LOCKED``, so several processes share a table without waiting for each other. Whoever
finishes a row clears its lease (`settle`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.store.feishu_chats import FeishuBotEvent, FeishuBotMessage
from hookcast.store.tables import Delivery

Leased = type[Delivery] | type[FeishuBotEvent] | type[FeishuBotMessage]


def due(table: Leased, *, now: datetime, waiting: str, working: str) -> ColumnElement[bool]:
    return or_(
        and_(table.state == waiting, table.next_attempt_at <= now),
        and_(table.state == working, table.lease_until < now),
    )


async def claim_due(
    session: AsyncSession,
    table: Leased,
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
    skip_locked: bool,
    waiting: str = "pending",
    working: str,
    returning: Sequence[Any] = (),
    order_by: Sequence[Any] = (),
    join: tuple[Any, Any] | None = None,
    where: Sequence[ColumnElement[bool]] = (),
    values: Mapping[str, Any] | None = None,
) -> Sequence[Row[Any]]:
    """Claim up to ``limit`` due rows of ``table`` (oldest ``order_by`` first, else by id) in the
    caller's transaction; the rows as ``returning`` (default: the id). ``join`` / ``where`` narrow
    the choice (the deliveries skip paused webhooks); ``values`` are written along (a holder)."""
    chosen = select(table.id)
    if join is not None:
        chosen = chosen.join(*join)
    chosen = (
        chosen.where(due(table, now=now, waiting=waiting, working=working), *where)
        .order_by(*(order_by or (table.id,)))
        .limit(limit)
    )
    if skip_locked:
        chosen = chosen.with_for_update(skip_locked=True, of=table)
    result = await session.execute(
        update(table)
        .where(table.id.in_(chosen.scalar_subquery()))
        .values(state=working, lease_until=lease_until, updated_at=now, **(values or {}))
        .returning(*(returning or (table.id,)))
        # The claiming session holds none of these rows: nothing to synchronise (and the
        # look-up SQLAlchemy would otherwise plan for it is a good part of a small claim's cost).
        .execution_options(synchronize_session=False)
    )
    return result.all()


async def settle(
    session: AsyncSession, table: Leased, row_id: int, *, now: datetime, state: str, **values: Any
) -> None:
    """A claimed row is done with for now: its new ``state`` (and any other column), no lease."""
    await session.execute(
        update(table)
        .where(table.id == row_id)
        .values(state=state, lease_until=None, updated_at=now, **values)
    )
