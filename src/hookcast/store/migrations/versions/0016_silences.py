"""silences: matchers and a time window that mute events, per project or instance-wide

``silences`` keeps each silence: its project (null: every project), its conditions (the JSON of a
`hookcast.matching.EventMatch`), when it starts and ends (expiring one early sets ``ends_at``),
who made it and why. ``deliveries.silence_id`` names the silence a ``silenced`` delivery was born
under. No foreign key: deleting a silence later must leave the history as it was (the history
then says "silenced by a deleted silence").

Plain ALTER TABLE, not a batch (see 0014).

Revision ID: 0016_silences
Revises: 0015_github_login
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_silences"
down_revision = "0015_github_login"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "silences",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("project_id", _ID, nullable=True),
        sa.Column("match", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_silences_window", "silences", ["ends_at", "project_id"])
    op.add_column("deliveries", sa.Column("silence_id", _ID, nullable=True))


def downgrade() -> None:
    op.drop_column("deliveries", "silence_id")  # SQLite >= 3.35 drops a column in place
    op.drop_index("ix_silences_window", table_name="silences")
    op.drop_table("silences")
