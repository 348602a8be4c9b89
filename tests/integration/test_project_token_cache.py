"""The inbound token cache across processes (two caches on one database stand for two
processes): a token is looked up once, however long it is used, while no project changes; a
rotation, removal or rename made elsewhere is seen at the next look at the projects' stamp."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hookcast.services import projects
from hookcast.services.project_tokens import ProjectTokenCache
from hookcast.services.projects import ProjectInput, ProjectPatch


class Statements:
    """The SELECTs on ``projects`` that name a token digest (the look-ups)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.lookups = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "token_digest" in statement and statement.lstrip().upper().startswith("SELECT"):
            self.lookups += 1


async def new_project(store: async_sessionmaker[AsyncSession], name: str) -> tuple[int, str]:
    async with store.begin() as session:
        created = await projects.create(session, ProjectInput(name=name))
        return created.project.id, created.token


async def test_a_token_is_looked_up_once_while_no_project_changes(
    engine: AsyncEngine, store: async_sessionmaker[AsyncSession]
) -> None:
    _, token = await new_project(store, "one")
    statements = Statements(engine)
    cache = ProjectTokenCache(store, ttl=0)  # the stamp is looked at on every request
    for _ in range(5):
        owner = await cache.owner(token)
        assert owner is not None and owner.name == "one"
    assert statements.lookups == 1


@pytest.mark.parametrize("change", ["rotate", "remove", "rename"])
async def test_a_change_made_by_another_process_is_seen_at_the_next_stamp(
    store: async_sessionmaker[AsyncSession], change: str
) -> None:
    project_id, token = await new_project(store, "app")
    await new_project(store, "other")  # the change is not to the newest project
    here = ProjectTokenCache(store, ttl=0)
    assert (await here.owner(token)) is not None
    async with store.begin() as session:  # "the other process": this cache is not cleared
        if change == "rotate":
            await projects.rotate_token(session, project_id)
        elif change == "remove":
            await projects.remove(session, project_id)
        else:
            await projects.update(session, project_id, ProjectPatch(name="renamed"))
    owner = await here.owner(token)
    if change == "rename":
        assert owner is not None and owner.name == "renamed"
    else:
        assert owner is None


async def test_within_the_ttl_the_cached_owner_is_kept(store: async_sessionmaker[AsyncSession]) -> None:
    project_id, token = await new_project(store, "app")
    here = ProjectTokenCache(store, ttl=3600)
    assert (await here.owner(token)) is not None
    async with store.begin() as session:
        await projects.rotate_token(session, project_id)
    assert (await here.owner(token)) is not None  # another process's change: seen after the ttl
    here.clear()  # what this process does after its own change
    assert (await here.owner(token)) is None
