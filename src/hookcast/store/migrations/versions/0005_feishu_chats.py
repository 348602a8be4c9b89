"""feishu_chats: the Feishu / Lark assistant bot's chats, events, outgoing messages and keys

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "feishu_chats",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("token_sealed", sa.Text(), nullable=True),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("added_by", sa.String(length=128), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "chat_id", name="uq_feishu_chats_chat"),
        sa.UniqueConstraint("token_digest"),
    )
    op.create_table(
        "feishu_bot_events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at"),
        _when("lease_until", nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        _when("received_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "event_id", name="uq_feishu_bot_events_event"),
    )
    op.create_index("ix_feishu_bot_events_due", "feishu_bot_events", ["state", "next_attempt_at"])
    op.create_table(
        "feishu_bot_messages",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("receive_id_type", sa.String(length=16), nullable=False),
        sa.Column("receive_id", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("card_sealed", sa.Text(), nullable=False),
        sa.Column("uuid", sa.String(length=50), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at"),
        _when("lease_until", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feishu_bot_messages_due", "feishu_bot_messages", ["state", "next_attempt_at"])
    op.create_table(
        "feishu_bot_keys",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("verification_token_sealed", sa.Text(), nullable=False),
        sa.Column("encrypt_key_sealed", sa.Text(), nullable=True),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("platform"),
    )


def downgrade() -> None:
    op.drop_table("feishu_bot_keys")
    op.drop_index("ix_feishu_bot_messages_due", table_name="feishu_bot_messages")
    op.drop_table("feishu_bot_messages")
    op.drop_index("ix_feishu_bot_events_due", table_name="feishu_bot_events")
    op.drop_table("feishu_bot_events")
    op.drop_table("feishu_chats")
