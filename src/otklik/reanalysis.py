"""Running the pipeline again over stored mentions (a new model, changed settings)."""

from __future__ import annotations

from collections.abc import Callable

from otklik.analysis import analyse_records, build_pipeline
from otklik.domain.filters import Filters
from otklik.domain.records import Workspace
from otklik.settings import Settings
from otklik.storage import Store
from otklik.storage.catalog import list_brands, list_tags

# Stages whose results `update_analysis` stores; brands and tags have their own re-match.
_STAGES = ("normalise", "language", "sentiment", "flags")


def reanalyse(
    store: Store,
    ws: Workspace,
    settings: Settings,
    filters: Filters,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-detect language, sentiment and flags for matching mentions; people's corrections
    stay.

    Sentiment comes from OTKLIK_SENTIMENT_MODEL when set, else the workspace's own model
    (`otklik sentiment-model`), else the shipped one."""
    with store.connect() as conn:
        brands, tags = list_brands(conn, ws.id), list_tags(conn, ws.id)
    names = [n for n in _STAGES if n in settings.stages]
    pipeline = build_pipeline(
        settings, brands, tags, stages=names, sentiment_model=store.sentiment_model(ws)
    )
    done = 0
    cursor: str | None = None
    while True:
        records, cursor = store.mentions(ws, filters, limit=settings.batch_size, cursor=cursor)
        if not records:
            break
        store.update_analysis(ws, analyse_records(pipeline, records))
        done += len(records)
        if progress is not None:
            progress(done)
        if cursor is None:
            break
    return done
