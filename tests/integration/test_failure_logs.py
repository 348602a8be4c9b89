"""When a write on the intake or delivery path fails, the log says which rows (project, source,
a short digest of the idempotency key, delivery ids) and what kind of error, never the data: the
database's error text embeds the statement's parameters, that is the payloads and whatever
secrets they carry. A database trigger refuses rows carrying a marker, as a constraint would.
On SQLite and PostgreSQL, with the production log configuration."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast.logs import configure
from tests.conftest import make_settings, running_client
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually
from tests.markers import numbered_push

SECRET = "hcsecret7f3a9cDONOTLOG"  # plain letters: no markup escapes them


@pytest.fixture
def production_logs() -> Iterator[io.StringIO]:
    """The log lines as ``hookcast serve`` renders them (JSON), written here instead of stderr
    (and not cached by the loggers: later tests must not keep writing here)."""
    lines = io.StringIO()
    configure("INFO", json=True)
    structlog.configure(
        logger_factory=structlog.PrintLoggerFactory(file=lines), cache_logger_on_first_use=False
    )
    try:
        yield lines
    finally:
        structlog.reset_defaults()


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with running_client(make_settings(database_url, tmp_path)) as http:
        yield http


async def refuse_rows_mentioning(engine: AsyncEngine, table: str, column: str, marker: str) -> None:
    """A trigger that refuses to insert a row whose ``column`` contains ``marker``."""
    async with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            await connection.execute(
                text(
                    f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                    f"WHEN CAST(NEW.{column} AS TEXT) LIKE '%{marker}%' "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
                )
            )
            return
        await connection.execute(
            text(
                f"CREATE FUNCTION refuse_{table}() RETURNS trigger AS $$ BEGIN "
                f"IF CAST(NEW.{column} AS TEXT) LIKE '%{marker}%' THEN "
                "RAISE EXCEPTION 'refused by the test trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        await connection.execute(
            text(
                f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()"
            )
        )


def short_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


async def test_a_failed_intake_batch_logs_ids_not_the_payload(
    client: httpx.AsyncClient, production_logs: io.StringIO
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    project_id, token = await create_project(client)
    await refuse_rows_mentioning(runtime.engine, "events", "event", SECRET)
    poisoned = numbered_push(0)
    poisoned["commits"][0]["message"] = f"rotate the key {SECRET}"  # type: ignore[index]
    poisoned["project"]["name"] = f"Diaspora {SECRET}"  # type: ignore[index]

    def post(body: object, key: str) -> object:
        headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": key}
        return client.post("/hooks/gitlab", json=body, headers=headers)

    answers = await asyncio.gather(
        post(poisoned, "poisoned-key-1"), *(post(numbered_push(n), f"good-key-{n}") for n in range(1, 6))
    )
    bad, *good = answers
    assert [a.status_code for a in good] == [202] * 5, "the others are stored all the same"  # type: ignore[attr-defined]
    assert bad.status_code == 503, bad.text  # type: ignore[attr-defined]
    assert SECRET not in bad.text  # type: ignore[attr-defined]

    output = production_logs.getvalue()
    assert "could not store an event" in output
    assert SECRET not in output
    assert short_digest("poisoned-key-1") in output
    assert f'"project_id": {project_id}' in output or f'"project_id":{project_id}' in output


async def test_a_failed_result_write_logs_delivery_ids_not_the_message(
    client: httpx.AsyncClient, fake: FakePlatformServer, production_logs: io.StringIO
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await refuse_rows_mentioning(runtime.engine, "attempts", "request_body", SECRET)
    poisoned = numbered_push(0)
    poisoned["commits"][0]["message"] = f"rotate the key {SECRET}"  # type: ignore[index]
    poisoned["project"]["name"] = f"Diaspora {SECRET}"  # type: ignore[index]
    answer = await client.post(
        "/hooks/gitlab", json=poisoned, headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    )
    assert answer.status_code == 202
    [row] = (await client.get(f"/api/v1/projects/{project_id}/deliveries")).json()

    await eventually(
        lambda: '"event": "recording delivery results failed"' in production_logs.getvalue(),
        what="the failed write to be logged",
    )
    output = production_logs.getvalue()
    assert SECRET not in output
    assert f'"deliveries": [{row["id"]}]' in output or f'"deliveries":[{row["id"]}]' in output


class BrokenLogFile(io.StringIO):
    """A log destination that fails (a full disk, a closed pipe)."""

    def write(self, text: str) -> int:
        raise OSError("no space left on device")


async def test_the_intake_queue_outlives_a_failure_outside_the_database(client: httpx.AsyncClient) -> None:
    """Even when reporting a failed batch fails (here: the log cannot be written), the callers of
    that batch are answered and the next events are stored: the queue does not die with it."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    project_id, token = await create_project(client)
    await refuse_rows_mentioning(runtime.engine, "events", "event", SECRET)
    poisoned = numbered_push(0)
    poisoned["project"]["name"] = f"Diaspora {SECRET}"  # type: ignore[index]
    headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=BrokenLogFile()))
    try:
        refused = await asyncio.wait_for(client.post("/hooks/gitlab", json=poisoned, headers=headers), 30)
    finally:
        structlog.reset_defaults()
    assert refused.status_code == 503
    after = await asyncio.wait_for(client.post("/hooks/gitlab", json=numbered_push(1), headers=headers), 30)
    assert after.status_code == 202, after.text
    listed = (await client.get(f"/api/v1/projects/{project_id}/events")).json()
    assert len(listed) == 1
