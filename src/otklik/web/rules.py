"""Brand queries and tag rules applied to stored mentions, and their live preview.

Stored mentions are matched again with the brands and tags pipeline stages (the same as
`otklik brands`/`otklik tags` do); where those stages are not installed, with the store's
query-language search (`q`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from otklik.analysis import build_pipeline, item_for
from otklik.domain.filters import Filters
from otklik.domain.records import Brand, MentionRecord, Tag, Workspace
from otklik.pipeline import registry
from otklik.querylang import compile_query
from otklik.settings import Settings
from otklik.storage import Store, catalog, utcnow


def check(query: str) -> None:
    """Raise QueryError (with the position) for a query the query language cannot parse."""
    compile_query(query)


def preview(store: Store, ws: Workspace, query: str, limit: int = 20) -> list[MentionRecord]:
    """The newest mentions a query matches (at most `limit`), over the whole workspace."""
    check(query)
    page, _ = store.mentions(ws, Filters(q=query), limit=limit)
    return page


def matching(store: Store, ws: Workspace, query: str) -> Iterator[MentionRecord]:
    """Every mention a query matches, newest first."""
    cursor: str | None = None
    while True:
        page, cursor = store.mentions(ws, Filters(q=query), limit=1000, cursor=cursor)
        yield from page
        if cursor is None:
            return


def rematch_brand(store: Store, ws: Workspace, settings: Settings, brand: Brand) -> int:
    """Match a brand against every stored mention with the brands stage (role and per-brand
    sentiment included), or with the text index when that stage is not installed."""
    if "brands" not in registry.registered():
        return apply_brand(store, ws, brand)
    with store.connect() as conn:
        brands = catalog.list_brands(conn, ws.id)
    names = [
        n
        for n in ("normalise", "language", "brands", "sentiment")
        if n in ("normalise", "brands") or n in settings.stages
    ]
    pipeline = build_pipeline(settings, brands=brands, stages=names)
    pipeline.load()
    hits: dict[int, dict[str, Any]] = {}
    for batch in _batches(store, ws):
        items = pipeline.run([item_for(r.mention) for r in batch])
        for record, item in zip(batch, items, strict=True):
            scores = item.get("brand_sentiments") or []
            for n, hit in enumerate(item.get("brand_hits") or []):
                if hit["brand_id"] == brand.id and record.mention.id is not None:
                    score = scores[n] if n < len(scores) else {}
                    hits[record.mention.id] = {
                        **hit,
                        "sentiment": score.get("sentiment"),
                        "score": score.get("score"),
                    }
    with store.begin() as conn:
        catalog.replace_brand_hits(conn, ws.id, brand.id, hits)
    return len(hits)


def rematch_tag(store: Store, ws: Workspace, settings: Settings, tag: Tag) -> int:
    """Apply a tag's rule to every stored mention with the tags stage (text index without it);
    people's tags stay."""
    if "tags" not in registry.registered():
        return apply_tag(store, ws, tag)
    ids: list[int] = []
    if tag.query:
        pipeline = build_pipeline(settings, tags=[tag], stages=["normalise", "tags"])
        pipeline.load()
        for batch in _batches(store, ws):
            items = pipeline.run([item_for(r.mention) for r in batch])
            ids += [
                r.mention.id
                for r, i in zip(batch, items, strict=True)
                if i.get("tag_ids") and r.mention.id is not None
            ]
    with store.begin() as conn:
        catalog.replace_rule_tags(conn, ws.id, tag.id, ids, utcnow())
    return len(ids)


def _batches(store: Store, ws: Workspace) -> Iterator[list[MentionRecord]]:
    cursor: str | None = None
    while True:
        page, cursor = store.mentions(ws, Filters(), limit=1000, cursor=cursor)
        if page:
            yield page
        if cursor is None:
            return


def apply_brand(store: Store, ws: Workspace, brand: Brand) -> int:
    """Set the mentions a brand is in from its query (text index); returns how many."""
    hits = {
        r.mention.id: {"role": "main", "sentiment": r.analysis.sentiment, "score": None}
        for r in matching(store, ws, brand.query)
        if r.mention.id is not None
    }
    with store.begin() as conn:
        catalog.replace_brand_hits(conn, ws.id, brand.id, hits)
    return len(hits)


def apply_tag(store: Store, ws: Workspace, tag: Tag) -> int:
    """Set a tag's rule assignments from its query; returns how many mentions have it."""
    ids = sorted(
        {r.mention.id for r in matching(store, ws, tag.query or "") if r.mention.id is not None}
    )
    with store.begin() as conn:
        catalog.replace_rule_tags(conn, ws.id, tag.id, ids, utcnow())
    return len(ids)
