"""The overview's numbers for a period and an optional brand, as chart-ready plain data."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from otklik.domain.filters import Filters
from otklik.domain.records import Brand, Workspace
from otklik.services.catalog import brands as list_brands
from otklik.services.context import Services
from otklik.services.mentions import count_by
from otklik.services.queries import filters as parse

PERIODS = (7, 30, 90)
SENTIMENT_ORDER = ("negative", "neutral", "positive")


def period_bounds(days: int, today: date) -> tuple[date, date]:
    """First and last local day of a period of `days` days ending today."""
    return today - timedelta(days=days - 1), today


def overview(
    svc: Services, ws: Workspace, since: date, until: date, brand: str | None, now: datetime
) -> dict[str, Any]:
    """Everything the overview page shows for a period (whole local days) and optional brand:
    volume by day and sentiment, channels, languages, brands, tags, ratings, totals."""
    base, current, previous = _periods(ws, since, until, brand)
    brands = list_brands(svc, ws)
    # Separate small rollup queries: crossing all dimensions returns thousands of rows.
    cells = count_by(svc, ws, current, ["day", "sentiment"])
    data: dict[str, Any] = {"generated": now.isoformat()}
    data.update(_volume(cells, since, until, base))
    data["channels"] = _split(count_by(svc, ws, current, ["channel"]), "channel", base)
    data["languages"] = _split(count_by(svc, ws, current, ["language"]), "language", base)
    data["brands"] = _brands(svc, ws, replace(current, brand=()), brands, base)
    data["tags"] = _tags(svc, ws, current, previous, base)
    data["ratings"] = _ratings(svc, ws, current, base)
    data["total"] = sum(c["count"] for c in cells)
    negative = sum(c["count"] for c in cells if c["sentiment"] == "negative")
    data["negative_share"] = round(100 * negative / data["total"], 1) if data["total"] else 0.0
    return data


def _periods(
    ws: Workspace, since: date, until: date, brand: str | None
) -> tuple[dict[str, str], Filters, Filters]:
    """The feed link's base parameters, the period's filters and the same span before it."""
    base = {"since": since.isoformat(), "until": until.isoformat()}
    if brand:
        base["brand"] = brand
    current = parse(ws, base)
    span = (until - since).days + 1
    previous = replace(
        current,
        since=parse(ws, {"since": (since - timedelta(days=span)).isoformat()}).since,
        until=current.since,
    )
    return base, current, previous


def feed_url(base: dict[str, str], **more: Any) -> str:
    """A link to the feed filtered to `base` plus `more` (None values dropped)."""
    params = {**base, **{k: str(v) for k, v in more.items() if v is not None}}
    return "/mentions?" + urlencode(params)


def _volume(
    cells: list[dict[str, Any]], since: date, until: date, base: dict[str, str]
) -> dict[str, Any]:
    days = [(since + timedelta(days=i)).isoformat() for i in range((until - since).days + 1)]
    by: dict[str | None, Counter[str]] = defaultdict(Counter)
    for c in cells:
        by[c["sentiment"]][c["day"]] += c["count"]
    series = []
    for sentiment in [*SENTIMENT_ORDER, None]:
        if sentiment not in by:
            continue
        series.append(
            {
                "sentiment": sentiment or "none",
                "counts": [by[sentiment][d] for d in days],
                "urls": [
                    feed_url({**base, "since": d, "until": d}, sentiment=sentiment) for d in days
                ],
            }
        )
    return {"days": days, "volume": series}


def _split(cells: list[dict[str, Any]], dim: str, base: dict[str, str]) -> list[dict[str, Any]]:
    totals: Counter[str | None] = Counter()
    for c in cells:
        totals[c[dim]] += c["count"]
    return [
        {"name": name or "?", "count": n, "url": feed_url(base, **{dim: name})}
        for name, n in totals.most_common()
    ]


def _brands(
    svc: Services, ws: Workspace, filters: Filters, brands: list[Brand], base: dict[str, str]
) -> list[dict[str, Any]]:
    own = {b.name: b.is_own for b in brands}
    rows = count_by(svc, ws, filters, ["brand", "sentiment"])
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        counts[r["brand"]][r["sentiment"] or "none"] += r["count"]
    grand = sum(sum(c.values()) for c in counts.values())
    unbranded = {k: v for k, v in base.items() if k != "brand"}
    out = []
    for b in brands:
        c = counts.get(b.name, Counter())
        total = sum(c.values())
        out.append(
            {
                "name": b.name,
                "own": own[b.name],
                "total": total,
                "share": round(100 * total / grand, 1) if grand else 0.0,
                "sentiment": {s: c.get(s, 0) for s in (*SENTIMENT_ORDER, "none")},
                "url": feed_url(unbranded, brand=b.name),
                "urls": {
                    s: feed_url(unbranded, brand=b.name, sentiment=None if s == "none" else s)
                    for s in (*SENTIMENT_ORDER, "none")
                },
            }
        )
    return out


def _tags(
    svc: Services, ws: Workspace, current: Filters, previous: Filters, base: dict[str, str]
) -> list[dict[str, Any]]:
    now = {r["tag"]: r["count"] for r in count_by(svc, ws, current, ["tag"])}
    before = {r["tag"]: r["count"] for r in count_by(svc, ws, previous, ["tag"])}
    top = sorted(now.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
    out = []
    for name, n in top:
        was = before.get(name, 0)
        # A percentage of a handful says nothing (+31400%); below 10 the page shows the difference.
        change = round(100 * (n - was) / was) if was >= 10 else None
        out.append(
            {
                "name": name,
                "count": n,
                "previous": was,
                "change": change,
                "delta": n - was,
                "url": feed_url(base, tag=name),
            }
        )
    return out


def _ratings(
    svc: Services, ws: Workspace, filters: Filters, base: dict[str, str]
) -> list[dict[str, Any]]:
    counts: Counter[int] = Counter()
    for r in count_by(svc, ws, filters, ["rating"]):
        if r["rating"] is not None:
            counts[int(r["rating"])] += r["count"]
    return [
        {
            "name": str(star),
            "count": counts.get(star, 0),
            "url": feed_url(base, rating_min=star - 0.5 if star > 1 else 1, rating_max=star + 0.49),
        }
        for star in range(1, 6)
    ]
