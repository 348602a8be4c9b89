"""Migration 0015_github_login on SQLite and PostgreSQL, with real rows: the people already in
the directory keep everything and have no GitHub login; a login is unique without regard to
case; going back drops the column and its index, and the people stay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.migrations import migrate_to

# These tests move the schema between revisions themselves.
pytestmark = pytest.mark.empty_database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
BEFORE = ("name", "email", "gitlab_username", "platform_ids", "created_at", "updated_at")


def people(*columns: str) -> sa.TableClause:
    return sa.table("people", *(sa.column(c, sa.JSON() if c == "platform_ids" else None) for c in columns))


async def test_github_login_up_and_down(engine: AsyncEngine) -> None:
    await migrate_to(engine, "0014")
    async with engine.begin() as connection:
        await connection.execute(
            people(*BEFORE).insert(),
            [
                dict(name="Ann", email="ann@example.com", gitlab_username="ann", platform_ids={"slack": "U1"},
                     created_at=NOW, updated_at=NOW),
                dict(name="Bob", email="bob@example.com", gitlab_username=None, platform_ids={},
                     created_at=NOW, updated_at=NOW),
            ],
        )  # fmt: skip
    await migrate_to(engine, "0015_github_login")
    table = people("id", *BEFORE, "github_login")
    async with engine.begin() as connection:
        rows = (await connection.execute(sa.select(table).order_by(table.c.id))).mappings().all()
        assert [(r["name"], r["gitlab_username"], r["github_login"]) for r in rows] == [
            ("Ann", "ann", None),
            ("Bob", None, None),
        ]
        assert rows[0]["platform_ids"] == {"slack": "U1"}
        await connection.execute(table.update().where(table.c.name == "Ann").values(github_login="OctoCat"))
        await connection.execute(table.update().where(table.c.name == "Bob").values(github_login="bob-gh"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                table.update().where(table.c.name == "Bob").values(github_login="octocat")
            )
    async with engine.connect() as connection:
        logins = (await connection.execute(sa.select(table.c.github_login).order_by(table.c.id))).scalars()
        assert list(logins) == ["OctoCat", "bob-gh"], "kept as given"

    await migrate_to(engine, "0014", down=True)
    async with engine.connect() as connection:
        columns = await connection.run_sync(lambda sync: sa.inspect(sync).get_columns("people"))
        names = await connection.execute(sa.select(people("name").c.name).order_by(sa.text("name")))
        assert list(names.scalars()) == ["Ann", "Bob"]
    assert "github_login" not in {column["name"] for column in columns}
    await migrate_to(engine, "head")
