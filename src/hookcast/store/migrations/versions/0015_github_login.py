"""github_login: a person's GitHub login, so that GitHub events find them in the directory

``people.github_login`` (null: not known) is kept as given and compared without regard to case,
as GitHub compares logins; the unique index is on its lower-case form, so two people cannot
carry the same login in different cases.

Plain ALTER TABLE and an index, not a batch: on SQLite a batch recreates the table.

Revision ID: 0015_github_login
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_github_login"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("github_login", sa.String(39), nullable=True))
    op.create_index("uq_people_github_login", "people", [sa.text("lower(github_login)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_people_github_login", table_name="people")
    op.drop_column("people", "github_login")  # SQLite >= 3.35 drops a column in place
