"""Retention: delivered rows and their attempts are pruned after the period in force (the UI's
instance setting over HOOKCAST_RETENTION_DAYS); failed and dead ones are kept."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select, update

from hookcast.clock import utcnow
from hookcast.delivery.retention import RETENTION_KEY, prune, retention_days
from hookcast.settings import Settings
from hookcast.store.db import create_engine, session_factory
from hookcast.store.tables import Attempt, Delivery, EventRow, InstanceSetting
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, settled
from tests.markers import numbered_push


async def test_old_delivered_rows_go_and_failed_ones_stay(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    project_id, token = await create_project(client)
    async with FakePlatformServer() as chat:
        bot = chat.add_bot("feishu")
        await create_webhook(
            client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all"
        )
        headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
        for n in range(3):
            assert (
                await client.post("/hooks/gitlab", json=numbered_push(n), headers=headers)
            ).status_code == 202
        rows = await settled(client, project_id, count=3)
    kept = max(int(row["id"]) for row in rows)
    muted = min(int(row["id"]) for row in rows)  # silenced rows go like delivered ones
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    try:
        async with sessions.begin() as session:
            long_ago = utcnow() - timedelta(days=40)
            await session.execute(update(Delivery).values(updated_at=long_ago))
            await session.execute(update(Delivery).where(Delivery.id == kept).values(state="failed"))
            await session.execute(update(Delivery).where(Delivery.id == muted).values(state="silenced"))
            await session.execute(update(EventRow).values(received_at=long_ago))
            assert await retention_days(session, 30) == 30
            session.add(InstanceSetting(key=RETENTION_KEY, value="60"))
        async with sessions.begin() as session:
            days = await retention_days(session, 30)
            assert days == 60, "the UI's setting wins over the environment's"
            assert await prune(session, days, utcnow()) == 0, "40 days old is within 60"
        async with sessions.begin() as session:
            assert await prune(session, 30, utcnow()) == 2
        async with sessions() as session:
            remaining = (await session.execute(select(Delivery.id, Delivery.state))).all()
            assert [(r.id, r.state) for r in remaining] == [(kept, "failed")]
            owners = list(await session.scalars(select(Attempt.delivery_id).distinct()))
            assert owners == [kept], "the pruned delivery's attempts went with it"
            assert await session.scalar(select(func.count()).select_from(EventRow)) == 1
    finally:
        await engine.dispose()
