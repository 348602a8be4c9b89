"""Shared fixtures: databases (SQLite, and a fresh PostgreSQL database per test), settings, and a
running hookcast app with an HTTP client."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncpg
import httpx
import pytest

from hookcast.app import create_app
from hookcast.runtime import ProcessRole
from hookcast.settings import Settings
from hookcast.sources.base import Source
from hookcast.sources.registry import SOURCES

PG_SERVER = os.environ.get("HOOKCAST_TEST_PG", "postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("HOOKCAST_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ADMIN_TOKEN = "test-admin-token-0123456789"


def unavailable(reason: str) -> None:
    """Skip a test whose service is missing, except in CI where every test must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the suite must run against it)")
    pytest.skip(reason)


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"hookcast_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(f"postgresql://{PG_SERVER}/postgres", timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL not reachable at {PG_SERVER}: {exc}")
        raise
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+asyncpg://{PG_SERVER}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each test using it runs twice: on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}"
        return
    async with fresh_postgres_database() as url:
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
