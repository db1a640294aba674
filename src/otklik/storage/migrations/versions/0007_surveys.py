"""surveys: documents, responses, invitations, opt-outs, the public form's counter, clicks

Revision ID: 0007_surveys
Revises: 0004_i18n
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_surveys"
down_revision = "0005_sources"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=op.f(f"pk_{table}"))


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _ws() -> sa.Column[int]:
    return sa.Column("workspace_id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "survey",
        _id(),
        _ws(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("survey", "workspace_id", "workspace", "CASCADE"),
        _fk("survey", "source_id", "source", "SET NULL"),
        _pk("survey", "id"),
        sa.UniqueConstraint("slug", name=op.f("uq_survey_slug")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_survey_workspace_id_name")),
    )
    op.create_table(
        "survey_response",
        _id(),
        _ws(),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("nps", sa.SmallInteger(), nullable=True),
        sa.Column("csat", sa.SmallInteger(), nullable=True),
        sa.Column("ces", sa.SmallInteger(), nullable=True),
        sa.Column("is_case", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("survey_response", "workspace_id", "workspace", "CASCADE"),
        _fk("survey_response", "survey_id", "survey", "CASCADE"),
        _fk("survey_response", "mention_id", "mention", "SET NULL"),
        _pk("survey_response", "id"),
    )
    op.create_index(
        "ix_survey_response_survey_id_created_at", "survey_response", ["survey_id", "created_at"]
    )
    op.create_index("ix_survey_response_mention_id", "survey_response", ["mention_id"])
    op.create_table(
        "survey_invitation",
        _id(),
        _ws(),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("remind_at", sa.DateTime(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("skipped", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("survey_invitation", "workspace_id", "workspace", "CASCADE"),
        _fk("survey_invitation", "survey_id", "survey", "CASCADE"),
        _pk("survey_invitation", "id"),
        sa.UniqueConstraint("token", name=op.f("uq_survey_invitation_token")),
    )
    op.create_index("ix_survey_invitation_send_at", "survey_invitation", ["send_at"])
    op.create_index(
        "ix_survey_invitation_workspace_id_email", "survey_invitation", ["workspace_id", "email"]
    )
    op.create_table(
        "survey_optout",
        _ws(),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("survey_optout", "workspace_id", "workspace", "CASCADE"),
        _pk("survey_optout", "workspace_id", "email"),
    )
    op.create_table(
        "survey_hit",
        _id(),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        _pk("survey_hit", "id"),
    )
    op.create_index("ix_survey_hit_key_at", "survey_hit", ["key", "at"])
    op.create_table(
        "survey_click",
        _id(),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("clicked_at", sa.DateTime(), nullable=False),
        _fk("survey_click", "survey_id", "survey", "CASCADE"),
        _pk("survey_click", "id"),
    )
    op.create_index("ix_survey_click_survey_id", "survey_click", ["survey_id"])


def downgrade() -> None:
    for table in (
        "survey_click",
        "survey_hit",
        "survey_optout",
        "survey_invitation",
        "survey_response",
        "survey",
    ):
        op.drop_table(table)
