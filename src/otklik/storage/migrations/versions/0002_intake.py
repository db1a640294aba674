"""intake: item identity by URL, and who owns a running import

Revision ID: 0002_intake
Revises: 0001
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0002_intake"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mention") as batch:
        batch.add_column(sa.Column("url_key", sa.String(length=32), nullable=True))
        batch.create_index("ix_mention_source_url_key", ["source_id", "url_key"])
    with op.batch_alter_table("import_run") as batch:
        batch.add_column(sa.Column("updated", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hostname", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
    _fill_url_keys()


def _fill_url_keys() -> None:
    # The same hash storage/mentions.py computes for new rows (sha-256 of the URL, 32 hex).
    conn = op.get_bind()
    mention = sa.table(
        "mention",
        sa.column("id", sa.Integer),
        sa.column("url", sa.Text),
        sa.column("url_key", sa.String),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(mention.c.id, mention.c.url)
            .where(mention.c.url.is_not(None), mention.c.id > last)
            .order_by(mention.c.id)
            .limit(5000)
        ).all()
        if not rows:
            return
        for mid, url in rows:
            key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
            conn.execute(sa.update(mention).where(mention.c.id == mid).values(url_key=key))
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("import_run") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("hostname")
        batch.drop_column("pid")
        batch.drop_column("updated")
    with op.batch_alter_table("mention") as batch:
        batch.drop_index("ix_mention_source_url_key")
        batch.drop_column("url_key")
