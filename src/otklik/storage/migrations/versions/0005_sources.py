"""sources that poll or receive: secret, pause, health and poll state

Revision ID: 0005_sources
Revises: 0004_i18n
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sources"
down_revision = "0004_i18n"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("secret", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("is_paused", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("every_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("schedule_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("state", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("items_total", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        for name in (
            "last_error",
            "items_total",
            "state",
            "schedule_id",
            "every_minutes",
            "is_paused",
            "secret",
        ):
            batch.drop_column(name)
