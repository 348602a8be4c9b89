"""Moving a test database between schema revisions, for the migration tests."""

from __future__ import annotations

from alembic import command
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast.store.migrate import alembic_config, run_migrations


async def migrate_to(engine: AsyncEngine, revision: str, *, down: bool = False) -> None:
    def run(connection: Connection) -> None:
        (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)

    await run_migrations(engine, run)
