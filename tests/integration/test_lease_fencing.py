"""A lease that runs out under a live worker (its loop blocked for longer than the lease) never
turns into a duplicate: a row this worker claims again is not queued twice, a row another worker
took over is not sent, and a late result does not overwrite its new holder's row. On SQLite and
PostgreSQL; the expiry is made by writing the lease, or by blocking the loop for a moment with
short leases, never by waiting for a real lease to run out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.store import outbox
from hookcast.store.outbox import AttemptRow, NextStep, State
from hookcast.store.tables import Attempt, Delivery
from tests.conftest import make_settings, running_client
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually, held_deliveries
from tests.markers import numbered_push, numbers_in

ANOTHER_WORKER = "another-host:4242:boot"


def markers(bot: FakeBot) -> list[int]:
    return numbers_in(body for _, body in bot.received)


def sessions_of(client: httpx.AsyncClient) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = client.app.state.runtime.sessions  # type: ignore[attr-defined]
    return sessions


async def post_push(client: httpx.AsyncClient, token: str, n: int) -> None:
    headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    answer = await client.post("/hooks/gitlab", json=numbered_push(n), headers=headers)
    assert answer.status_code == 202


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    async with sessions() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def two_claimed_behind_a_slow_send(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> tuple[FakeBot, async_sessionmaker[AsyncSession], Delivery, str]:
    """Two pushes for one bot whose first answer takes a while: the second waits in the lane,
    claimed. Returns the bot, the sessions, the waiting row and the project's token."""
    bot = fake.add_bot("feishu")
    bot.script(["slow:1.5"])
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    sessions = sessions_of(client)
    await post_push(client, token, 1)
    await eventually(lambda: bot.requests == 1, what="the first send under way")
    await post_push(client, token, 2)
    waiting: list[Delivery] = []

    async def claimed() -> bool:
        waiting[:] = [row for row in await rows(sessions) if row.state == State.SENDING][1:]
        return bool(waiting)

    await eventually_async(claimed, what="the second push claimed")
    assert bot.requests == 1, "the first send is still under way"
    return bot, sessions, waiting[0], token


