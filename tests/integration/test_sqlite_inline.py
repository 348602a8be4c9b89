"""SQLite through the inline connection: statements run on the loop's thread (no helper thread
is started), and transactions, errors and isolation levels behave as with aiosqlite."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from hookcast.store.db import create_engine
from hookcast.store.sqlite_inline import InlineConnection


async def test_statements_run_without_a_helper_thread(tmp_path: Path) -> None:
    threads = threading.active_count()
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
            raw = await connection.get_raw_connection()
            assert isinstance(raw.driver_connection, InlineConnection)
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        assert mode == "wal", "the pragmas are applied to the inline connection"
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
        assert rows == ["a", "b"]
        assert threading.active_count() == threads
    finally:
        await engine.dispose()


async def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
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
    finally:
        await engine.dispose()


async def test_autocommit_isolation_level_is_set_and_reset(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
            await autocommit.execute(text("VACUUM"))  # refused inside a transaction
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t DEFAULT VALUES"))
            await connection.rollback()
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT count(*) FROM t"))).scalar() == 0
    finally:
        await engine.dispose()
