"""A workspace's time zone: changing it moves every mention's local day and the rollups."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.storage import rollups
from otklik.storage.schema import mention, workspace

_CHUNK = 5000


def set_timezone(conn: Connection, workspace_id: int, name: str) -> None:
    """Store the workspace's zone and recompute its mentions' days and rollups in it."""
    tz = ZoneInfo(name)
    conn.execute(sa.update(workspace).where(workspace.c.id == workspace_id).values(timezone=name))
    rows = conn.execute(
        sa.select(mention.c.id, mention.c.published_at).where(
            mention.c.workspace_id == workspace_id
        )
    ).all()
    update = (
        sa.update(mention)
        .where(mention.c.id == sa.bindparam("mention_id"))
        .values(day=sa.bindparam("new_day"))
    )
    for start in range(0, len(rows), _CHUNK):
        changes = [
            {
                "mention_id": r.id,
                "new_day": r.published_at.replace(tzinfo=UTC).astimezone(tz).date(),
            }
            for r in rows[start : start + _CHUNK]
        ]
        conn.execute(update, changes)
    rollups.rebuild(conn, workspace_id)
