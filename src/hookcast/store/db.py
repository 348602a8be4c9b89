"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import orjson
from sqlalchemy import event, make_url
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from hookcast.store.sqlite_inline import inline_creator


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the UI, the API) go on while the worker writes; NORMAL is durable
    # across application crashes and only risks the last transactions on power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _json_text(value: Any) -> str:
    """JSON columns are written with orjson: events are stored on the intake path."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # A failed statement's error text would otherwise carry its parameters (events, message
    # bodies, sealed secrets) into whatever logs or shows it.
    kwargs.setdefault("hide_parameters", True)
    kwargs.setdefault("json_serializer", _json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        # One connection, shared in turn: SQLite allows one writer at a time, and waiting for
        # the connection in-process is far cheaper than SQLite's sleeping busy handler. Its
        # calls run on the event loop's thread (see sqlite_inline).
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 60)
        [database], options = SQLiteDialect_aiosqlite().create_connect_args(make_url(url))
        _create_private(str(database))
        kwargs.setdefault("async_creator", inline_creator(str(database), dict(options)))
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _create_private(database: str) -> None:
    """Create the database file readable by its owner only (it holds every event and, sealed,
    every webhook URL). SQLite gives its -wal and -shm files the same permissions. An existing
    file is left as the operator made it; ``:memory:`` and URI names are not files."""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)
