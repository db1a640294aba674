"""campaigns, goals, manual values, posts and traffic

Revision ID: 0008_campaigns
Revises: 0004_i18n
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_campaigns"
down_revision = "0007_surveys"
branch_labels = None
depends_on = None


def _ws(table: str) -> sa.Column[int]:
    return sa.Column(
        "workspace_id",
        sa.Integer,
        sa.ForeignKey(
            "workspace.id", ondelete="CASCADE", name=op.f(f"fk_{table}_workspace_id_workspace")
        ),
        nullable=False,
    )


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, autoincrement=True, nullable=False)


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _uq(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def upgrade() -> None:
    op.create_table(
        "campaign",
        _id(),
        _ws("campaign"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("brand", sa.String(200)),
        sa.Column("partners", sa.JSON, nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("utm_campaigns", sa.JSON, nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("worked", sa.Text),
        sa.Column("not_worked", sa.Text),
        sa.Column("ideas", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        _pk("campaign", "id"),
        _uq("campaign", "workspace_id", "name"),
    )
    op.create_table(
        "goal",
        _id(),
        _ws("goal"),
        sa.Column(
            "campaign_id",
            sa.Integer,
            sa.ForeignKey(
                "campaign.id", ondelete="CASCADE", name=op.f("fk_goal_campaign_id_campaign")
            ),
            nullable=False,
        ),
        sa.Column("metric", sa.String(120), nullable=False),
        sa.Column("target", sa.Float),
        sa.Column("deadline", sa.Date),
        sa.Column("specific", sa.Text),
        sa.Column("measurable", sa.Text),
        sa.Column("achievable", sa.Text),
        sa.Column("relevant", sa.Text),
        sa.Column("time_bound", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        _pk("goal", "id"),
    )
    op.create_index("ix_goal_campaign_id", "goal", ["campaign_id"])
    op.create_table(
        "manual_value",
        _ws("manual_value"),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        _pk("manual_value", "workspace_id", "name", "day"),
    )
    op.create_table(
        "post",
        _id(),
        _ws("post"),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("account", sa.String(300), nullable=False),
        sa.Column("account_kind", sa.String(16), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("rubric", sa.String(200)),
        *(
            sa.Column(name, sa.BigInteger)
            for name in (
                "reach",
                "views",
                "likes",
                "comments",
                "reposts",
                "saves",
                "link_clicks",
                "followers",
            )
        ),
        sa.Column("plan", sa.String(16), nullable=False),
        sa.Column("raw", sa.JSON, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        _pk("post", "id"),
        _uq("post", "workspace_id", "key"),
    )
    op.create_index("ix_post_ws_published", "post", ["workspace_id", "published_at"])
    op.create_table(
        "traffic",
        _id(),
        _ws("traffic"),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("medium", sa.String(200), nullable=False),
        sa.Column("campaign", sa.String(300), nullable=False),
        sa.Column("device", sa.String(64)),
        sa.Column("sessions", sa.BigInteger, nullable=False),
        sa.Column("bounce_rate", sa.Float),
        sa.Column("pages_per_session", sa.Float),
        sa.Column("duration_s", sa.Float),
        sa.Column("conversions", sa.BigInteger),
        sa.Column("raw", sa.JSON, nullable=False),
        _pk("traffic", "id"),
        _uq("traffic", "workspace_id", "key"),
    )
    op.create_index("ix_traffic_ws_day", "traffic", ["workspace_id", "day"])


def downgrade() -> None:
    for table in ("traffic", "post", "manual_value", "goal", "campaign"):
        op.drop_table(table)
