"""The recorder lets go of its rows before writing their results, not after: the write can make
a row due at once (a retry with no delay), and a claim that runs between the commit and the
recorder's next step (it gets the connection the commit frees) must not find the row still held
by this worker. Held, the claim would take it again without making a job of it (it is in no
lane any more), and it would sit `sending` until its lease ran out: seen under load as a push
that stayed "Sending" for a minute. On SQLite and PostgreSQL, with the real recorder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.delivery.jobs import Destination, Job, Result
from hookcast.delivery.recorder import Recorder
from hookcast.platforms import get_platform
from hookcast.platforms.base import Unreachable, WebhookTarget
from hookcast.sources.gitlab import parse_gitlab
from hookcast.store.db import create_engine, session_factory
from hookcast.store.outbox import State
from hookcast.store.tables import Delivery
from tests.fixtures import load_fixture
from tests.integration.helpers import held_deliveries

HOLDER = "this-worker"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], list[str]]]:
    """Sessions on a migrated database, and the order in which commits happened (``commit``)."""
    engine = create_engine(database_url)
    order: list[str] = []
    event.listen(engine.sync_engine, "commit", lambda _connection: order.append("commit"))
    try:
        yield session_factory(engine), order
    finally:
        await engine.dispose()


async def test_the_rows_are_let_go_before_the_write_that_makes_them_due(
    store: tuple[async_sessionmaker[AsyncSession], list[str]],
) -> None:
    sessions, order = store
    [delivery_id] = await held_deliveries(sessions, HOLDER, 1)
    async with sessions() as session:
        row = await session.get(Delivery, delivery_id)
        assert row is not None
        webhook_id, event_id = row.webhook_id, row.event_id
    pushed = parse_gitlab("Push Hook", load_fixture("docs/push.json"))
    job = Job(
        delivery_id=delivery_id,
        attempts=0,
        idempotency_key="k",
        event=pushed,  # type: ignore[arg-type]
        event_id=event_id,
        destination=Destination(
            webhook_id=webhook_id,
            platform=get_platform("feishu"),
            target=WebhookTarget(url="https://open.feishu.cn/open-apis/bot/v2/hook/x"),
            language="en",
            bot_key="bot",
        ),
    )
    let_go: list[int] = []

    def done(ids: object) -> None:
        let_go.extend(ids)  # type: ignore[call-overload]
        order.append("done")

    recorder = Recorder(
        sessions,
        holder=HOLDER,
        retry_schedule=(0, 0),  # the retry is due the moment the result is written
        poll_interval=1.0,
        paused=set(),
        done=done,
        wake=lambda: None,
    )
    order.clear()
    recorder.results.put_nowait(
        Result(
            job=job,
            outcome=Unreachable(reason="connection refused"),
            started_at=utcnow(),
            duration_ms=1,
            status_code=None,
            response_excerpt="",
            error="connection refused",
            request_url="https://open.feishu.cn/open-apis/bot/v2/hook/***",
            request_body="{}",
        )
    )
    recording = asyncio.create_task(recorder.record_forever())
    try:
        await asyncio.wait_for(recorder.results.join(), timeout=15)
    finally:
        recording.cancel()
        await asyncio.gather(recording, return_exceptions=True)

    assert let_go == [delivery_id]
    assert order[:2] == ["done", "commit"], "let go first, then the write that makes the row due"
    async with sessions() as session:
        state, attempts, holder = (
            await session.execute(
                select(Delivery.state, Delivery.attempts, Delivery.claimed_by).where(
                    Delivery.id == delivery_id
                )
            )
        ).one()
    assert (state, attempts, holder) == (State.PENDING, 1, None), "due again, held by nobody"
