"""a workspace's default UI language

Revision ID: 0004_i18n
Revises: 0003_jobs
Create Date: 2026-11-27 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_i18n"
down_revision = "0003_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("language")
