"""Fixtures the integration tests share: a signed-in UI client, the fake platform server, an
engine on the test database (for the migration tests), and sessions on a migrated one (for tests
of the store itself)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hookcast.store import migrate
from hookcast.store.db import create_engine, session_factory
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.ui_helpers import UiClient, ui_client


@pytest.fixture
async def ui(database_url: str, tmp_path: Path) -> AsyncIterator[UiClient]:
    """The web UI, signed in as the admin (a module that needs it signed out defines its own)."""
    async with ui_client(database_url, tmp_path) as client:
        await client.sign_in()
        yield client


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def store(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test database, migrated to the newest schema."""
    await migrate.upgrade(engine)
    return session_factory(engine)
