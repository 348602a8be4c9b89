"""review_reminders: what hookcast knows of merge requests, and each webhook's reminder

``merge_requests`` keeps one row per merge request of a GitLab project (open, or merged / closed
for a while so that late events cannot reopen it), written by intake. ``webhooks.review_reminders``
(JSON, null: none) keeps the reminder's time, weekdays, time zone, recipients and draft switch;
``webhooks.reminded_at`` the newest scheduled instant already handled.

Plain ALTER TABLE, not a batch: on SQLite a batch recreates ``webhooks``, and with foreign keys
on, dropping the old table would cascade to every webhook's deliveries.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "merge_requests",
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("gitlab_path", sa.Text(), nullable=False),
        sa.Column("iid", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("author", sa.JSON(), nullable=False),
        sa.Column("reviewers", sa.JSON(), nullable=False),
        sa.Column("approved_by", sa.JSON(), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", "gitlab_path", "iid"),
    )
    op.add_column("webhooks", sa.Column("review_reminders", sa.JSON(), nullable=True))
    op.add_column("webhooks", sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("webhooks", "reminded_at")  # SQLite >= 3.35 drops a column in place
    op.drop_column("webhooks", "review_reminders")
    op.drop_table("merge_requests")
