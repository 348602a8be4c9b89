"""Pruning delivered deliveries (and their attempts) after the retention period, and silenced ones
(muted on purpose: they were handled as asked, like delivered ones). Dead, failed and set-aside
ones are kept: they are what someone may still want to look at and resend."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.store.outbox import State
from hookcast.store.tables import Attempt, Delivery, EventRow, InstanceSetting

BATCH = 5000
# The instance setting (web UI > Settings) that overrides HOOKCAST_RETENTION_DAYS.
RETENTION_KEY = "retention_days"


async def retention_days(session: AsyncSession, default: float) -> float:
    """The retention period in force: the instance setting when set, else ``default``."""
    value = await session.scalar(select(InstanceSetting.value).where(InstanceSetting.key == RETENTION_KEY))
    try:
        return float(value) if value else default
    except ValueError:
        return default


async def prune(session: AsyncSession, retention_days: float, now: datetime) -> int:
    """Delete delivered and silenced rows older than ``retention_days`` and events left without
    deliveries."""
    cutoff = now - timedelta(days=retention_days)
    old = (
        select(Delivery.id)
        .where(Delivery.state.in_((State.DELIVERED, State.SILENCED)), Delivery.updated_at < cutoff)
        .limit(BATCH)
        .scalar_subquery()
    )
    ids = list(await session.scalars(select(Delivery.id).where(Delivery.id.in_(old))))
    if ids:
        await session.execute(delete(Attempt).where(Attempt.delivery_id.in_(ids)))
        await session.execute(delete(Delivery).where(Delivery.id.in_(ids)))
    await session.execute(
        delete(EventRow).where(
            EventRow.received_at < cutoff,
            ~exists().where(Delivery.event_id == EventRow.id),
        )
    )
    return len(ids)
