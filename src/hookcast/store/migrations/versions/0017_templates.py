"""templates: each webhook's message templates

``webhooks.templates`` (JSON, null: none) keeps a webhook's message templates by event kind
(`services/message_templates.py`); a kind without one gets the built-in message.

Plain ALTER TABLE, not a batch: on SQLite a batch recreates ``webhooks``, and with foreign keys
on, dropping the old table would cascade to every webhook's deliveries.

Revision ID: 0017_templates
Revises: 0016_silences
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_templates"
down_revision = "0016_silences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhooks", sa.Column("templates", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("webhooks", "templates")
