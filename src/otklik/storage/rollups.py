"""Dashboard counts kept in step with mentions, inside the caller's transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.storage.bulk import bound_rows, sqlite_variables
from otklik.storage.schema import (
    analysis,
    mention,
    mention_brand,
    mention_tag,
    rollup_brand_daily,
    rollup_daily,
    rollup_tag_daily,
)

DailyKey = tuple[date, int, str, str, str]  # day, brand_id (0 = all), channel, sentiment, language
TagKey = tuple[date, int, int]  # day, tag_id, brand_id (0 = all)
BrandKey = tuple[date, int, str, int]  # day, brand_id (0 = all), sentiment, star (0 = none)


def star(rating: float | None) -> int:
    """A 1–5 rating as whole stars, half up (4.5 → 5); 0 for no rating."""
    if rating is None:
        return 0
    return min(5, max(1, int(rating + 0.5)))


class RollupDelta:
    """Counts to add (or subtract) for a set of mentions."""

    def __init__(self) -> None:
        self.daily: Counter[DailyKey] = Counter()
        self.brands: Counter[BrandKey] = Counter()
        self.tags: Counter[TagKey] = Counter()

    def add(
        self,
        *,
        day: date,
        channel: str,
        sentiment: str | None,
        language: str | None,
        brands: Iterable[tuple[int, str | None]],
        tag_ids: Iterable[int],
        rating: float | None = None,
        sign: int = 1,
    ) -> None:
        """Count one mention (sign -1 removes it)."""
        overall = sentiment or ""
        lang = language or ""
        stars = star(rating)
        self.daily[(day, 0, channel, overall, lang)] += sign
        self.brands[(day, 0, overall, stars)] += sign
        brand_ids = {0}
        for brand_id, brand_sentiment in brands:
            towards = brand_sentiment or overall
            self.daily[(day, brand_id, channel, towards, lang)] += sign
            self.brands[(day, brand_id, towards, stars)] += sign
            brand_ids.add(brand_id)
        for tag_id in set(tag_ids):
            for brand_id in brand_ids:
                self.tags[(day, tag_id, brand_id)] += sign


def combine(*deltas: RollupDelta) -> RollupDelta:
    """One delta holding the sum of several (e.g. removal before a change, addition after)."""
    out = RollupDelta()
    for delta in deltas:
        out.daily.update(delta.daily)
        out.brands.update(delta.brands)
        out.tags.update(delta.tags)
    return out


def apply(conn: Connection, workspace_id: int, delta: RollupDelta) -> None:
    """Add the delta to the rollup tables and drop rows that fell to zero.

    Rows go in key order, so two transactions touching the same rows (an import and a
    re-match on PostgreSQL) lock them in the same order instead of deadlocking."""
    daily = [
        {
            "workspace_id": workspace_id,
            "day": k[0],
            "brand_id": k[1],
            "channel": k[2],
            "sentiment": k[3],
            "language": k[4],
            "count": n,
        }
        for k, n in sorted(delta.daily.items())
        if n
    ]
    tags = [
        {"workspace_id": workspace_id, "day": k[0], "tag_id": k[1], "brand_id": k[2], "count": n}
        for k, n in sorted(delta.tags.items())
        if n
    ]
    brands = [
        {
            "workspace_id": workspace_id,
            "day": k[0],
            "brand_id": k[1],
            "sentiment": k[2],
            "rating": k[3],
            "count": n,
        }
        for k, n in sorted(delta.brands.items())
        if n
    ]
    for table, rows, counts in (
        (rollup_daily, daily, delta.daily),
        (rollup_brand_daily, brands, delta.brands),
        (rollup_tag_daily, tags, delta.tags),
    ):
        _upsert_add(conn, table, rows)
        if any(n < 0 for n in counts.values()):
            conn.execute(
                sa.delete(table).where(table.c.workspace_id == workspace_id, table.c.count <= 0)
            )


def _upsert_add(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        _upsert_add_sqlite(conn, table, rows)
        return
    from sqlalchemy.dialects.postgresql import insert

    stmt = insert(table)
    keys = [c.name for c in table.primary_key.columns]
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={"count": table.c.count + stmt.excluded.count}
    )
    conn.execute(stmt, list(rows))


def _upsert_add_sqlite(
    conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """The upsert as a few statements of many rows on the driver's cursor: SQLAlchemy's
    per-row parameters cost more than the upsert itself (keys are unique within a delta)."""
    columns, data = bound_rows(conn, table, rows)
    keys = ", ".join(c.name for c in table.primary_key.columns)
    one = f"({', '.join('?' * len(columns))})"
    per = max(1, sqlite_variables(conn) // len(columns))
    tail = f" ON CONFLICT ({keys}) DO UPDATE SET count = {table.name}.count + excluded.count"
    cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for start in range(0, len(data), per):
            part = data[start : start + per]
            cursor.execute(
                f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
                + ", ".join([one] * len(part))
                + tail,
                list(chain.from_iterable(part)),
            )
    finally:
        cursor.close()


def delta_for(conn: Connection, mention_ids: Sequence[int], sign: int) -> RollupDelta:
    """The rollup contribution of stored mentions, read back from the database."""
    delta = RollupDelta()
    for chunk_start in range(0, len(mention_ids), 5000):
        chunk = list(mention_ids[chunk_start : chunk_start + 5000])
        rows = conn.execute(
            sa.select(
                mention.c.id,
                mention.c.day,
                mention.c.channel,
                mention.c.rating,
                analysis.c.sentiment,
                analysis.c.language,
            )
            .select_from(mention.outerjoin(analysis, analysis.c.mention_id == mention.c.id))
            .where(mention.c.id.in_(chunk))
        ).all()
        brands: dict[int, list[tuple[int, str | None]]] = {}
        for mid, bid, bsent in conn.execute(
            sa.select(
                mention_brand.c.mention_id, mention_brand.c.brand_id, mention_brand.c.sentiment
            ).where(mention_brand.c.mention_id.in_(chunk))
        ):
            brands.setdefault(mid, []).append((bid, bsent))
        tags: dict[int, set[int]] = {}
        for mid, tid in conn.execute(
            sa.select(mention_tag.c.mention_id, mention_tag.c.tag_id).where(
                mention_tag.c.mention_id.in_(chunk)
            )
        ):
            tags.setdefault(mid, set()).add(tid)
        for mid, day, channel, rating, sentiment, language in rows:
            delta.add(
                day=day,
                channel=channel,
                rating=rating,
                sentiment=sentiment,
                language=language,
                brands=brands.get(mid, []),
                tag_ids=tags.get(mid, set()),
                sign=sign,
            )
    return delta


def rebuild(conn: Connection, workspace_id: int) -> None:
    """Recompute a workspace's rollups from scratch (repair tool)."""
    for table in (rollup_daily, rollup_brand_daily, rollup_tag_daily):
        conn.execute(sa.delete(table).where(table.c.workspace_id == workspace_id))
    ids = [
        r[0]
        for r in conn.execute(sa.select(mention.c.id).where(mention.c.workspace_id == workspace_id))
    ]
    apply(conn, workspace_id, delta_for(conn, ids, 1))
