"""Stored history matched again when a brand query or tag rule changes, a batch at a time.

`otklik brands|tags` run this in the foreground with progress lines; the web app runs it in a
background job. Each batch is written in its own short transaction through
`catalog.replace_brand_hits` / `catalog.replace_rule_tags`, which keep people's tags and the
dashboard rollups in step, so a re-match that stops half-way leaves a consistent store.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence

from otklik.analysis import build_pipeline, item_for
from otklik.domain.filters import Filters
from otklik.domain.mention import Analysis, BrandHit
from otklik.domain.records import Brand, MentionRecord, Tag, Workspace
from otklik.errors import NotFoundError
from otklik.pipeline.pipeline import Pipeline
from otklik.settings import Settings
from otklik.storage import Store, catalog, utcnow

Progress = Callable[[int, int], None]
"""Called with (done, total) before the first batch and after each one; raising stops the
re-match between batches (what is written so far stays, consistent)."""


def rematch_brands(
    store: Store,
    ws: Workspace,
    settings: Settings,
    brand_ids: Collection[int],
    progress: Progress | None = None,
) -> dict[int, int]:
    """Match brands against every stored mention again with the brands stage (role, context
    and per-brand sentiment included); returns how many mentions each brand is now in."""
    with store.connect() as conn:
        brands = catalog.list_brands(conn, ws.id)
    _require(brand_ids, brands, "brand")
    names = [
        n
        for n in ("normalise", "language", "brands", "sentiment")
        if n in ("normalise", "brands") or n in settings.stages
    ]
    model = store.sentiment_model(ws)
    pipeline = build_pipeline(settings, brands, stages=names, sentiment_model=model)
    counts = dict.fromkeys(brand_ids, 0)
    for batch, analyses in _analysed(store, ws, settings, pipeline, progress):
        hits: dict[int, dict[int, BrandHit]] = {b: {} for b in brand_ids}
        for mention_id, analysis in zip(batch, analyses, strict=True):
            for hit in analysis.brands:
                if hit.brand_id in hits:
                    hits[hit.brand_id][mention_id] = hit
        with store.begin() as conn:
            for brand_id, found in hits.items():
                catalog.replace_brand_hits(conn, ws.id, brand_id, found, within=batch)
                counts[brand_id] += len(found)
    return counts


def rematch_tags(
    store: Store,
    ws: Workspace,
    settings: Settings,
    tag_ids: Collection[int],
    progress: Progress | None = None,
) -> dict[int, int]:
    """Apply tags' rules to every stored mention again (a tag without a rule loses its rule
    assignments); people's tags, and their removals of a rule's tag, stay. Returns how many
    mentions each tag's rule now gives."""
    with store.connect() as conn:
        tags = [t for t in catalog.list_tags(conn, ws.id) if t.id in tag_ids]
    _require(tag_ids, tags, "tag")
    if not any(t.query for t in tags):
        return _drop_rules(store, ws, tag_ids, progress)
    pipeline = build_pipeline(settings, tags=tags, stages=["normalise", "tags"])
    counts = dict.fromkeys(tag_ids, 0)
    for batch, analyses in _analysed(store, ws, settings, pipeline, progress):
        found: dict[int, list[int]] = {t: [] for t in tag_ids}
        for mention_id, analysis in zip(batch, analyses, strict=True):
            for tag_id in analysis.tags:
                if tag_id in found:
                    found[tag_id].append(mention_id)
        with store.begin() as conn:
            for tag_id, ids in found.items():
                counts[tag_id] += catalog.replace_rule_tags(
                    conn, ws.id, tag_id, ids, utcnow(), within=batch
                )
    return counts


def _drop_rules(
    store: Store, ws: Workspace, tag_ids: Collection[int], progress: Progress | None
) -> dict[int, int]:
    # Tags without a rule only lose their old rule assignments; no need to read history.
    with store.begin() as conn:
        for tag_id in tag_ids:
            catalog.replace_rule_tags(conn, ws.id, tag_id, [], utcnow())
    if progress is not None:
        total = store.count(ws, Filters())
        progress(total, total)
    return dict.fromkeys(tag_ids, 0)


def _require(wanted: Collection[int], known: Sequence[Brand] | Sequence[Tag], kind: str) -> None:
    missing = sorted(set(wanted) - {k.id for k in known})
    if missing:
        raise NotFoundError(f"no {kind} with id {missing[0]}; it was removed meanwhile")


def _analysed(
    store: Store,
    ws: Workspace,
    settings: Settings,
    pipeline: Pipeline,
    progress: Progress | None,
) -> Iterator[tuple[list[int], list[Analysis]]]:
    """Stored mentions a batch at a time (ids and their fresh analyses), reporting progress."""
    pipeline.load()
    total, done = store.count(ws, Filters()), 0
    if progress is not None:
        progress(done, total)
    for page in _pages(store, ws, settings.batch_size):
        records = [r for r in page if r.mention.id is not None]
        yield (
            [int(r.mention.id or 0) for r in records],
            pipeline.analyse([item_for(r.mention) for r in records]),
        )
        done += len(page)
        total = max(total, done)  # mentions imported meanwhile
        if progress is not None:
            progress(done, total)


def _pages(store: Store, ws: Workspace, size: int) -> Iterator[list[MentionRecord]]:
    cursor: str | None = None
    while True:
        page, cursor = store.mentions(ws, Filters(), limit=size, cursor=cursor)
        if page:
            yield page
        if cursor is None:
            return


def matching(store: Store, ws: Workspace, query: str) -> Iterator[MentionRecord]:
    """Every mention a query matches through the text index, newest first."""
    cursor: str | None = None
    while True:
        page, cursor = store.mentions(ws, Filters(q=query), limit=1000, cursor=cursor)
        yield from page
        if cursor is None:
            return


def rematch_brand_by_search(store: Store, ws: Workspace, brand: Brand) -> int:
    """Set the mentions a brand is in from its query through the text index, where the brands
    stage is not configured (every hit is a main one); returns how many."""
    hits = {
        r.mention.id: BrandHit(brand.id, "main", sentiment=r.analysis.sentiment)
        for r in matching(store, ws, brand.query)
        if r.mention.id is not None
    }
    with store.begin() as conn:
        catalog.replace_brand_hits(conn, ws.id, brand.id, hits)
    return len(hits)


def rematch_tag_by_search(store: Store, ws: Workspace, tag: Tag) -> int:
    """Set a tag's rule assignments from its query through the text index; people's tags
    stay. Returns how many mentions the rule gives the tag."""
    found = matching(store, ws, tag.query) if tag.query else iter(())
    ids = sorted({r.mention.id for r in found if r.mention.id is not None})
    with store.begin() as conn:
        return catalog.replace_rule_tags(conn, ws.id, tag.id, ids, utcnow())
