"""Every migration since 0006, up to the newest and back, keeps the delivery history.

On SQLite, Alembic's batch mode rebuilds a table to drop or alter a column; with foreign keys on
(hookcast turns them on for every connection) dropping the old table cascades: rebuilding
``webhooks`` (0007) deleted every delivery and attempt. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.migrations import migrate_to

# These tests move the schema between revisions themselves.
pytestmark = pytest.mark.empty_database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ROWS = {
    "projects": dict(
        id=1, name="p", token_digest="0" * 64, protected_branches="", created_at=NOW, updated_at=NOW
    ),
    "webhooks": dict(
        id=1, project_id=1, name="w", platform="slack", url_sealed="x", url_redacted="x", url_digest="d",
        active=True, language="en", triggers='["push"]', notify_only_broken_pipelines=False,
        branches_to_be_notified="all", labels_to_be_notified="", labels_to_be_notified_behavior="match_any",
        direct_messages=False, direct_only=False, mention_people=False, consecutive_failures=0,
        created_at=NOW, updated_at=NOW,
    ),
    "events": dict(
        id=1, project_id=1, idempotency_key="k", source="gitlab", kind="push", action="", event="{}",
        received_at=NOW,
    ),
    "deliveries": dict(
        id=1, event_id=1, webhook_id=1, project_id=1, idempotency_key="d", state="delivered", attempts=1,
        next_attempt_at=NOW, channel="group", created_at=NOW, updated_at=NOW,
    ),
    "attempts": dict(
        id=1, delivery_id=1, started_at=NOW, duration_ms=5, outcome="delivered", response_excerpt="ok",
        request_url="https://hooks.slack.com/***", request_body="{}",
    ),
}  # fmt: skip


async def counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            table: (
                await connection.execute(sa.select(sa.func.count()).select_from(sa.table(table)))
            ).scalar_one()
            for table in ROWS
        }


async def test_history_survives_every_migration_up_and_down(engine: AsyncEngine) -> None:
    await migrate_to(engine, "0006")
    async with engine.begin() as connection:
        for table, row in ROWS.items():
            columns = [sa.column(name) for name in row]
            await connection.execute(sa.table(table, *columns).insert().values(**row))
    everything = dict.fromkeys(ROWS, 1)
    assert await counts(engine) == everything
    await migrate_to(engine, "head")
    assert await counts(engine) == everything
    if engine.dialect.name == "sqlite":  # switched off while migrating, on again afterwards
        async with engine.connect() as connection:
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
    await migrate_to(engine, "0006", down=True)
    assert await counts(engine) == everything
