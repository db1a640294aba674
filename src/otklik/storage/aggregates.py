"""Counts by dimension: from the rollup tables when they can answer, else from mentions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from otklik.domain.filters import Filters
from otklik.domain.records import Workspace
from otklik.errors import InputError
from otklik.storage import filtering
from otklik.storage.rollups import star
from otklik.storage.schema import (
    analysis,
    brand,
    mention,
    mention_brand,
    mention_tag,
    rollup_brand_daily,
    rollup_daily,
    rollup_tag_daily,
    source,
    tag,
)

DIMENSIONS = (
    "day",
    "week",
    "month",
    "channel",
    "sentiment",
    "language",
    "brand",
    "tag",
    "source",
    "status",
    "rating",
)
_TIME = {"day", "week", "month"}
_DAILY_DIMS = _TIME | {"channel", "sentiment", "language", "brand"}
_DAILY_FILTERS = {"brand", "channel", "sentiment", "language", "since", "until"}
_BRAND_DIMS = _TIME | {"sentiment", "brand", "rating"}
_BRAND_FILTERS = {"brand", "sentiment", "since", "until"}
_TAG_DIMS = _TIME | {"tag", "brand"}
_TAG_FILTERS = {"tag", "brand", "since", "until"}


def count_by(
    conn: Connection,
    ws: Workspace,
    filters: Filters,
    by: Sequence[str],
    groups_for: filtering.GroupsFor | None = None,
    predicate_for: filtering.PredicateFor | None = None,
) -> list[dict[str, Any]]:
    """Rows of {dimension: value, ..., "count": n}, largest time bucket first then by count."""
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise InputError(f"cannot count by {unknown}; choose from {', '.join(DIMENSIONS)}")
    filters = replace(filters, workspace_id=ws.id)
    tz = ZoneInfo(ws.timezone)
    days = _day_bounds(filters, tz)
    used = _used_filters(filters)
    if not _counted_once(filters, by):
        days = None  # only the mention tables can count a mention once across several values
    if days is not None and set(by) <= _BRAND_DIMS and used <= _BRAND_FILTERS:
        rows = _from_brand_daily(conn, ws.id, filters, by, days)
    elif days is not None and set(by) <= _DAILY_DIMS and used <= _DAILY_FILTERS:
        rows = _from_daily(conn, ws.id, filters, by, days)
    elif days is not None and set(by) <= _TAG_DIMS and used <= _TAG_FILTERS:
        rows = _from_tag_daily(conn, ws.id, filters, by, days)
    elif filters.q and predicate_for is not None:
        rows = _from_matching(conn, filters, by, groups_for, predicate_for(filters.q))
    else:
        rows = _from_mentions(conn, filters, by, groups_for)
    return _fold_time(rows, by)


def _counted_once(filters: Filters, by: Sequence[str]) -> bool:
    """Whether summing rollup rows counts each mention once: a mention with two of the
    brands (or tags) filtered on sits in both rows unless the counts are split by them."""
    return ("brand" in by or len(filters.brand) <= 1) and ("tag" in by or len(filters.tag) <= 1)


def _used_filters(filters: Filters) -> set[str]:
    names = {
        "brand",
        "tag",
        "sentiment",
        "channel",
        "source",
        "language",
        "status",
        "role",
        "rating_min",
        "rating_max",
        "complaint",
        "question",
        "since",
        "until",
        "q",
    }
    used = {n for n in names if getattr(filters, n) not in ((), None)}
    if not filters.include_duplicates:
        used.add("include_duplicates")
    return used


def _day_bounds(filters: Filters, tz: ZoneInfo) -> tuple[date | None, date | None] | None:
    """since/until as whole local days, or None when a bound falls inside a day."""
    bounds: list[date | None] = []
    for moment in (filters.since, filters.until):
        if moment is None:
            bounds.append(None)
            continue
        local = moment.replace(tzinfo=UTC).astimezone(tz)
        if local.time() != datetime.min.time():
            return None
        bounds.append(local.date())
    return bounds[0], bounds[1]


def _from_daily(
    conn: Connection,
    ws_id: int,
    filters: Filters,
    by: Sequence[str],
    days: tuple[date | None, date | None],
) -> list[dict[str, Any]]:
    per_brand = "brand" in by or bool(filters.brand)
    cols: dict[str, ColumnElement[Any]] = {
        "day": rollup_daily.c.day,
        "week": rollup_daily.c.day,
        "month": rollup_daily.c.day,
        "channel": rollup_daily.c.channel,
        "sentiment": rollup_daily.c.sentiment,
        "language": rollup_daily.c.language,
        "brand": brand.c.name,
    }
    where: list[ColumnElement[bool]] = [rollup_daily.c.workspace_id == ws_id]
    source_from: Any = rollup_daily
    if per_brand:
        source_from = rollup_daily.join(brand, brand.c.id == rollup_daily.c.brand_id)
        if filters.brand:
            where.append(brand.c.name.in_(filters.brand))
    else:
        where.append(rollup_daily.c.brand_id == 0)
    for name in ("channel", "sentiment", "language"):
        values = getattr(filters, name)
        if values:
            where.append(rollup_daily.c[name].in_(values))
    where.extend(_day_where(rollup_daily.c.day, days))
    return _grouped(conn, source_from, cols, by, where, sa.func.sum(rollup_daily.c.count))


def _from_brand_daily(
    conn: Connection,
    ws_id: int,
    filters: Filters,
    by: Sequence[str],
    days: tuple[date | None, date | None],
) -> list[dict[str, Any]]:
    table = rollup_brand_daily
    cols: dict[str, ColumnElement[Any]] = {
        "day": table.c.day,
        "week": table.c.day,
        "month": table.c.day,
        "sentiment": table.c.sentiment,
        "brand": table.c.brand_id,
        "rating": table.c.rating,
    }
    where: list[ColumnElement[bool]] = [table.c.workspace_id == ws_id]
    names: dict[int, str] = {
        r.id: r.name
        for r in conn.execute(
            sa.select(brand.c.id, brand.c.name).where(brand.c.workspace_id == ws_id)
        )
    }
    if "brand" in by or filters.brand:
        wanted = [i for i, n in names.items() if not filters.brand or n in filters.brand]
        where.append(table.c.brand_id.in_(wanted))
    else:
        where.append(table.c.brand_id == 0)
    if filters.sentiment:
        where.append(table.c.sentiment.in_(filters.sentiment))
    where.extend(_day_where(table.c.day, days))
    rows = _grouped(conn, table, cols, by, where, sa.func.sum(table.c.count))
    for row in rows:
        if "brand" in row:
            row["brand"] = names.get(row["brand"])
    return rows


def _from_tag_daily(
    conn: Connection,
    ws_id: int,
    filters: Filters,
    by: Sequence[str],
    days: tuple[date | None, date | None],
) -> list[dict[str, Any]]:
    cols: dict[str, ColumnElement[Any]] = {
        "day": rollup_tag_daily.c.day,
        "week": rollup_tag_daily.c.day,
        "month": rollup_tag_daily.c.day,
        "tag": tag.c.name,
        "brand": brand.c.name,
    }
    where: list[ColumnElement[bool]] = [rollup_tag_daily.c.workspace_id == ws_id]
    if filters.tag:
        where.append(tag.c.name.in_(filters.tag))
    where.extend(_day_where(rollup_tag_daily.c.day, days))
    joined = rollup_tag_daily.join(tag, tag.c.id == rollup_tag_daily.c.tag_id)
    if "brand" in by or filters.brand:
        joined = joined.join(brand, brand.c.id == rollup_tag_daily.c.brand_id)
        if filters.brand:
            where.append(brand.c.name.in_(filters.brand))
    else:
        where.append(rollup_tag_daily.c.brand_id == 0)
    return _grouped(conn, joined, cols, by, where, sa.func.sum(rollup_tag_daily.c.count))


def _from_mentions(
    conn: Connection, filters: Filters, by: Sequence[str], groups_for: filtering.GroupsFor | None
) -> list[dict[str, Any]]:
    joined, cols, where = _mention_query(conn, filters, by, groups_for)
    return _grouped(conn, joined, cols, by, where, sa.func.count(sa.distinct(mention.c.id)))


def _mention_query(
    conn: Connection, filters: Filters, by: Sequence[str], groups_for: filtering.GroupsFor | None
) -> tuple[Any, dict[str, ColumnElement[Any]], list[ColumnElement[bool]]]:
    joined: Any = filtering.base_from()
    sentiment: ColumnElement[Any] = analysis.c.sentiment
    per_brand = "brand" in by or bool(filters.brand)
    if per_brand:
        joined = joined.join(mention_brand, mention_brand.c.mention_id == mention.c.id).join(
            brand, brand.c.id == mention_brand.c.brand_id
        )
        sentiment = sa.func.coalesce(mention_brand.c.sentiment, analysis.c.sentiment)
    if "tag" in by:
        joined = joined.join(mention_tag, mention_tag.c.mention_id == mention.c.id).join(
            tag, tag.c.id == mention_tag.c.tag_id
        )
    if "source" in by:
        joined = joined.outerjoin(source, source.c.id == mention.c.source_id)
    cols: dict[str, ColumnElement[Any]] = {
        "day": mention.c.day,
        "week": mention.c.day,
        "month": mention.c.day,
        "channel": mention.c.channel,
        "sentiment": sentiment,
        "language": analysis.c.language,
        "brand": brand.c.name,
        "tag": tag.c.name,
        "source": source.c.name,
        "status": mention.c.status,
        "rating": mention.c.rating,
    }
    where = filtering.conditions(filters, conn.dialect.name, *([groups_for] if groups_for else []))
    if per_brand and filters.brand:
        where.append(brand.c.name.in_(filters.brand))
    if per_brand and filters.role:
        where.append(filtering.role_condition(mention_brand, filters))
    if "tag" in by and filters.tag:
        where.append(tag.c.name.in_(filters.tag))
    return joined, cols, where


def _from_matching(
    conn: Connection,
    filters: Filters,
    by: Sequence[str],
    groups_for: filtering.GroupsFor | None,
    keep: Callable[[str], bool],
) -> list[dict[str, Any]]:
    """Counts over the index's candidates that pass the exact query test."""
    names = list(dict.fromkeys("day" if d in _TIME else d for d in by))
    joined, cols, where = _mention_query(conn, filters, by, groups_for)
    counted: set[tuple[Any, ...]] = set()
    stmt = (
        sa.select(mention.c.id, mention.c.title, mention.c.text, *[cols[n].label(n) for n in names])
        .select_from(joined)
        .where(*where)
    )
    totals: Counter[tuple[Any, ...]] = Counter()
    verdicts: dict[int, bool] = {}
    for row in conn.execute(stmt):
        verdict = verdicts.get(row.id)
        if verdict is None:
            verdict = verdicts[row.id] = keep(filtering.searchable(row.title, row.text))
        key = tuple(getattr(row, n) for n in names)
        if verdict and (row.id, *key) not in counted:
            counted.add((row.id, *key))
            totals[key] += 1
    return _clean([{**dict(zip(names, key, strict=True)), "count": n} for key, n in totals.items()])


