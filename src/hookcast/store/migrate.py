"""Apply Alembic migrations programmatically (``hookcast migrate`` and at start)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def upgrade(engine: AsyncEngine) -> None:
    await run_migrations(engine, _upgrade)


async def run_migrations(engine: AsyncEngine, migrate: Callable[[Connection], None]) -> None:
    """Run ``migrate`` on a connection of ``engine``. On SQLite the migrations switch foreign keys
    off for their connection (see ``migrations/env.py``), so the pool is renewed afterwards: every
    later connection gets them on again from the connect hook (``store/db.py``)."""
    async with engine.begin() as connection:
        await connection.run_sync(migrate)
    if engine.dialect.name == "sqlite":
        await engine.dispose()
