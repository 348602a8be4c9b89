"""The whole database as comparable values, and what changed between two of them.

Tables are reflected from the database itself, not taken from hookcast's models, so the same code
reads any revision of the schema (the corpus also runs against older code).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from sqlalchemy import MetaData, select
from sqlalchemy.exc import SAWarning
from sqlalchemy.ext.asyncio import AsyncEngine

# Columns that change on a read, by design: when a token or a user was last seen.
VOLATILE = {("api_tokens", "last_used_at"), ("users", "last_sign_in_at")}
NOT_DATA = {"alembic_version"}

Rows = dict[object, tuple[object, ...]]  # primary key -> the row's other values
State = dict[str, Rows]


async def reflect(engine: AsyncEngine) -> MetaData:
    metadata = MetaData()
    async with engine.connect() as connection:
        with warnings.catch_warnings():
            # SQLite's reflection skips the index on lower(github_login), and says so: only rows
            # are compared here, indexes play no part.
            warnings.filterwarnings(
                "ignore", "Skipped unsupported reflection of expression-based index", SAWarning
            )
            await connection.run_sync(metadata.reflect)
    return metadata


async def database_state(engine: AsyncEngine, metadata: MetaData) -> State:
    """Every row of every table ``metadata`` (see :func:`reflect`) names."""
    async with engine.connect() as connection:
        state: State = {}
        for table in metadata.sorted_tables:
            if table.name in NOT_DATA:
                continue
            keys = list(table.primary_key.columns) or list(table.columns)
            kept = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
            rows: Rows = {}
            for row in (await connection.execute(select(*keys, *kept))).all():
                rows[tuple(row[: len(keys)])] = tuple(repr(value) for value in row[len(keys) :])
            state[table.name] = rows
    return state


@dataclass(frozen=True)
class TableChange:
    added: list[object]
    removed: list[object]
    changed: list[object]


def changes(before: State, after: State) -> dict[str, TableChange]:
    """Per table that differs: the primary keys of the rows added, removed and changed."""
    found: dict[str, TableChange] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, {}), after.get(name, {})
        change = TableChange(
            added=sorted((k for k in new if k not in old), key=repr),
            removed=sorted((k for k in old if k not in new), key=repr),
            changed=sorted((k for k in new if k in old and new[k] != old[k]), key=repr),
        )
        if change.added or change.removed or change.changed:
            found[name] = change
    return found