def _grouped(
    conn: Connection,
    from_: Any,
    cols: dict[str, ColumnElement[Any]],
    by: Sequence[str],
    where: list[ColumnElement[bool]],
    measure: ColumnElement[Any],
) -> list[dict[str, Any]]:
    names = list(dict.fromkeys("day" if d in _TIME else d for d in by))
    selected = [cols[n].label(n) for n in names]
    stmt = sa.select(*selected, measure.label("count")).select_from(from_).where(*where)
    if selected:
        stmt = stmt.group_by(*selected)
    return _clean([dict(row._mapping) for row in conn.execute(stmt)])


def _clean(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Empty rollup values as None, ratings as stars, days as dates, counts as ints."""
    for item in rows:
        if item.get("sentiment") == "":
            item["sentiment"] = None
        if item.get("language") == "":
            item["language"] = None
        if "rating" in item:
            # Whole stars everywhere; 0 is the rollups' "no rating" (ratings are on 1–5).
            item["rating"] = star(item["rating"]) if item["rating"] else None
        if isinstance(item.get("day"), str):
            item["day"] = date.fromisoformat(item["day"])
        item["count"] = int(item["count"] or 0)
    return rows


def _day_where(
    column: ColumnElement[Any], days: tuple[date | None, date | None]
) -> list[ColumnElement[bool]]:
    since, until = days
    out: list[ColumnElement[bool]] = []
    if since is not None:
        out.append(column >= since)
    if until is not None:
        out.append(column < until)
    return out


def _fold_time(rows: list[dict[str, Any]], by: Sequence[str]) -> list[dict[str, Any]]:
    """Turn day buckets into the week/month asked for, keeping the order of `by`."""
    totals: Counter[tuple[Any, ...]] = Counter()
    for row in rows:
        key = []
        for d in by:
            value = row.get("day") if d in _TIME else row.get(d)
            if d == "week" and value is not None:
                value = value - timedelta(days=value.weekday())
            elif d == "month" and value is not None:
                value = value.replace(day=1)
            key.append(value)
        totals[tuple(key)] += row["count"]
    time_first = [i for i, d in enumerate(by) if d in _TIME]

    def order(item: tuple[tuple[Any, ...], int]) -> tuple[Any, ...]:
        key, count = item
        times = tuple(key[i] or date.min for i in time_first)
        return (times, -count, tuple(str(k) for k in key))

    return [
        {
            **{
                d: (k.isoformat() if isinstance(k, date) else k)
                for d, k in zip(by, key, strict=True)
            },
            "count": count,
        }
        for key, count in sorted(totals.items(), key=order)
    ]
