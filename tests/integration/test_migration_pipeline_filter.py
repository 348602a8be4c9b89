"""Migration 0012 on SQLite and PostgreSQL, with real rows: GitLab's boolean
``notify_only_broken_pipelines`` becomes ``pipelines_to_be_notified`` (true: ``broken``), in
place, so no webhook's deliveries are lost; going back, ``broken`` becomes true again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.migrations import migrate_to

# These tests move the schema between revisions themselves.
pytestmark = pytest.mark.empty_database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def webhook(name: str, only_broken: bool) -> dict[str, object]:
    return dict(
        project_id=1, name=name, platform="slack", url_sealed="x", url_redacted="x", url_digest=name,
        active=True, language="en", triggers=["pipeline"], notify_only_broken_pipelines=only_broken,
        branches_to_be_notified="all", labels_to_be_notified="", labels_to_be_notified_behavior="match_any",
        direct_messages=False, direct_only=False, mention_people=False, consecutive_failures=0,
        created_at=NOW, updated_at=NOW, settings={},
    )  # fmt: skip


async def test_only_broken_webhooks_become_broken_and_keep_their_deliveries(engine: AsyncEngine) -> None:
    await migrate_to(engine, "0011")
    columns = ("project_id", "name", "platform", "url_sealed", "url_redacted", "url_digest", "active")
    columns += (
        "language",
        "notify_only_broken_pipelines",
        "branches_to_be_notified",
        "labels_to_be_notified",
    )
    columns += ("labels_to_be_notified_behavior", "direct_messages", "direct_only", "mention_people")
    columns += ("consecutive_failures", "created_at", "updated_at")
    webhooks = sa.table(
        "webhooks",
        *(sa.column(c) for c in columns),
        sa.column("triggers", sa.JSON()),
        sa.column("settings", sa.JSON()),
    )
    async with engine.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO projects (id, name, token_digest, protected_branches, created_at, updated_at, "
                "routes_other_projects) VALUES (1, 'p', :digest, '', :now, :now, false)"
            ),
            {"digest": "0" * 64, "now": NOW},
        )
        for name, only_broken in (("broken", True), ("every", False)):
            await connection.execute(webhooks.insert().values(**webhook(name, only_broken)))
        await connection.execute(
            sa.text(
                "INSERT INTO events (id, project_id, idempotency_key, source, kind, action, event, "
                "received_at) VALUES (1, 1, 'k', 'gitlab', 'pipeline', 'failed', '{}', :now)"
            ),
            {"now": NOW},
        )
        await connection.execute(
            sa.text(
                "INSERT INTO deliveries (event_id, webhook_id, project_id, idempotency_key, state, attempts, "
                "next_attempt_at, created_at, updated_at, channel) "
                "SELECT 1, id, 1, 'd' || id, 'pending', 0, :now, :now, :now, 'group' FROM webhooks"
            ),
            {"now": NOW},
        )
    await migrate_to(engine, "0012")
    async with engine.connect() as connection:
        found = dict(
            (await connection.execute(sa.text("SELECT name, pipelines_to_be_notified FROM webhooks"))).all()
        )
        deliveries = (await connection.execute(sa.text("SELECT count(*) FROM deliveries"))).scalar_one()
    assert found == {"broken": "broken", "every": "all"}
    assert deliveries == 2, "no webhook was rebuilt, so none of its deliveries cascaded away"

    async with engine.begin() as connection:
        await connection.execute(
            sa.text("UPDATE webhooks SET pipelines_to_be_notified = 'broken_and_fixed' WHERE name = 'every'")
        )
    await migrate_to(engine, "0011", down=True)
    async with engine.connect() as connection:
        back = dict(
            (
                await connection.execute(sa.text("SELECT name, notify_only_broken_pipelines FROM webhooks"))
            ).all()
        )
        deliveries = (await connection.execute(sa.text("SELECT count(*) FROM deliveries"))).scalar_one()
    assert {name: bool(value) for name, value in back.items()} == {"broken": True, "every": False}
    assert deliveries == 2