async def eventually_async(
    check: Callable[[], Awaitable[bool]], timeout: float = 15.0, what: str = "condition"
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def all_delivered(sessions: async_sessionmaker[AsyncSession], count: int) -> bool:
    found = await rows(sessions)
    return len(found) == count and all(row.state == State.DELIVERED for row in found)


async def test_a_row_claimed_again_by_its_own_worker_is_sent_once(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    """The audit's case: the loop was blocked, the lease of a message waiting in a lane ran out,
    and the worker's own claim loop took the row again."""
    bot, sessions, waiting, _ = await two_claimed_behind_a_slow_send(client, fake)
    async with sessions.begin() as session:  # the lease ran out while the loop was blocked
        await session.execute(
            update(Delivery)
            .where(Delivery.id == waiting.id)
            .values(lease_until=utcnow() - timedelta(seconds=1))
        )

    async def claimed_again() -> bool:
        row = next(row for row in await rows(sessions) if row.id == waiting.id)
        return row.state != State.SENDING or (row.lease_until is not None and row.lease_until > utcnow())

    await eventually_async(claimed_again, what="the row claimed again")
    await eventually_async(lambda: all_delivered(sessions, 2), what="both deliveries recorded")
    assert sorted(markers(bot)) == [1, 2], "the push whose lease ran out was sent once"
    assert bot.requests == 2


@pytest.fixture
async def short_timeouts(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A delivery timeout of half a second, and leases as short as they may be (3.5 s: three
    timeouts and the margin), so that a loop blocked for 1.5 s leaves a lease too short for a send."""
    settings = make_settings(database_url, tmp_path, lease_seconds=0.5, delivery_timeout=0.5)
    async with running_client(settings) as http:
        yield http


async def test_a_row_another_worker_took_over_is_not_sent(
    short_timeouts: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    """While a push waits for the bot's rate limit (Slack: one a second), the loop is blocked for
    longer than its lease can spare and another worker claims the row: it is not sent here."""
    client = short_timeouts
    bot = fake.add_bot("slack")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="slack", url=bot.url, branches_to_be_notified="all")
    sessions = sessions_of(client)
    await post_push(client, token, 1)
    await eventually(lambda: markers(bot) == [1], what="the first push sent")
    await post_push(client, token, 2)

    async def second_claimed() -> bool:
        return sum(row.state == State.SENDING for row in await rows(sessions)) == 1

    await eventually_async(second_claimed, what="the second push claimed, waiting for its slot")
    waiting = next(row for row in await rows(sessions) if row.state == State.SENDING)
    async with sessions.begin() as session:  # another worker claimed it after the lease ran out
        await session.execute(
            update(Delivery)
            .where(Delivery.id == waiting.id)
            .values(claimed_by=ANOTHER_WORKER, lease_until=utcnow() + timedelta(minutes=10))
        )
    time.sleep(1.5)  # the loop is blocked (as by rendering a huge message): no renewal, no send
    await post_push(client, token, 3)  # queued behind it on the same lane: sent once the lane moved on

    async def third_delivered() -> bool:
        return sum(row.state == State.DELIVERED for row in await rows(sessions)) == 2

    await eventually_async(third_delivered, what="the first and third pushes recorded")
    assert markers(bot) == [1, 3], "the push another worker holds was not sent by this one"
    row = next(row for row in await rows(sessions) if row.id == waiting.id)
    assert (row.state, row.claimed_by, row.attempts) == (State.SENDING, ANOTHER_WORKER, 0), "and not written"


async def test_a_late_result_does_not_overwrite_the_new_holder(
    store: async_sessionmaker[AsyncSession],
) -> None:
    now = utcnow()
    ids = await _two_rows_held_by(store, "this-worker")
    async with store.begin() as session:  # the second was taken over after its lease ran out
        await session.execute(update(Delivery).where(Delivery.id == ids[1]).values(claimed_by=ANOTHER_WORKER))
    attempts = [
        AttemptRow(delivery_id, now, 5, 200, "delivered", "ok", None, "https://example.test/***", "{}")
        for delivery_id in ids
    ]
    steps = [NextStep(delivery_id, State.DELIVERED, 1, now, None) for delivery_id in ids]
    async with store.begin() as session:
        lost = await outbox.record(session, attempts, steps, now, holder="this-worker")
    assert lost == [ids[1]]
    async with store() as session:
        states = {row.id: row for row in await session.scalars(select(Delivery).where(Delivery.id.in_(ids)))}
        written = list(await session.scalars(select(Attempt.delivery_id).order_by(Attempt.delivery_id)))
    assert states[ids[0]].state == State.DELIVERED and states[ids[0]].claimed_by is None
    taken = states[ids[1]]
    assert (taken.state, taken.claimed_by, taken.attempts) == (State.SENDING, ANOTHER_WORKER, 0)
    assert written == ids, "both attempts happened, both are in the history"


async def test_renewal_skips_rows_another_worker_holds(store: async_sessionmaker[AsyncSession]) -> None:
    ids = await _two_rows_held_by(store, "this-worker")
    async with store.begin() as session:
        await session.execute(update(Delivery).where(Delivery.id == ids[1]).values(claimed_by=ANOTHER_WORKER))
    later = utcnow() + timedelta(minutes=5)
    async with store.begin() as session:
        renewed = await outbox.renew(session, ids, holder="this-worker", lease_until=later, skip_locked=False)
    assert renewed == [ids[0]]
    async with store() as session:
        other = await session.get(Delivery, ids[1])
    assert other is not None and other.lease_until is not None and other.lease_until < later


async def _two_rows_held_by(store: async_sessionmaker[AsyncSession], holder: str) -> list[int]:
    return await held_deliveries(store, holder, 2)
