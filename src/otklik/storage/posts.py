"""Social-media posts and web-analytics traffic rows, stored by their identity key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.campaign import Post, Traffic
from otklik.storage.schema import post, traffic

_POST_FIELDS = tuple(f for f in Post.__dataclass_fields__)
_TRAFFIC_FIELDS = tuple(f for f in Traffic.__dataclass_fields__)


def upsert(
    conn: Connection, ws_id: int, kind: str, rows: Sequence[Mapping[str, Any]], now: datetime
) -> tuple[int, int, int]:
    """Store rows of `kind` (post | traffic), each with a `key` and `raw`: a new key is
    added, a known one with other numbers is updated, an identical one is left.
    Returns (added, updated, unchanged)."""
    table = post if kind == "post" else traffic
    fields = _POST_FIELDS if kind == "post" else _TRAFFIC_FIELDS
    keys = [r["key"] for r in rows]
    known = {
        r.key: r
        for r in conn.execute(
            sa.select(table).where(table.c.workspace_id == ws_id, table.c.key.in_(keys))
        )
    }
    added = updated = 0
    fresh: dict[str, dict[str, Any]] = {}
    for row in rows:
        values = {f: row.get(f) for f in fields} | {"raw": row["raw"]}
        old = known.get(row["key"])
        if old is None:
            extra = {"imported_at": now} if kind == "post" else {}
            fresh[row["key"]] = {**values, **extra, "workspace_id": ws_id, "key": row["key"]}
        elif any(getattr(old, f) != values[f] for f in fields):
            conn.execute(sa.update(table).where(table.c.id == old.id).values(**values))
            updated += 1
    if fresh:
        conn.execute(sa.insert(table), list(fresh.values()))
        added = len(fresh)
    return added, updated, len(rows) - added - updated


def posts(conn: Connection, ws_id: int, start: datetime, end: datetime) -> list[Post]:
    """Posts published in [start, end) (naive UTC), oldest first."""
    rows = conn.execute(
        sa.select(*(post.c[f] for f in _POST_FIELDS))
        .where(
            post.c.workspace_id == ws_id,
            post.c.published_at >= start,
            post.c.published_at < end,
        )
        .order_by(post.c.published_at, post.c.id)
    )
    return [Post(**r._asdict()) for r in rows]


def traffic_rows(conn: Connection, ws_id: int, start: date, end: date) -> list[Traffic]:
    """Traffic rows of the days between start and end, inclusive."""
    rows = conn.execute(
        sa.select(*(traffic.c[f] for f in _TRAFFIC_FIELDS))
        .where(traffic.c.workspace_id == ws_id, traffic.c.day.between(start, end))
        .order_by(traffic.c.day, traffic.c.id)
    )
    return [Traffic(**r._asdict()) for r in rows]
