"""Small helpers for the integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.store.tables import Delivery, EventRow, Project, Webhook


async def eventually(check: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    """Wait until ``check()`` holds (a deadline for a test that would otherwise hang, not a speed
    requirement)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def create_project(client: httpx.AsyncClient, name: str = "app", **fields: object) -> tuple[int, str]:
    answer = await client.post("/api/v1/projects", json={"name": name, **fields})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return int(body["id"]), str(body["gitlab_token"])


async def create_webhook(client: httpx.AsyncClient, project_id: int, **fields: object) -> dict[str, object]:
    answer = await client.post(f"/api/v1/projects/{project_id}/webhooks", json=fields)
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


async def deliveries(client: httpx.AsyncClient, project_id: int) -> list[dict[str, object]]:
    answer = await client.get(f"/api/v1/projects/{project_id}/deliveries")
    assert answer.status_code == 200, answer.text
    result: list[dict[str, object]] = answer.json()
    return result


async def settled(
    client: httpx.AsyncClient, project_id: int, count: int | None = None, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """The project's deliveries once none is pending or sending (and, given ``count``, once there
    are that many)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows: list[dict[str, Any]] = (await client.get(f"/api/v1/projects/{project_id}/deliveries")).json()
        done = bool(rows) and all(r["state"] not in ("pending", "sending") for r in rows)
        if done and (count is None or len(rows) == count):
            return rows
        if loop.time() > deadline:
            raise AssertionError(f"deliveries never settled: {rows}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def answering_server(answer: Callable[[web.Request], Awaitable[web.Response]]) -> AsyncIterator[str]:
    """A real HTTP server on 127.0.0.1 that answers every request, whatever its method and path,
    with ``answer``: a one-off stand-in for some other service (the platform fakes in
    ``tests/fakes`` play the real platforms). Yields its base URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def held_deliveries(
    sessions: async_sessionmaker[AsyncSession], holder: str | None, count: int, *, attempts: int = 0
) -> list[int]:
    """``count`` deliveries in ``sending``, held by ``holder`` for another minute, each tried
    ``attempts`` times, written straight into the store (a project, a webhook and an event of
    their own): the state a worker leaves behind mid-send. Returns their ids."""
    now = utcnow()
    async with sessions.begin() as session:
        project = Project(name=f"p-{holder}", token_digest=f"d-{holder}", created_at=now, updated_at=now)
        session.add(project)
        await session.flush()
        webhook = Webhook(
            project_id=project.id,
            platform="feishu",
            url_sealed="sealed",
            url_redacted="redacted",
            url_digest="digest",
            triggers=["push"],
            created_at=now,
            updated_at=now,
        )
        event = EventRow(
            project_id=project.id,
            idempotency_key=f"k-{holder}",
            source="gitlab",
            kind="push",
            action="push",
            event={},
            received_at=now,
        )
        session.add_all([webhook, event])
        await session.flush()
        rows = [
            Delivery(
                event_id=event.id,
                webhook_id=webhook.id,
                project_id=project.id,
                idempotency_key=f"{holder}-{n}",
                state="sending",
                attempts=attempts,
                next_attempt_at=now,
                lease_until=now + timedelta(seconds=60),
                claimed_by=holder,
                created_at=now,
                updated_at=now,
            )
            for n in range(count)
        ]
        session.add_all(rows)
        await session.flush()
        return sorted(row.id for row in rows)
