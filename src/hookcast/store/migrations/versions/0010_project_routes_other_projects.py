"""project_routes_other_projects: a project's token reaches other projects only by opt-in

A project could re-route events to whichever project's ``gitlab_path`` equalled the body's path,
and one with no path could do so for every project (issue 13, High 1). The new flag makes the
group / system hook receiver an explicit choice. Projects already scoped to a path were set up
as group hooks or as one project's hook; they keep routing inside their scope. Projects without
a path lose the re-routing: that is the fix.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: on SQLite a batch recreates ``projects``, and with foreign
# keys on, dropping the old table would cascade to every project's webhooks and events.


def upgrade() -> None:
    op.add_column(
        "projects",
        sa.Column("routes_other_projects", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    projects = sa.table("projects", sa.column("gitlab_path"), sa.column("routes_other_projects"))
    op.execute(
        projects.update()
        .where(projects.c.gitlab_path.is_not(None), projects.c.gitlab_path != "")
        .values(routes_other_projects=sa.true())
    )


def downgrade() -> None:
    op.drop_column("projects", "routes_other_projects")  # SQLite >= 3.35 drops a column in place
