"""Migration 0009: the Feishu bot's queues take the outbox's state words, every row kept, and
the downgrade gives the old words back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from hookcast.store.db import create_engine
from hookcast.store.migrate import alembic_config

# These tests move the schema between revisions themselves.
pytestmark = pytest.mark.empty_database

OLD_EVENTS = {"e-pending": "pending", "e-working": "working", "e-done": "done", "e-failed": "failed"}
OLD_MESSAGES = {"m-pending": "pending", "m-working": "working", "m-sent": "sent", "m-failed": "failed"}


def _migrate(connection: Connection, to: str, *, down: bool = False) -> None:
    (command.downgrade if down else command.upgrade)(alembic_config(connection), to)


def _seed(connection: Connection) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for key, state in OLD_EVENTS.items():
        connection.execute(
            text(
                "INSERT INTO feishu_bot_events (platform, event_id, event_type, payload, base_url, state,"
                " attempts, next_attempt_at, received_at, updated_at)"
                " VALUES ('feishu', :key, 't', '{}', 'https://h', :state, 1, :now, :now, :now)"
            ),
            {"key": key, "state": state, "now": now},
        )
    for key, state in OLD_MESSAGES.items():
        connection.execute(
            text(
                "INSERT INTO feishu_bot_messages (platform, receive_id_type, receive_id, purpose,"
                " card_sealed, uuid, state, attempts, next_attempt_at, created_at, updated_at)"
                " VALUES ('feishu', 'chat_id', :key, 'welcome', 'sealed', :key, :state, 1, :now, :now, :now)"
            ),
            {"key": key, "state": state, "now": now},
        )


def _states(connection: Connection) -> tuple[dict[str, str], dict[str, str]]:
    events = connection.execute(text("SELECT event_id, state FROM feishu_bot_events"))
    messages = connection.execute(text("SELECT receive_id, state FROM feishu_bot_messages"))
    return {key: state for key, state in events}, {key: state for key, state in messages}


async def test_the_bot_queues_keep_every_row_through_the_state_renaming(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, "0006")
            await connection.run_sync(_seed)
            await connection.run_sync(_migrate, "0009")
            events, messages = await connection.run_sync(_states)
            assert events == {
                "e-pending": "pending",
                "e-working": "sending",
                "e-done": "delivered",
                "e-failed": "failed",
            }
            assert messages == {
                "m-pending": "pending",
                "m-working": "sending",
                "m-sent": "delivered",
                "m-failed": "failed",
            }
            await connection.run_sync(_migrate, "0006", down=True)
            assert await connection.run_sync(_states) == (OLD_EVENTS, OLD_MESSAGES)
    finally:
        await engine.dispose()
