"""Pausing and resuming a webhook: the one place that writes ``paused_until``.

A paused webhook's deliveries are not claimed until the pause ends (`claimable`); the delivery
policy pauses a failing one, the Feishu assistant pauses webhooks whose chat went away, and people
resume them (a resend, a new URL, re-enabling it). A success resumes it too (`resume_recovered`).
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import datetime
from typing import cast

from sqlalchemy import BindParameter, ColumnElement, Table, Update, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.store.tables import Webhook


def is_paused(webhook: Webhook | None, now: datetime) -> bool:
    return webhook is not None and webhook.paused_until is not None and webhook.paused_until > now


async def still_paused(session: AsyncSession, webhook_ids: Collection[int], now: datetime) -> set[int]:
    """Those of ``webhook_ids`` paused now, as the database says (not a cached copy)."""
    rows = await session.scalars(
        select(Webhook.id).where(Webhook.id.in_(webhook_ids), Webhook.paused_until > now)
    )
    return set(rows)


def claimable(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """The SQL condition "this webhook is not paused now"."""
    return or_(Webhook.paused_until.is_(None), Webhook.paused_until <= now)


def pause(webhook: Webhook, until: datetime, reason: str, now: datetime) -> None:
    """Hold the webhook's deliveries until ``until``, saying why (shown in the API and the UI).
    A pause or resume is a change of the webhook (``updated_at``): intake bounds a paused
    webhook's backlog, so other processes' caches of it must see it (`store.config_cache`)."""
    webhook.paused_until = until
    webhook.pause_reason = reason
    webhook.updated_at = now


def resume(webhook: Webhook, now: datetime) -> None:
    """Lift a pause and forget the failures: the next due delivery is tried at once. A webhook
    neither paused nor failing is left untouched (its ``updated_at`` moves only on a change:
    other processes' configuration caches watch it)."""
    if webhook.paused_until is None and webhook.pause_reason is None and not webhook.consecutive_failures:
        return
    webhook.paused_until = None
    webhook.pause_reason = None
    webhook.consecutive_failures = 0
    webhook.updated_at = now


@functools.cache  # a constant, built and keyed once: it runs after every batch of sends
def _resume_recovered() -> Update:
    table = cast(Table, Webhook.__table__)
    webhooks = table.c
    return (
        update(table)
        .where(
            webhooks.id.in_(bindparam("ids", expanding=True)),
            or_(webhooks.consecutive_failures != 0, webhooks.paused_until.is_not(None)),
        )
        .values(consecutive_failures=0, paused_until=None, pause_reason=None, updated_at=bindparam("now"))
    )


async def resume_recovered(session: AsyncSession, webhook_ids: Collection[int], now: datetime) -> None:
    """`resume` for the webhooks a delivery just reached, in one statement that only touches the
    rows that need it (the usual case is that none does). Run on the connection: the session's
    copies of these webhooks (if any) are not updated."""
    if not webhook_ids:
        return
    connection = await session.connection()
    await connection.execute(_resume_recovered(), {"ids": list(webhook_ids), "now": now})
