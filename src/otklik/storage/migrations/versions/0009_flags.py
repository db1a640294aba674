"""complaint and question flags per mention; the sentiment tier that labelled it and the
encoder's int8 embedding

Revision ID: 0009_flags
Revises: 0004_i18n
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_flags"
down_revision = "0010_wire"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("analysis") as batch:
        batch.add_column(
            sa.Column("is_complaint", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(
            sa.Column("is_question", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("sentiment_tier", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analysis") as batch:
        batch.drop_column("embedding")
        batch.drop_column("sentiment_tier")
        batch.drop_column("is_question")
        batch.drop_column("is_complaint")
