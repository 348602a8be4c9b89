"""feishu_bot_events / feishu_bot_messages use the outbox's states: ``working`` becomes
``sending``, ``done`` / ``sent`` become ``delivered`` (the bot's queues are claimed and settled by
the outbox's primitives). Only state words change; every row is kept, and downgrade restores them.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# (table, old word, new word)
RENAMES = (
    ("feishu_bot_events", "working", "sending"),
    ("feishu_bot_events", "done", "delivered"),
    ("feishu_bot_messages", "working", "sending"),
    ("feishu_bot_messages", "sent", "delivered"),
)


def _rename(table: str, old: str, new: str) -> None:
    op.execute(
        sa.text(f"UPDATE {table} SET state = :new WHERE state = :old").bindparams(new=new, old=old)  # noqa: S608
    )


def upgrade() -> None:
    for table, old, new in RENAMES:
        _rename(table, old, new)


def downgrade() -> None:
    for table, old, new in RENAMES:
        _rename(table, new, old)
    # "dead" (retries used up) did not exist: it was "failed".
    for table in ("feishu_bot_events", "feishu_bot_messages"):
        _rename(table, "dead", "failed")
