"""campaign.surveys: the surveys (by name) linked to a campaign

Revision ID: 0010_wire
Revises: 0008_campaigns
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_wire"
down_revision = "0006_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("surveys", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.drop_column("surveys")
