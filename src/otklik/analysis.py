"""Building a workspace's pipeline from settings, brands and tags, and running it on mentions."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from otklik.domain.mention import Analysis, Mention
from otklik.domain.records import Brand, MentionRecord, Tag
from otklik.errors import ConfigError
from otklik.pipeline import registry
from otklik.pipeline.pipeline import Pipeline
from otklik.pipeline.stage import Item, Stage
from otklik.settings import Settings


def build_pipeline(
    settings: Settings,
    brands: Sequence[Brand] = (),
    tags: Sequence[Tag] = (),
    stages: Sequence[str] | None = None,
    sentiment_model: Path | None = None,
    sentiment_tier: str = "compact",
) -> Pipeline:
    """The pipeline the settings name, each stage given its configuration.

    `sentiment_model` is the workspace's own compact model (`Store.sentiment_model`); the
    sentiment stage uses it unless OTKLIK_SENTIMENT_MODEL names a model, which wins.
    `sentiment_tier` is the shipped tier used when neither is set: "compact" for bulk
    (file imports, re-analysis), "encoder" for live sources and the background upgrade."""
    names = list(stages if stages is not None else settings.stages)
    available = set(registry.registered())
    built: list[Stage] = []
    for name in names:
        if name not in available:
            raise ConfigError(
                f"pipeline stage {name!r} is not available; known stages: "
                f"{', '.join(sorted(available))} (set OTKLIK_STAGES)"
            )
        config = _config(name, settings, brands, tags, sentiment_model)
        if name == "sentiment":
            config["tier"] = sentiment_tier
        built.append(registry.build(name, **config))
    recipe = partial(
        build_pipeline, settings, list(brands), list(tags), names, sentiment_model, sentiment_tier
    )
    return Pipeline(built, recipe=recipe)


def _config(
    name: str,
    settings: Settings,
    brands: Sequence[Brand],
    tags: Sequence[Tag],
    sentiment_model: Path | None,
) -> dict[str, Any]:
    if name == "language":
        return {"languages": settings.languages}
    if name == "sentiment":
        return {
            "model_path": sentiment_model,
            "model": settings.sentiment_model,
            "device": settings.sentiment_device,
        }
    if name == "brands":
        from otklik.pipeline.stages.brands import BrandRule

        return {"brands": [BrandRule(b.id, b.name, b.query, b.is_own) for b in brands]}
    if name == "tags":
        from otklik.pipeline.stages.tags import TagRule

        return {"tags": [TagRule(t.id, t.name, t.query) for t in tags if t.query]}
    return {}


def analyse_records(pipeline: Pipeline, records: Sequence[MentionRecord]) -> dict[int, Analysis]:
    """Stored mentions analysed again, by mention id (what `Store.update_analysis` takes)."""
    analyses = pipeline.analyse([item_for(r.mention) for r in records])
    return {
        r.mention.id: found
        for r, found in zip(records, analyses, strict=True)
        if r.mention.id is not None
    }


def item_for(mention: Mention) -> Item:
    """The pipeline item for a mention."""
    return Item.of(
        mention.text,
        title=mention.title,
        rating=mention.rating,
        channel=mention.channel,
        language_hint=mention.language,
    )
