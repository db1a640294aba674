"""survey.closed_at: when a survey stopped taking answers (none: it is open)

Revision ID: 0011_survey_closed
Revises: 0009_flags
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The chain is not in file order: 0007 → 0008 → 0006 → 0010 → 0009 → this one.
revision = "0011_survey_closed"
down_revision = "0009_flags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey") as batch:
        batch.drop_column("closed_at")
