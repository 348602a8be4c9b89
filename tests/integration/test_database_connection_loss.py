"""PostgreSQL drops hookcast's connections (a server restart, a failover, a proxy's idle
timeout): what was accepted is still delivered, and the next events are accepted and delivered,
with no restart of hookcast.

The pool pings a connection before handing it out, and each writer tries again when a statement
fails anyway (intake one submission at a time, the recorder up to three times, the claim at the
next poll, ``LISTEN`` on its own reconnect): the ``LISTEN`` connection, held all along, is
the one a drop always reaches."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import (
    PG_SERVER,
    MigratedTemplates,
    fresh_postgres_database,
    make_settings,
    running_client,
)
from tests.fakes.platform_server import FakePlatformServer
from tests.fixtures import load_fixture
from tests.integration.helpers import create_project, create_webhook, eventually, settled

pytestmark = pytest.mark.postgres

PUSH = load_fixture("docs/push.json")


@pytest.fixture
async def postgres_client(
    tmp_path: Path, migrated_templates: MigratedTemplates
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    template = await migrated_templates.postgres_template()
    async with fresh_postgres_database(template) as url, running_client(make_settings(url, tmp_path)) as http:
        yield http, str(make_url(url).database)


async def drop_connections(database: str) -> int:
    """Ends every server process connected to ``database``, as a restart would."""
    admin = await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres", timeout=5)
    try:
        ended = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database
        )
    finally:
        await admin.close()
    return len(ended)


def push(n: int) -> dict[str, str]:
    return {"X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": f"loss-{n}-{uuid.uuid4()}"}


async def test_events_are_accepted_and_delivered_after_the_connections_drop(
    postgres_client: tuple[httpx.AsyncClient, str],
) -> None:
    client, database = postgres_client
    async with FakePlatformServer() as feishu:
        bot = feishu.add_bot("feishu")
        project_id, token = await create_project(client)
        await create_webhook(
            client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all"
        )
        headers = {"X-Gitlab-Token": token, "Content-Type": "application/json"}

        first = await client.post("/hooks/gitlab", content=PUSH, headers={**headers, **push(0)})
        assert first.status_code == 202, first.text
        await eventually(lambda: len(bot.received) == 1, what="the first card")

        assert await drop_connections(database) >= 1, "hookcast held connections to drop"

        answers = await asyncio.gather(
            *(client.post("/hooks/gitlab", content=PUSH, headers={**headers, **push(n)}) for n in range(1, 6))
        )
        assert [answer.status_code for answer in answers] == [202] * 5, [a.text for a in answers]
        await eventually(lambda: len(bot.received) == 6, timeout=30, what="every card after the drop")
        history = await settled(client, project_id, count=6, timeout=30)
        assert sorted(row["state"] for row in history) == ["delivered"] * 6
