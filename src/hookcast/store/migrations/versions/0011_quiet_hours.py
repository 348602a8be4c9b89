"""quiet_hours: a webhook's quiet hours, and the deliveries they hold

``webhooks.quiet_hours`` (JSON, null: none) keeps the window, the quiet weekdays, the time zone
and what breaks through; ``deliveries.held_until`` marks a delivery born inside them, due when
they end and sent then in one digest with the others held.

PLACEHOLDER revision number: another branch also adds a 0011; renumber at merge.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: on SQLite a batch recreates the table, and with foreign keys on,
# dropping the old ``webhooks`` would cascade to every webhook's deliveries.


def upgrade() -> None:
    op.add_column("webhooks", sa.Column("quiet_hours", sa.JSON(), nullable=True))
    op.add_column("deliveries", sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("deliveries", "held_until")  # SQLite >= 3.35 drops a column in place
    op.drop_column("webhooks", "quiet_hours")
