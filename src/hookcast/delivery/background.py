"""The worker's chores: keeping the leases of what it holds, pruning old deliveries, and sending
the review reminders that are due."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.delivery.leases import HeldLeases
from hookcast.delivery.retention import prune, retention_days
from hookcast.services.review_reminders import send_due

log = structlog.get_logger("hookcast.delivery")

RETENTION_EVERY = 600.0
REMINDERS_EVERY = 30.0


async def renew_leases_forever(leases: HeldLeases) -> None:
    """Keep the leases of what this worker holds (waiting in a lane for a rate-limit slot, or
    being sent), so that no other worker takes it over while this one is alive. A row another
    worker took over meanwhile is not renewed (and not sent: `HeldLeases.still_ours`)."""
    while True:
        await asyncio.sleep(leases.length.total_seconds() / 3)
        ids = sorted(leases.held())
        if not ids:
            continue
        try:
            await leases.renew(ids)
        except Exception:
            log.exception("renewing leases failed")


async def prune_forever(sessions: async_sessionmaker[AsyncSession], default_days: float) -> None:
    """Every ``RETENTION_EVERY`` seconds, delete delivered rows past the retention period."""
    while True:
        await asyncio.sleep(RETENTION_EVERY)
        try:
            async with sessions.begin() as session:
                days = await retention_days(session, default_days)
                removed = await prune(session, days, utcnow())
            if removed:
                log.info("retention: pruned delivered rows", deliveries=removed)
        except Exception:
            log.exception("retention pass failed")


async def remind_forever(sessions: async_sessionmaker[AsyncSession], wake: Callable[[], None]) -> None:
    """Every ``REMINDERS_EVERY`` seconds, enqueue the review reminders that are due (each
    scheduled instant once, whatever the number of workers: `services/review_reminders.py`),
    then wake the worker to send them."""
    while True:
        await asyncio.sleep(REMINDERS_EVERY)
        try:
            async with sessions.begin() as session:
                reminded = await send_due(session, utcnow())
            sent = sum(r.deliveries for r in reminded)
            if sent:
                log.info("review reminders enqueued", webhooks=len(reminded), deliveries=sent)
                wake()
        except Exception:
            log.exception("review reminder pass failed")
