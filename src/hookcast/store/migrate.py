"""Apply Alembic migrations programmatically (``hookcast migrate`` and at start).

A process that starts on a database already at the newest revision (every start but the first
after an upgrade) does not import Alembic at all: the revision files are read as text to find
the head, and only a database behind it (or a file this reading cannot vouch for) brings Alembic
in. Alembic and what it imports (Mako among others) would otherwise stay in every process's
memory for good, some 20 MiB of an idle ``serve``."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
_REVISION = re.compile(r"^revision(?:\s*:[^=\n]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=\n]+)?\s*=\s*(.+)$", re.MULTILINE)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


def read_head(versions: Path = MIGRATIONS_DIR / "versions") -> str | None:
    """The one revision no other revision names as its predecessor, read from the files as
    text; None whenever that is not certain (a file with no or several revision lines, a
    predecessor that is not one plain string, several heads): Alembic then decides."""
    revisions: set[str] = set()
    predecessors: set[str] = set()
    for path in versions.glob("*.py"):
        if path.name == "__init__.py":
            continue
        source = path.read_text(encoding="utf-8")
        found, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(found) != 1 or len(down) != 1:
            return None
        revisions.add(found[0])
        previous = down[0].strip()
        if previous == "None":
            continue
        plain = re.fullmatch(r"['\"]([^'\"]+)['\"]", previous)
        if plain is None:
            return None  # a merge of branches (a tuple): Alembic's business
        predecessors.add(plain.group(1))
    heads = revisions - predecessors
    return heads.pop() if len(heads) == 1 else None


def _at_head(connection: Connection, head: str | None) -> bool:
    if head is None or not inspect(connection).has_table(VERSION_TABLE):
        return False
    stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return stamped == [head]


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the database to the newest revision; nothing to import or run when it is there."""
    head = read_head()
    async with engine.connect() as connection:
        current = await connection.run_sync(_at_head, head)
    if not current:
        await run_migrations(engine, _upgrade)


async def run_migrations(engine: AsyncEngine, migrate: Callable[[Connection], None]) -> None:
    """Run ``migrate`` on a connection of ``engine``. On SQLite the migrations switch foreign keys
    off for their connection (see ``migrations/env.py``), so the pool is renewed afterwards: every
    later connection gets them on again from the connect hook (``store/db.py``)."""
    async with engine.begin() as connection:
        await connection.run_sync(migrate)
    if engine.dialect.name == "sqlite":
        await engine.dispose()
