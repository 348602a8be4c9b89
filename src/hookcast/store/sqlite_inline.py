"""SQLite for the async engine without a thread hop per call.

aiosqlite runs every call on its own thread and hands the result back to the event loop: four
thread switches per statement, which cost more than the statement itself (a hookcast statement
takes microseconds in WAL mode). Here the same aiosqlite connection runs each call at once, on
the event loop's thread. SQLAlchemy's aiosqlite dialect is used unchanged; only the connection it
is given differs (``async_creator``).

The trade: while a statement runs, the loop waits for it. hookcast's statements are small and
batched, and it uses one connection, so work that needs the database waits for it either way.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: runs a queued call at once.

    SQLAlchemy's dialect queues its isolation-level change straight onto that queue.
    """

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection that never starts its thread: every call runs where it is awaited."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Any:
        return self._connect().__await__()

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def inline_creator(database: str, options: dict[str, Any]) -> Callable[[], Awaitable[InlineConnection]]:
    """An ``async_creator`` for ``create_async_engine``: opens ``database`` with the dialect's
    connect options. The connection is made and used on the loop's thread only, but may be
    closed by the pool's finaliser elsewhere, hence ``check_same_thread=False``."""
    connector = partial(sqlite3.connect, database, **{**options, "check_same_thread": False})

    async def create() -> InlineConnection:
        connection = InlineConnection(connector)
        await connection._connect()
        return connection

    return create
