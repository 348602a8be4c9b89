"""Migration 0010 on SQLite and PostgreSQL, with real rows: projects explicitly scoped to a
GitLab path keep routing events to the exact-path projects inside their scope (the flag is set
for them); projects with no path, whose tokens re-routed events for any project, lose that."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.migrations import migrate_to

# These tests move the schema between revisions themselves.
pytestmark = pytest.mark.empty_database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


async def test_scoped_projects_keep_routing_and_unscoped_ones_stop(engine: AsyncEngine) -> None:
    await migrate_to(engine, "0009")
    projects = sa.table(
        "projects",
        sa.column("name"),
        sa.column("gitlab_path"),
        sa.column("token_digest"),
        sa.column("protected_branches"),
        sa.column("created_at"),
        sa.column("updated_at"),
    )
    async with engine.begin() as connection:
        for index, (name, path) in enumerate((("group", "team"), ("app", "team/app"), ("loose", None))):
            await connection.execute(
                projects.insert().values(
                    name=name,
                    gitlab_path=path,
                    token_digest=str(index) * 64,
                    protected_branches="",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    events = sa.table(
        "events",
        sa.column("project_id"),
        sa.column("idempotency_key"),
        sa.column("source"),
        sa.column("kind"),
        sa.column("action"),
        sa.column("event", sa.JSON()),
        sa.column("received_at"),
    )
    async with engine.begin() as connection:
        project_id = (await connection.execute(sa.text("SELECT min(id) FROM projects"))).scalar_one()
        await connection.execute(
            events.insert().values(
                project_id=project_id,
                idempotency_key="k",
                source="gitlab",
                kind="push",
                action="",
                event={},
                received_at=NOW,
            )
        )
    await migrate_to(engine, "0010")
    assert await event_count(engine) == 1, "the projects' history survives (no table rebuilt)"

    flags = sa.table("projects", sa.column("name"), sa.column("routes_other_projects", sa.Boolean()))
    async with engine.connect() as connection:
        found = dict((await connection.execute(sa.select(flags.c.name, flags.c.routes_other_projects))).all())
    assert found == {"group": True, "app": True, "loose": False}

    await migrate_to(engine, "0009", down=True)
    async with engine.connect() as connection:
        columns = await connection.run_sync(
            lambda c: {col["name"] for col in sa.inspect(c).get_columns("projects")}
        )
    assert "routes_other_projects" not in columns
    assert await event_count(engine) == 1


async def event_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT count(*) FROM events"))).scalar_one())
