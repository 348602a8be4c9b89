"""Waking workers at once on new work. In the process that accepted it the intake queue calls
the worker directly; across processes (PostgreSQL) intake's commit sends ``NOTIFY`` and every
worker keeps a ``LISTEN`` connection. Workers also poll, so a lost wake-up only costs latency."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast.store.outbox import NOTIFY_CHANNEL

log = structlog.get_logger("hookcast.delivery")


async def listen_forever(engine: AsyncEngine, wake: Callable[[], None], *, retry_after: float) -> None:
    """PostgreSQL: call ``wake`` on each ``NOTIFY`` from any process; reconnect if the link drops."""
    while True:
        try:
            async with engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver: Any = raw.driver_connection
                lost = asyncio.Event()
                driver.add_termination_listener(lambda *_, lost=lost: lost.set())
                await driver.add_listener(NOTIFY_CHANNEL, lambda *_: wake())
                wake()  # anything committed while not listening
                await lost.wait()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("LISTEN connection lost; polling until it is back", exc_info=True)
            await asyncio.sleep(retry_after)
