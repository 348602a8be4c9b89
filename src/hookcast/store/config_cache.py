"""The routing configuration (projects and their webhooks) kept per process, so that intake and
the claim do not read it back for every batch: each statement costs a process more CPU than
the rows it returns (measured: ~0.8 ms for a 10-row webhook load on SQLite, against ~1 ms for the
whole intake of an event at a busy time).

What is kept are the ORM rows themselves, detached from the session that read them (every
column, so a column added to the model flows through), read-only by contract: nothing on the hot
path writes a project or webhook it got from here.

Fresh enough, by two means:
- this process: any statement that changes rows of ``projects`` or ``webhooks`` (the API, the
  UI, the recorder's health updates, pauses, a removal) empties the cache once it ran (on
  PostgreSQL a read by another task between that and its commit may keep the old rows: until the
  stamp, below, moves);
- other processes: at most every ``ttl`` seconds one query reads the tables' stamp (row counts and
  newest ``updated_at``; every change of a project or webhook sets it, pauses and resumes
  included), and the cache is emptied when it moved.
A read that overlaps an emptying is used once and not kept (its rows may be from before it).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Collection, Iterable
from typing import Any

from sqlalchemy import Select, event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hookcast.store.tables import Project, Webhook

DEFAULT_TTL = 1.0
MAX_PROJECTS = 20_000  # beyond this, emptied and filled again: the memory stays bounded
_WRITES = tuple(
    f"{verb} {table}".upper()
    for verb in ("INSERT INTO", "UPDATE", "DELETE FROM")
    for table in (Project.__tablename__, Webhook.__tablename__)
)


class ConfigCache:
    def __init__(self, engine: AsyncEngine, ttl: float = DEFAULT_TTL) -> None:
        self._ttl = ttl
        self._projects: dict[int, Project] = {}
        self._hooks_of: dict[int, list[Webhook]] = {}  # project id -> its webhooks, by id
        self._hooks: dict[int, Webhook] = {}
        self._stamp: object = None
        self._checked_until = 0.0
        self._generation = 0
        event.listen(engine.sync_engine, "after_cursor_execute", self._on_statement)

    def _on_statement(self, _conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        """A write that changed rows (an ``UPDATE`` that matched none, as the recorder's
        resume of recovered webhooks usually is, changes nothing) empties the cache."""
        if cursor.rowcount != 0 and statement.lstrip()[:24].upper().startswith(_WRITES):
            self.clear()

    def clear(self) -> None:
        self._projects.clear()
        self._hooks_of.clear()
        self._hooks.clear()
        self._generation += 1

    async def projects(self, session: AsyncSession, ids: Collection[int]) -> dict[int, Project]:
        """The projects of ``ids`` that exist."""
        await self._check_stamp(session)
        return await self._kept(
            session, self._projects, ids, lambda m: select(Project).where(Project.id.in_(m))
        )

    async def webhooks_of(
        self, session: AsyncSession, project_ids: Collection[int]
    ) -> dict[int, list[Webhook]]:
        """Each project's webhooks, by id (a project without any: an empty list)."""
        await self._check_stamp(session)
        have = {i: hooks for i in project_ids if (hooks := self._hooks_of.get(i)) is not None}
        missing = [i for i in project_ids if i not in have]
        fetched: dict[int, list[Webhook]] = {i: [] for i in missing}
        if missing:
            generation = self._generation
            query = select(Webhook).where(Webhook.project_id.in_(missing)).order_by(Webhook.id)
            for webhook in _detached(session, await session.scalars(query)):
                fetched[webhook.project_id].append(webhook)
            if generation == self._generation:
                self._bound()
                self._hooks_of.update(fetched)
                self._hooks.update((w.id, w) for hooks in fetched.values() for w in hooks)
        return have | fetched

    async def webhooks(self, session: AsyncSession, ids: Collection[int]) -> dict[int, Webhook]:
        """The webhooks of ``ids`` that exist."""
        await self._check_stamp(session)
        return await self._kept(session, self._hooks, ids, lambda m: select(Webhook).where(Webhook.id.in_(m)))

    async def _kept(
        self,
        session: AsyncSession,
        kept: dict[int, Any],
        ids: Collection[int],
        query: Callable[[list[int]], Select[Any]],
    ) -> dict[int, Any]:
        """The rows of ``ids`` in ``kept``, the others read (``query`` of the missing ids) and
        kept unless the cache was emptied while they were read."""
        have = {i: row for i in ids if (row := kept.get(i)) is not None}
        missing = [i for i in ids if i not in have]
        if missing:
            generation = self._generation
            found = {row.id: row for row in _detached(session, await session.scalars(query(missing)))}
            have |= found
            if generation == self._generation:
                self._bound()
                kept.update(found)
        return have

    async def _check_stamp(self, session: AsyncSession) -> None:
        if time.monotonic() < self._checked_until:
            return
        self._checked_until = time.monotonic() + self._ttl
        stamp = tuple((await session.execute(_stamp())).one())
        if stamp != self._stamp:
            self.clear()
            self._stamp = stamp

    def _bound(self) -> None:
        if len(self._projects) + len(self._hooks_of) + len(self._hooks) > MAX_PROJECTS:
            self.clear()


@functools.cache  # a constant, built once
def _stamp() -> Select[Any]:
    """Row counts and newest ``updated_at`` of both tables, in one round trip."""
    return select(
        *(
            select(column).select_from(table).scalar_subquery()
            for table in (Project, Webhook)
            for column in (func.count(), func.max(table.updated_at))
        )
    )


def _detached(session: AsyncSession, rows: Iterable[Any]) -> list[Any]:
    """The rows, no longer the session's: they outlive it, and its commit or rollback leaves
    them as read."""
    found = list(rows)
    for row in found:
        session.expunge(row)
    return found
