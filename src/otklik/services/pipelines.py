"""The pipeline recipe of a workspace (stages, its brands and tags, its sentiment model),
and the built pipelines a long-lived process keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from otklik.analysis import build_pipeline
from otklik.domain.records import Workspace
from otklik.pipeline import registry
from otklik.pipeline.pipeline import Pipeline
from otklik.settings import Settings
from otklik.storage import Store, catalog

CLASSIFY_STAGES = ("normalise", "language", "sentiment")
BULK_TIER = "compact"
"""The sentiment tier of file imports and re-analysis: thousands of texts a second; the
background upgrade (job kind `upgrade_sentiment`) relabels them with LIVE_TIER later."""
LIVE_TIER = "encoder"
"""The sentiment tier of items from live sources (anything taken in that is not a file)."""
"""What `classify` runs: enough for language and sentiment, nothing stored."""


class Pipelines:
    """Builds pipelines from settings and the workspace; with `keep`, a built and loaded
    pipeline is reused until the workspace's brands, tags or model change."""

    def __init__(self, settings: Settings, store: Store, *, keep: bool) -> None:
        self.settings, self.store, self.keep = settings, store, keep
        self._kept: dict[tuple[int, str], tuple[tuple[Any, ...], Pipeline]] = {}

    def for_workspace(self, ws: Workspace, tier: str = BULK_TIER) -> Pipeline:
        """The full pipeline (the configured stages) for analysing new mentions of `ws`, its
        sentiment from the shipped `tier` (unless the workspace or OTKLIK_SENTIMENT_MODEL
        names a model): BULK_TIER for file imports, LIVE_TIER for live sources."""
        with self.store.connect() as conn:
            brands, tags = catalog.list_brands(conn, ws.id), catalog.list_tags(conn, ws.id)
        model = self.store.sentiment_model(ws)
        if not self.keep:
            return build_pipeline(
                self.settings, brands, tags, sentiment_model=model, sentiment_tier=tier
            )
        key = (tuple(self.settings.stages), tuple(brands), tuple(tags), _stamp(model))
        kept = self._kept.get((ws.id, tier))
        if kept is not None and kept[0] == key:
            return kept[1]
        built = build_pipeline(
            self.settings, brands, tags, sentiment_model=model, sentiment_tier=tier
        )
        built.load()
        self._kept[(ws.id, tier)] = (key, built)
        return built

    def for_live_source(self, ws: Workspace) -> Pipeline:
        """The pipeline for items from a live source (feeds, webhooks, surveys, e-mail):
        every item through the encoder tier at once (compact when it is not installed)."""
        return self.for_workspace(ws, LIVE_TIER)


def classify_stages() -> list[str]:
    """The stages `classify` runs that are installed (sentiment may not be yet)."""
    available = registry.registered()
    return [name for name in CLASSIFY_STAGES if name in available]


def for_classify(settings: Settings) -> Pipeline:
    """Language and sentiment only: analysing texts without storing them (no database)."""
    return build_pipeline(settings, stages=classify_stages())


def _stamp(model: Path | None) -> tuple[str, int] | None:
    # The model file and its modification time: a model retrained into the same file counts
    # as a new one.
    if model is None:
        return None
    try:
        return str(model), model.stat().st_mtime_ns
    except OSError:
        return str(model), 0
