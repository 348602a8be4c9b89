"""Alembic environment: migrations run on the connection hookcast hands over."""

from __future__ import annotations

from alembic import context

from hookcast.store import accounts, directory, feishu_chats  # noqa: F401  (their tables join Base.metadata)
from hookcast.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through 'hookcast migrate'")

sqlite = connection.dialect.name == "sqlite"
if sqlite:
    # Batch mode rebuilds a table to drop or alter a column on SQLite. With foreign keys on (as
    # hookcast's connections have them), dropping the old table would cascade and delete every
    # row that refers to it: all deliveries with their webhooks' table. Off while migrating (it
    # must be set before SQLite opens a transaction), checked after, and the connections are
    # renewed by the caller (`store.migrate`), whose connect hook turns them on again.
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite)
with context.begin_transaction():
    context.run_migrations()

if sqlite:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"a migration left rows that refer to missing ones: {broken[:5]}")
