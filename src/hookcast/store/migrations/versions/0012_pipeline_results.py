"""pipeline_results and webhooks.pipelines_to_be_notified: pipelines that say what changed

``pipeline_results`` remembers the last finished pipeline per project and ref, for "fixed" /
"still failing". ``webhooks.pipelines_to_be_notified`` (all | broken_and_fixed | broken) takes
the place of the boolean ``notify_only_broken_pipelines``: true becomes ``broken``. Going back,
``broken`` becomes true and ``broken_and_fixed`` false (every pipeline), the nearest the boolean
can say.

Plain ALTER TABLE, not a batch: on SQLite a batch recreates ``webhooks``, and with foreign keys
on, dropping the old table would cascade to every webhook's deliveries. SQLite >= 3.35 adds and
drops a column in place.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipeline_results",
        sa.Column("project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("gitlab_path", sa.Text(), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("pipeline_id", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("previous_status", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", "gitlab_path", "ref"),
    )
    op.add_column(
        "webhooks",
        sa.Column("pipelines_to_be_notified", sa.String(32), nullable=False, server_default="all"),
    )
    webhooks = sa.table(
        "webhooks", sa.column("notify_only_broken_pipelines"), sa.column("pipelines_to_be_notified")
    )
    op.execute(
        webhooks.update()
        .where(webhooks.c.notify_only_broken_pipelines == sa.true())
        .values(pipelines_to_be_notified="broken")
    )
    op.drop_column("webhooks", "notify_only_broken_pipelines")


def downgrade() -> None:
    op.add_column(
        "webhooks",
        sa.Column("notify_only_broken_pipelines", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    webhooks = sa.table(
        "webhooks", sa.column("notify_only_broken_pipelines"), sa.column("pipelines_to_be_notified")
    )
    op.execute(
        webhooks.update()
        .where(webhooks.c.pipelines_to_be_notified == "broken")
        .values(notify_only_broken_pipelines=sa.true())
    )
    op.drop_column("webhooks", "pipelines_to_be_notified")
    op.drop_table("pipeline_results")
