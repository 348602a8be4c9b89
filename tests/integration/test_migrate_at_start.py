"""`migrate.upgrade` at start, on SQLite and PostgreSQL: an empty database and one a revision
behind are brought to the head by Alembic; one already there is left alone (Alembic is not run,
so a process starting on it need not import it)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast.store import migrate
from tests.integration.migrations import migrate_to

pytestmark = pytest.mark.empty_database


async def stamped(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(sa.text("SELECT version_num FROM alembic_version"))).scalars())


async def test_upgrade_runs_alembic_only_when_the_database_is_behind(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = migrate.read_head()
    assert head is not None
    await migrate.upgrade(engine)  # empty: every revision
    assert await stamped(engine) == [head]

    await migrate_to(engine, "-1", down=True)
    assert await stamped(engine) != [head]
    await migrate.upgrade(engine)  # one behind: the last revision again
    assert await stamped(engine) == [head]

    def must_not_run(_connection: Connection) -> None:
        raise AssertionError("Alembic ran on a database at the head")

    monkeypatch.setattr(migrate, "_upgrade", must_not_run)
    await migrate.upgrade(engine)
    assert await stamped(engine) == [head]
