"""routing rules: a webhook's rules, and what routing decided for each event

``webhooks.rules`` keeps a webhook's ordered routing rules (JSON, validated on save by
`hookcast.rules`; null: none). ``events.decisions`` keeps, per webhook of the event's project,
what the filters and rules decided when the event arrived (JSON list of ``{webhook_id, outcome,
by, detail}``, written in the event's own insert; null: an event from before, or an ignored one),
which "why did (not) this notify?" shows.

Plain ALTER TABLE, not a batch (see 0014).

Revision ID: 0018_rules
Revises: 0017_templates
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_rules"
down_revision = "0017_templates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhooks", sa.Column("rules", sa.JSON(), nullable=True))
    op.add_column("events", sa.Column("decisions", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("events", "decisions")  # SQLite >= 3.35 drops a column in place
    op.drop_column("webhooks", "rules")
