"""Taking back what a departed worker held, on SQLite and PostgreSQL: the rows of a worker whose
heartbeat stopped, or whose pid is gone on this host, go back to ``pending`` (attempt count
unchanged, no lease, no holder); a live worker's rows stay with it."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.delivery.claims import STALE_AFTER, Place, Presence, this_place
from hookcast.store.tables import Delivery, DeliveryWorker
from tests.integration.helpers import held_deliveries

ELSEWHERE = Place("another-machine", 4242, "another-boot/pid:[1]")


@pytest.fixture
def sessions(store: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    return store


def presence(sessions: async_sessionmaker[AsyncSession], place: Place, *, sole: bool = False) -> Presence:
    skip_locked = sessions.kw["bind"].dialect.name == "postgresql"
    return Presence(sessions, sole_worker=sole, skip_locked=skip_locked, place=place)


async def claimed_rows(sessions: async_sessionmaker[AsyncSession], holder: str | None, count: int) -> None:
    """``count`` deliveries in ``sending``, held by ``holder``, each already tried twice."""
    await held_deliveries(sessions, holder, count, attempts=2)


async def rows_of(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, int, object, str | None]]:
    async with sessions() as session:
        found = await session.execute(
            select(Delivery.state, Delivery.attempts, Delivery.lease_until, Delivery.claimed_by).order_by(
                Delivery.id
            )
        )
        return [(row.state, row.attempts, row.lease_until, row.claimed_by) for row in found]


async def test_a_live_workers_rows_stay_and_a_silent_ones_come_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    silent = presence(sessions, ELSEWHERE)
    await silent.register()
    await claimed_rows(sessions, silent.id, 3)
    survivor = presence(sessions, this_place())

    assert await survivor.register() == 0, "a worker with a fresh heartbeat elsewhere is alive"
    assert {row[0] for row in await rows_of(sessions)} == {"sending"}

    async with sessions.begin() as session:
        await session.execute(
            update(DeliveryWorker)
            .where(DeliveryWorker.id == silent.id)
            .values(heartbeat_at=utcnow() - timedelta(seconds=STALE_AFTER + 1))
        )
    assert await survivor.beat() == 3
    assert await rows_of(sessions) == [("pending", 2, None, None)] * 3, "given back untouched"
    async with sessions() as session:
        assert list(await session.scalars(select(DeliveryWorker.id))) == [survivor.id]


async def test_a_dead_process_on_this_host_is_gone_at_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    finished = subprocess.Popen(["true"])
    finished.wait()
    here = this_place()
    crashed = presence(sessions, Place(here.host, finished.pid, here.namespace))
    await crashed.register()  # its heartbeat is fresh
    await claimed_rows(sessions, crashed.id, 2)

    assert await presence(sessions, here).register() == 2
    assert await rows_of(sessions) == [("pending", 2, None, None)] * 2


async def test_the_sole_worker_takes_back_everything_at_start(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    previous = presence(sessions, ELSEWHERE)
    await previous.register()
    await claimed_rows(sessions, previous.id, 2)
    await claimed_rows(sessions, None, 1)  # claimed before workers had names

    assert await presence(sessions, this_place(), sole=True).register() == 3
    assert await rows_of(sessions) == [("pending", 2, None, None)] * 3


async def test_a_stopping_worker_gives_back_only_its_own(sessions: async_sessionmaker[AsyncSession]) -> None:
    mine, other = presence(sessions, this_place()), presence(sessions, ELSEWHERE)
    await mine.register()
    await other.register()
    await claimed_rows(sessions, mine.id, 2)
    await claimed_rows(sessions, other.id, 1)

    assert await mine.give_back_mine() == 2
    await mine.leave()
    states = await rows_of(sessions)
    assert [row[0] for row in states] == ["pending", "pending", "sending"]
    async with sessions() as session:
        assert list(await session.scalars(select(DeliveryWorker.id))) == [other.id]
