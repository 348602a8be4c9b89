"""Claiming due rows under a lease: the one primitive every queue in hookcast uses — the
deliveries, and the Feishu bot's events and messages.

A row is due when it waits (``pending``) and its ``next_attempt_at`` has come, or when it is being
worked on and its lease ran out (its worker died). Claiming switches it to the working state with
a new lease in one ``UPDATE … RETURNING``; on PostgreSQL the chosen rows are locked with ``FOR
UPDATE SKIP LOCKED``, so several processes share a table without waiting for each other. Whoever
finishes a row clears its lease (`settle`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    Table,
    Update,
    and_,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.store.feishu_chats import FeishuBotEvent, FeishuBotMessage
from hookcast.store.tables import Delivery, UTCDateTime

Leased = type[Delivery] | type[FeishuBotEvent] | type[FeishuBotMessage]

# A claim statement's parameters, bound when it runs: built once, a statement is compiled once
# and its cache key computed once (building and keying it per claim was a tenth of the CPU a
# delivery cost at a low rate).
NOW = bindparam("now", type_=UTCDateTime())
LEASE_UNTIL = bindparam("lease_until", type_=UTCDateTime())
LIMIT = bindparam("limit", type_=Integer())


def due(
    table: Leased, *, now: datetime | BindParameter[datetime], waiting: str, working: str
) -> ColumnElement[bool]:
    return or_(
        and_(table.state == waiting, table.next_attempt_at <= now),
        and_(table.state == working, table.lease_until < now),
    )


def claim_statement(
    table: Leased,
    *,
    skip_locked: bool,
    waiting: str = "pending",
    working: str,
    returning: Sequence[Any] = (),
    order_by: Sequence[Any] = (),
    join: tuple[Any, Any] | None = None,
    where: Sequence[ColumnElement[bool]] = (),
    values: Mapping[str, Any] | None = None,
) -> Update:
    """The statement that claims up to ``limit`` due rows of ``table`` (oldest ``order_by``
    first, else by id) and returns them as ``returning`` (default: the id); run it with
    `run_claim`. ``join`` / ``where`` narrow the choice (the deliveries skip paused webhooks) and
    may use `NOW`; ``values`` are written along (a holder). It names the table, not the mapped
    class: run on the connection, it skips the ORM's bulk-update machinery (the claiming session
    holds none of these rows, so there is nothing to synchronise)."""
    rows = cast(Table, table.__table__)
    chosen = select(table.id)
    if join is not None:
        chosen = chosen.join(*join)
    chosen = (
        chosen.where(due(table, now=NOW, waiting=waiting, working=working), *where)
        .order_by(*(order_by or (table.id,)))
        .limit(LIMIT)
    )
    if skip_locked:
        chosen = chosen.with_for_update(skip_locked=True, of=table)
    return (
        update(rows)
        .where(rows.c.id.in_(chosen.scalar_subquery()))
        .values(state=working, lease_until=LEASE_UNTIL, updated_at=NOW, **(values or {}))
        .returning(*(returning or (rows.c.id,)))
    )


async def run_claim(
    session: AsyncSession,
    statement: Update,
    *,
    now: datetime,
    lease_until: datetime,
    limit: int,
    **params: Any,
) -> Sequence[Row[Any]]:
    """Run a `claim_statement` in the caller's transaction; ``params``: its own bound values."""
    connection = await session.connection()
    result = await connection.execute(
        statement, {"now": now, "lease_until": lease_until, "limit": limit, **params}
    )
    return result.all()


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
) -> Sequence[Row[Any]]:
    """Claim up to ``limit`` due rows of ``table``, oldest first, in the caller's transaction; the
    rows' ids. For the queues that need nothing more (the Feishu bot's)."""
    statement = _plain_claim(table, skip_locked, waiting, working)
    return await run_claim(session, statement, now=now, lease_until=lease_until, limit=limit)


@functools.cache  # a few tables and states: each statement built and keyed once
def _plain_claim(table: Leased, skip_locked: bool, waiting: str, working: str) -> Update:
    return claim_statement(table, skip_locked=skip_locked, waiting=waiting, working=working)


async def settle(
    session: AsyncSession, table: Leased, row_id: int, *, now: datetime, state: str, **values: Any
) -> None:
    """A claimed row is done with for now: its new ``state`` (and any other column), no lease."""
    await session.execute(
        update(table)
        .where(table.id == row_id)
        .values(state=state, lease_until=None, updated_at=now, **values)
    )
