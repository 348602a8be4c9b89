"""webhook_settings: one JSON column of declared settings replaces webhooks.secret_sealed / keyword

The column holds {"plain": {name: value}, "sealed": {name: SecretBox token}}. The sealed secret
moves over as the token it already is, so neither direction needs the instance's key.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_KEYWORD_LENGTH = 200


def _webhooks(*columns: sa.ColumnClause[Any]) -> sa.TableClause:
    return sa.table("webhooks", sa.column("id", sa.BigInteger()), *columns)


def upgrade() -> None:
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings", sa.JSON(), nullable=True))
    webhooks = _webhooks(
        sa.column("secret_sealed", sa.Text()),
        sa.column("keyword", sa.String()),
        sa.column("settings", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(webhooks.c.id, webhooks.c.secret_sealed, webhooks.c.keyword)).all()
    moved = [
        {
            "row_id": row_id,
            "value": {
                "plain": {"keyword": keyword} if keyword else {},
                "sealed": {"secret": secret} if secret else {},
            },
        }
        for row_id, secret, keyword in rows
    ]
    if moved:
        connection.execute(
            webhooks.update()
            .where(webhooks.c.id == sa.bindparam("row_id"))
            .values(settings=sa.bindparam("value")),
            moved,
        )
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.alter_column("settings", existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column("secret_sealed")
        batch_op.drop_column("keyword")


def downgrade() -> None:
    """Back to the two columns: ``secret`` and ``keyword`` return; other settings (declared by
    platforms added later) have no column to go to and are dropped."""
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_sealed", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("keyword", sa.String(length=OLD_KEYWORD_LENGTH), nullable=True))
    webhooks = _webhooks(
        sa.column("secret_sealed", sa.Text()),
        sa.column("keyword", sa.String()),
        sa.column("settings", sa.JSON()),
    )
    connection = op.get_bind()
    moved = []
    for row_id, settings in connection.execute(sa.select(webhooks.c.id, webhooks.c.settings)).all():
        stored = settings or {}
        keyword = (stored.get("plain") or {}).get("keyword")
        moved.append(
            {
                "row_id": row_id,
                "secret": (stored.get("sealed") or {}).get("secret"),
                "kw": keyword[:OLD_KEYWORD_LENGTH] if keyword else None,
            }
        )
    if moved:
        connection.execute(
            webhooks.update()
            .where(webhooks.c.id == sa.bindparam("row_id"))
            .values(secret_sealed=sa.bindparam("secret"), keyword=sa.bindparam("kw")),
            moved,
        )
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.drop_column("settings")
