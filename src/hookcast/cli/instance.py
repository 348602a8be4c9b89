"""The instance the administration commands work on: the server's database, opened as it is.

The server creates the database, the key and the first admin token; the administration
commands only open them. Run from the wrong folder or with other settings, they say so in one
line instead of quietly starting a fresh, empty instance somewhere else.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from functools import cached_property
from typing import TYPE_CHECKING

from hookcast import __version__
from hookcast.settings import Settings, get_settings, redact_url

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from hookcast.crypto import SecretBox
    from hookcast.secret_keys import KeySource

HINT = "start 'hookcast serve' first, or set HOOKCAST_DATA_DIR / HOOKCAST_DATABASE_URL"


class MissingInstance(Exception):
    """There is no hookcast instance where the settings point; the message says where."""


class Instance:
    """Settings, sessions and (on first use) the secret box of an existing instance."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessions = sessions

    @cached_property
    def keys(self) -> KeySource:
        """Where the server's keys are; MissingInstance when there are none (never a new key,
        which would seal secrets the server cannot open)."""
        from hookcast.secret_keys import KeySource

        source = KeySource.of(self.settings)
        if not source.exists:
            raise MissingInstance(f"no secret key at {source.path} and HOOKCAST_SECRET_KEY is unset: {HINT}")
        return source

    @cached_property
    def box(self) -> SecretBox:
        """The server's keys, as the server holds them."""
        from hookcast.crypto import SecretBox

        source = self.keys
        watch = source.watch()
        return SecretBox(source.read(), watch=watch)


def check_database_file(settings: Settings) -> None:
    """Fail before opening a SQLite database that is not there (opening would create it)."""
    path = settings.database_file
    if path is not None and not path.is_file():
        raise MissingInstance(f"no hookcast database at {path}: {HINT}")


async def _check_schema(engine: AsyncEngine, settings: Settings) -> None:
    from sqlalchemy import inspect

    async with engine.connect() as connection:
        migrated = await connection.run_sync(lambda sync: inspect(sync).has_table("alembic_version"))
    if not migrated:
        raise MissingInstance(f"no hookcast database at {redact_url(settings.database_url)}: {HINT}")


@contextlib.asynccontextmanager
async def opened(settings: Settings | None = None) -> AsyncIterator[Instance]:
    """The instance the settings point at; MissingInstance when there is none. Nothing is
    created or migrated here: that is the server's work (or ``hookcast migrate``)."""
    from hookcast.store.db import create_engine, session_factory

    settings = settings or get_settings()
    check_database_file(settings)
    engine = create_engine(settings.database_url)
    try:
        await _check_schema(engine, settings)
        yield Instance(settings, session_factory(engine))
    finally:
        await engine.dispose()


def describe(settings: Settings | None = None) -> str:
    """What ``hookcast info`` prints: where the data is, as seen with the current settings."""
    from hookcast.secret_keys import KeySource

    settings = settings or get_settings()
    path = settings.database_file
    if path is None:
        state = "(not SQLite: not checked)"
    elif path.is_file():
        state = "(exists)"
    else:
        state = "(does not exist yet: 'hookcast serve' creates it)"
    public_url = settings.public_url or "not set (links use the address a request came to)"
    redis = "yes (rate limits shared by every process)" if settings.redis_url else "no"
    rows = (
        ("version", __version__),
        ("data dir", str(settings.data_dir)),
        ("database", f"{redact_url(settings.database_url)} {state}"),
        ("public URL", public_url),
        ("secret key", KeySource.of(settings).describe()),
        ("redis", redis),
    )
    return "\n".join(f"{name + ':':<12}{value}" for name, value in rows)
