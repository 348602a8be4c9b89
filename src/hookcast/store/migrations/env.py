"""Alembic environment: migrations run on the connection hookcast hands over."""

from __future__ import annotations

from alembic import context

from hookcast.store import accounts, directory, feishu_chats  # noqa: F401  (their tables join Base.metadata)
from hookcast.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through 'hookcast migrate'")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
