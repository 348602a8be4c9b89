"""Shared fixtures: databases (SQLite, and a fresh PostgreSQL database per test), settings, and a
running hookcast app with an HTTP client.

A test's database starts at the newest schema: it is a copy of one migrated once per session (a
file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), because migrating an empty
database for each of the suite's thousand database tests cost minutes. Tests of the migrations
themselves mark their module ``empty_database`` and get an empty one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import asyncpg
import httpx
import pytest

from hookcast.app import create_app
from hookcast.runtime import ProcessRole
from hookcast.settings import MIN_PASSWORD_HASH_MEMORY_KIB, Settings
from hookcast.sources.base import Source
from hookcast.sources.registry import SOURCES
from hookcast.store import migrate
from hookcast.store.db import create_engine

PG_SERVER = os.environ.get("HOOKCAST_TEST_PG", "postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("HOOKCAST_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ADMIN_TOKEN = "test-admin-token-0123456789"


TESTS = Path(__file__).resolve().parent
# Modules whose module-scoped fixtures are costly to make (a Chromium and a server, the wheel built
# and installed, the container image): under ``--dist loadgroup`` (make test) each stays on one
# xdist worker, so each is made once, not once per worker its tests land on.
ONE_WORKER_PER_MODULE = ("browser/", "container/", "system/test_wheel.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.relative_to(TESTS).as_posix()
        if module.startswith(ONE_WORKER_PER_MODULE):
            item.add_marker(pytest.mark.xdist_group(module))


def unavailable(reason: str) -> None:
    """Skip a test whose service is missing, except in CI where every test must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the suite must run against it)")
    pytest.skip(reason)


async def _admin_connection() -> asyncpg.Connection:
    """A connection to the server's ``postgres`` database, to create and drop test databases."""
    try:
        return await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL not reachable at {PG_SERVER}: {exc}")
        raise


@contextlib.asynccontextmanager
async def fresh_postgres_database(template: str | None = None) -> AsyncIterator[str]:
    """A new PostgreSQL database for one test (empty, or a copy of ``template``), dropped
    afterwards."""
    name = f"hookcast_test_{uuid.uuid4().hex[:12]}"
    admin = await _admin_connection()
    try:
        copy_of = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{copy_of}')
        yield f"postgresql+asyncpg://{PG_SERVER}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


class MigratedTemplates:
    """One database of each kind migrated to the newest schema, made when first needed and
    copied for each test; the PostgreSQL one is dropped when the session ends."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    async def sqlite_copy(self, to: Path) -> None:
        if self._sqlite is None:
            path = self._folder / "migrated.db"
            await _migrate(f"sqlite+aiosqlite:///{path}")
            self._sqlite = path
        shutil.copyfile(self._sqlite, to)

    async def postgres_template(self) -> str:
        if self._postgres is None:
            name = f"hookcast_template_{uuid.uuid4().hex[:12]}"
            admin = await _admin_connection()
            try:
                await admin.execute(f'CREATE DATABASE "{name}"')
            finally:
                await admin.close()
            self._postgres = name  # dropped at the end even when migrating it failed
            await _migrate(f"postgresql+asyncpg://{PG_SERVER}/{name}")
        return self._postgres

    def drop(self) -> None:
        if self._postgres is not None:
            asyncio.run(_drop_postgres(self._postgres))


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def _drop_postgres(name: str) -> None:
    admin = await _admin_connection()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedTemplates]:
    templates = MigratedTemplates(tmp_path_factory.mktemp("migrated"))
    yield templates
    templates.drop()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: MigratedTemplates
) -> AsyncIterator[str]:
    """Each test using it runs twice: on SQLite and on PostgreSQL, on a database at the newest
    schema (an empty one in modules marked ``empty_database``)."""
    empty = request.node.get_closest_marker("empty_database") is not None
    if request.param == "sqlite":
        path = tmp_path / "hookcast.db"
        if not empty:
            await migrated_templates.sqlite_copy(path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = None if empty else await migrated_templates.postgres_template()
    async with fresh_postgres_database(template) as url:
        yield url


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "admin_token": ADMIN_TOKEN,
        "extra_allowed_hosts": ("127.0.0.1",),
        "retry_schedule": (0, 0.2, 0.4, 0.8),
        "poll_interval": 0.2,
        "delivery_timeout": 3.0,
        "cool_down_seconds": 0.3,
        "log_json": False,
        # The cheapest argon2 the setting allows: UI tests sign in hundreds of times, and the
        # default's 64 MiB per hash was a third of a second of CPU each time. What hashing does
        # at the default is tested in tests/unit/test_password_hashing.py.
        "password_hash_memory_kib": MIN_PASSWORD_HASH_MEMORY_KIB,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A running hookcast (API + worker) and an HTTP client authenticated as admin."""
    async with running_client(settings) as http:
        yield http


@contextlib.asynccontextmanager
async def running_client(
    settings: Settings, sources: Sequence[Source] = SOURCES
) -> AsyncIterator[httpx.AsyncClient]:
    """hookcast (API + worker) running with ``settings`` (and receiving ``sources``), and an
    admin client talking to it."""
    app = create_app(settings, ProcessRole.SERVE, sources=sources)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://hookcast.test",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        ) as http:
            http.app = app  # type: ignore[attr-defined]
            yield http
