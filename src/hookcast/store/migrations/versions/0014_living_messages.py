"""living messages: the message posted per object, the object of a delivery, and two webhook options

``message_refs`` keeps, per (webhook, object), the platform's reference to the message hookcast
posted for it and the object's history (`store/message_refs.py`). ``deliveries.object_key`` names
the object of a group row whose webhook's messages live: such a row waits for the earlier rows
of its object (the index serves that check). ``webhooks.message_mode`` (null: the platform's
default) and ``webhooks.alert_flap_window_minutes`` (null: 60).

Plain ALTER TABLE, not a batch: on SQLite a batch recreates the table, and with foreign keys on,
dropping the old ``webhooks`` would cascade to every webhook's deliveries.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "message_refs",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", _ID, nullable=False),
        sa.Column("object_key", sa.String(300), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("last_action", sa.String(64), nullable=False),
        sa.Column("flaps", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["webhook_id"], ["webhooks.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("webhook_id", "object_key", name="uq_message_refs_object"),
    )
    op.add_column("deliveries", sa.Column("object_key", sa.String(300), nullable=True))
    op.create_index("ix_deliveries_object", "deliveries", ["webhook_id", "object_key", "id"])
    op.add_column("webhooks", sa.Column("message_mode", sa.String(16), nullable=True))
    op.add_column("webhooks", sa.Column("alert_flap_window_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("webhooks", "alert_flap_window_minutes")  # SQLite >= 3.35 drops a column in place
    op.drop_column("webhooks", "message_mode")
    op.drop_index("ix_deliveries_object", table_name="deliveries")
    op.drop_column("deliveries", "object_key")
    op.drop_table("message_refs")
