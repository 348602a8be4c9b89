"""SQLite through the inline connection: statements run on the loop's thread (no helper thread
is started), and transactions, errors and isolation levels behave as with aiosqlite."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast.store.db import create_engine
from hookcast.store.sqlite_inline import InlineConnection


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """hookcast's SQLite engine (not connected yet) with a table ``t`` to play with."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    try:
        yield engine
    finally:
        await engine.dispose()


async def create_table(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))


async def test_statements_run_without_a_helper_thread(engine: AsyncEngine) -> None:
    threads = threading.active_count()
    await create_table(engine)
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, InlineConnection)
        mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
    assert mode == "wal", "the pragmas are applied to the inline connection"
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert rows == ["a", "b"]
    assert threading.active_count() == threads


async def test_a_failed_transaction_leaves_nothing_behind(engine: AsyncEngine) -> None:
    await create_table(engine)
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT v FROM t"))).scalars().all() == ["a"]
        # The connection is still usable after the error.
        await connection.execute(text("INSERT INTO t (v) VALUES ('c')"))
        await connection.commit()
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 2


async def test_autocommit_isolation_level_is_set_and_reset(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        await autocommit.execute(text("VACUUM"))  # refused inside a transaction
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t DEFAULT VALUES"))
        await connection.rollback()
    async with engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 0
