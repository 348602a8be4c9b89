"""The per-process cache of projects and webhooks that intake and the claim read (two caches on
one database stand for two processes): rows are read once while nothing changes; a change made
through this process is seen at once, one made by another process (a URL, a pause, a removal) at
the next look at the stamp."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.services import projects, webhooks
from hookcast.services.projects import ProjectInput
from hookcast.services.webhooks import WebhookInput, WebhookPatch
from hookcast.store import outbox
from hookcast.store.config_cache import ConfigCache
from hookcast.store.db import create_engine, session_factory

BOX = SecretBox([Fernet.generate_key()])
URL = "https://open.feishu.cn/open-apis/bot/v2/hook/{}"


class Loads:
    """SELECTs that read webhook rows (not the stamp's counts)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT WEBHOOKS.ID"):
            self.count += 1


async def setup(store: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with store.begin() as session:
        project = (await projects.create(session, ProjectInput(name="app"))).project
        hook = await webhooks.create(
            session,
            project.id,
            WebhookInput(platform="feishu", url=URL.format("first")),
            box=BOX,
            extra_hosts=[],
            public_url=None,
        )
        return project.id, hook.id


async def test_rows_are_read_once_while_nothing_changes(
    engine: AsyncEngine, store: async_sessionmaker[AsyncSession]
) -> None:
    project_id, hook_id = await setup(store)
    cache = ConfigCache(engine, ttl=0)  # the stamp is looked at on every call
    loads = Loads(engine)
    for _ in range(3):
        async with store.begin() as session:
            [hook] = (await cache.webhooks_of(session, {project_id}))[project_id]
            assert (await cache.webhooks(session, {hook_id}))[hook_id] is hook
            assert (await cache.projects(session, {project_id}))[project_id].name == "app"
    assert loads.count == 1


async def test_a_change_through_this_process_is_seen_at_once(
    engine: AsyncEngine, store: async_sessionmaker[AsyncSession]
) -> None:
    project_id, hook_id = await setup(store)
    cache = ConfigCache(engine, ttl=3600)  # no look at the stamp after the first
    async with store.begin() as session:
        assert BOX.open((await cache.webhooks(session, {hook_id}))[hook_id].url_sealed) == URL.format("first")
    async with store.begin() as session:
        patch = WebhookPatch(url=URL.format("second"))
        await webhooks.update(session, hook_id, patch, box=BOX, extra_hosts=[], public_url=None)
    async with store.begin() as session:
        [hook] = (await cache.webhooks_of(session, {project_id}))[project_id]
        assert BOX.open(hook.url_sealed) == URL.format("second")
        await webhooks.remove(session, hook_id)
    async with store.begin() as session:
        assert await cache.webhooks(session, {hook_id}) == {}
        assert await cache.webhooks_of(session, {project_id}) == {project_id: []}


async def test_a_pause_by_another_process_is_seen_at_the_next_stamp(
    database_url: str, engine: AsyncEngine, store: async_sessionmaker[AsyncSession]
) -> None:
    project_id, hook_id = await setup(store)
    other = create_engine(database_url)  # another process's engine: its writes are not heard here
    try:
        cache = ConfigCache(engine, ttl=0)
        async with store.begin() as session:
            assert not outbox.is_paused((await cache.webhooks(session, {hook_id}))[hook_id], utcnow())
        async with session_factory(other).begin() as session:
            hook = await webhooks.get(session, hook_id)
            outbox.pause(hook, utcnow() + timedelta(hours=1), "failing", utcnow())
        async with store.begin() as session:
            assert outbox.is_paused((await cache.webhooks(session, {hook_id}))[hook_id], utcnow())
            [hook] = (await cache.webhooks_of(session, {project_id}))[project_id]
            assert outbox.is_paused(hook, utcnow())
    finally:
        await other.dispose()


async def test_a_read_that_overlaps_an_emptying_is_not_kept(
    engine: AsyncEngine, store: async_sessionmaker[AsyncSession]
) -> None:
    _, hook_id = await setup(store)
    cache = ConfigCache(engine, ttl=3600)
    loads = Loads(engine)
    emptied = False

    def empty_while_reading(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal emptied
        if not emptied and statement.lstrip().upper().startswith("SELECT WEBHOOKS.ID"):
            emptied = True
            cache.clear()  # as a write elsewhere in this process would, mid-read

    event.listen(engine.sync_engine, "before_cursor_execute", empty_while_reading)
    async with store.begin() as session:
        assert hook_id in await cache.webhooks(session, {hook_id})  # used once ...
    async with store.begin() as session:
        assert hook_id in await cache.webhooks(session, {hook_id})  # ... but read again
    assert loads.count == 2


async def test_what_was_cached_is_still_given_when_emptied_during_a_read(
    engine: AsyncEngine, store: async_sessionmaker[AsyncSession]
) -> None:
    first, _ = await setup(store)
    async with store.begin() as session:
        second = (await projects.create(session, ProjectInput(name="second"))).project.id
    cache = ConfigCache(engine, ttl=3600)
    async with store.begin() as session:
        await cache.projects(session, {first})
    cleared = False

    def empty_while_reading(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal cleared
        if not cleared and statement.lstrip().upper().startswith("SELECT PROJECTS.ID"):
            cleared = True
            cache.clear()

    event.listen(engine.sync_engine, "before_cursor_execute", empty_while_reading)
    async with store.begin() as session:
        assert set(await cache.projects(session, {first, second})) == {first, second}
    assert cleared
