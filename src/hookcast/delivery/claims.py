"""Who holds which delivery, and taking back what a vanished worker held, without waiting for
its lease.

Every worker process has an identity: a row in ``delivery_workers`` that it refreshes every
``HEARTBEAT_EVERY`` seconds, and the ``claimed_by`` of each delivery it claims. A worker that
stops cleanly gives its unsent rows back itself (see ``shutdown``); one that crashed cannot, so
the others (or its own successor) give them back — ``pending``, due, attempt count unchanged —
as soon as it is known to be gone:

- at once on SQLite, when a worker starts: hookcast on SQLite is one process, so whoever held
  rows before was a previous run;
- at once when the holder ran on this machine, in this pid namespace, and its pid no longer
  exists (a crashed process restarted in place);
- otherwise when its heartbeat is older than ``STALE_AFTER`` seconds.

The lease (``HOOKCAST_LEASE_SECONDS``) stays as the last resort: rows claimed before this
existed, or by a worker whose heartbeats cannot be written.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.store.outbox import State, give_back
from hookcast.store.tables import Delivery, DeliveryWorker

log = structlog.get_logger("hookcast.delivery")

HEARTBEAT_EVERY = 2.0
STALE_AFTER = 10.0  # five missed heartbeats: gone, even when nothing else tells


@dataclass(frozen=True, slots=True)
class Place:
    """Where a worker process runs. Pids say anything only within one boot of one machine and
    one pid namespace (a container has its own), hence ``namespace``; "" when unknown."""

    host: str
    pid: int
    namespace: str


@dataclass(frozen=True, slots=True)
class Holder:
    """A worker as registered in ``delivery_workers``."""

    id: str
    place: Place
    heartbeat_at: datetime


def this_place() -> Place:
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = f"{boot}/{os.readlink('/proc/self/ns/pid')}"
    except OSError:
        namespace = ""  # not Linux: heartbeats alone tell
    return Place(socket.gethostname()[:255], os.getpid(), namespace)


def pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def gone(
    holders: Iterable[Holder],
    me: str,
    here: Place,
    now: datetime,
    *,
    everyone_else: bool = False,
    alive: Callable[[int], bool] = pid_exists,
) -> list[str]:
    """The ids of the workers that are gone (never ``me``). ``everyone_else``: the caller knows it
    is the only worker there can be (SQLite, at start)."""
    stale = now - timedelta(seconds=STALE_AFTER)
    found = []
    for holder in holders:
        if holder.id == me:
            continue
        if (
            everyone_else
            or holder.heartbeat_at < stale
            or (
                here.namespace
                and holder.place.namespace == here.namespace
                and holder.place.host == here.host
                and holder.place.pid != here.pid
                and not alive(holder.place.pid)
            )
        ):
            found.append(holder.id)
    return found


class Presence:
    """This worker's registration, heartbeat and take-overs."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        sole_worker: bool,
        skip_locked: bool,
        place: Place | None = None,
    ) -> None:
        """``sole_worker``: no other worker can be running (SQLite); ``skip_locked``: the database
        can skip rows another transaction holds (PostgreSQL)."""
        self.id = uuid.uuid4().hex
        self._sessions = sessions
        self._sole_worker = sole_worker
        self._skip_locked = skip_locked
        self._place = place or this_place()

    async def register(self) -> int:
        """Appear in ``delivery_workers``, and take back what departed workers held. Returns how
        many deliveries were given back."""
        now = utcnow()
        async with self._sessions.begin() as session:
            session.add(self._row(now))
        return await self.take_over(everyone_else=self._sole_worker)

    async def beat(self) -> int:
        """Refresh the heartbeat, then take back what departed workers held."""
        now = utcnow()
        async with self._sessions.begin() as session:
            found = await session.execute(
                update(DeliveryWorker).where(DeliveryWorker.id == self.id).values(heartbeat_at=now)
            )
            if found.rowcount == 0:  # type: ignore[attr-defined]
                # Another worker thought this one gone (a long stall) and gave its rows back: they
                # may go out twice. Carry on under the same name.
                log.warning("this worker was taken for gone; registering again", worker=self.id)
                session.add(self._row(now))
        return await self.take_over()

    async def beat_forever(self, on_given_back: Callable[[], None]) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY)
            try:
                if await self.beat():
                    on_given_back()
            except Exception:
                log.exception("worker heartbeat failed")

    async def take_over(self, *, everyone_else: bool = False) -> int:
        now = utcnow()
        async with self._sessions.begin() as session:
            holders = [
                Holder(row.id, Place(row.host, row.pid, row.pid_namespace), row.heartbeat_at)
                for row in await session.scalars(select(DeliveryWorker))
            ]
            departed = gone(holders, self.id, self._place, now, everyone_else=everyone_else)
            given_back = 0
            if departed:
                given_back = await self._give_back(session, held_by=departed, now=now)
                await session.execute(delete(DeliveryWorker).where(DeliveryWorker.id.in_(departed)))
            if everyone_else:  # rows claimed before workers had names, by a previous run
                given_back += await self._give_back(session, held_by=None, now=now)
        if given_back:
            log.warning("took back deliveries of departed workers", deliveries=given_back, workers=departed)
        return given_back

    async def give_back_mine(self) -> int:
        """Everything this worker claimed and has not recorded goes back in the queue, untouched."""
        async with self._sessions.begin() as session:
            return await self._give_back(session, held_by=[self.id], now=utcnow())

    async def leave(self) -> None:
        async with self._sessions.begin() as session:
            await session.execute(delete(DeliveryWorker).where(DeliveryWorker.id == self.id))

    async def _give_back(self, session: AsyncSession, *, held_by: list[str] | None, now: datetime) -> int:
        """``held_by`` None: rows that name no holder."""
        owner = Delivery.claimed_by.is_(None) if held_by is None else Delivery.claimed_by.in_(held_by)
        rows = select(Delivery.id).where(Delivery.state == State.SENDING, owner)
        if self._skip_locked:
            rows = rows.with_for_update(skip_locked=True)  # a row being recorded right now is left
        result = await session.execute(give_back(Delivery.id.in_(rows.scalar_subquery()), now))
        count: int = result.rowcount  # type: ignore[attr-defined]
        return count

    def _row(self, now: datetime) -> DeliveryWorker:
        return DeliveryWorker(
            id=self.id,
            host=self._place.host,
            pid=self._place.pid,
            pid_namespace=self._place.namespace,
            started_at=now,
            heartbeat_at=now,
        )
