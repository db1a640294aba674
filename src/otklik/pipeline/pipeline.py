"""Runs an ordered list of stages over batches of items."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields, is_dataclass

from otklik.domain.mention import Analysis, BrandHit
from otklik.errors import ConfigError
from otklik.pipeline.stage import BASE_FIELDS, Item, Stage


class Pipeline:
    """An ordered, validated list of stages; `load` once, then `run` per batch."""

    def __init__(
        self, stages: Sequence[Stage], recipe: Callable[[], Pipeline] | None = None
    ) -> None:
        check_order(stages)
        self.stages = list(stages)
        # How to build the same pipeline elsewhere (picklable), e.g. in an analysis process.
        self.recipe = recipe
        self._loaded = False

    @property
    def provides(self) -> frozenset[str]:
        """Every value the pipeline adds to an item."""
        out: set[str] = set()
        for stage in self.stages:
            out |= stage.provides
        return frozenset(out)

    def load(self) -> None:
        """Load every stage's models once."""
        if not self._loaded:
            for stage in self.stages:
                stage.load()
            self._loaded = True

    def run(self, batch: Sequence[Item]) -> Sequence[Item]:
        """Run all stages over the batch in order; items gain each stage's values."""
        self.load()
        for stage in self.stages:
            results = stage.run(batch)
            if len(results) != len(batch):
                raise ConfigError(
                    f"stage {stage.name!r} returned {len(results)} results for {len(batch)} items"
                )
            for item, values in zip(batch, results, strict=True):
                item.values.update(_fields_of(stage, values))
        return batch

    def analyse(self, batch: Sequence[Item]) -> list[Analysis]:
        """Run all stages over the batch; each item's result as a domain Analysis."""
        return [analysis_of(item) for item in self.run(batch)]

    def run_stream(self, items: Iterable[Item], batch_size: int = 512) -> Iterator[Item]:
        """Run over any number of items, a batch at a time."""
        batch: list[Item] = []
        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                yield from self.run(batch)
                batch = []
        if batch:
            yield from self.run(batch)


def _fields_of(stage: Stage, values: object) -> dict[str, object]:
    if not is_dataclass(values) or isinstance(values, type):
        raise ConfigError(f"stage {stage.name!r} returned {type(values).__name__}, not a dataclass")
    out = {f.name: getattr(values, f.name) for f in fields(values)}
    if set(out) != stage.provides:
        raise ConfigError(
            f"stage {stage.name!r} returned {sorted(out)} but declares {sorted(stage.provides)}"
        )
    return out


def analysis_of(item: Item) -> Analysis:
    """The domain Analysis from what the stages gave an item (absent stages: their defaults).

    A brand hit and the sentiment towards it come from two stages (brands, sentiment), in
    the same order; here they become one BrandHit."""
    scores = item.get("brand_sentiments") or ()
    brands = []
    for index, hit in enumerate(item.get("brand_hits") or ()):
        score = scores[index] if index < len(scores) else None
        brands.append(
            BrandHit(
                hit.brand_id,
                hit.role,
                sentiment=score.sentiment if score is not None else None,
                score=score.score if score is not None else None,
                is_comparison=hit.is_comparison,
                role_reason=hit.role_reason,
            )
        )
    return Analysis(
        language=item.get("language"),
        sentiment=item.get("sentiment"),
        sentiment_score=item.get("sentiment_score"),
        sentiment_source=item.get("sentiment_source"),
        sentiment_tier=item.get("sentiment_tier"),
        is_spam=bool(item.get("is_spam", False)),
        is_complaint=bool(item.get("is_complaint", False)),
        is_question=bool(item.get("is_question", False)),
        brands=brands,
        tags=list(item.get("tag_ids") or ()),
        near_keys=tuple(item.get("dedupe_keys") or ()),
        signature=item.get("signature"),
        embedding=item.get("embedding"),
    )


def check_order(stages: Sequence[Stage]) -> None:
    """Refuse a stage whose inputs no earlier stage provides, naming both."""
    available = set(BASE_FIELDS)
    seen: list[str] = []
    for stage in stages:
        missing = stage.requires - available
        if missing:
            where = ", ".join(seen) or "nothing (it is first)"
            raise ConfigError(
                f"pipeline stage {stage.name!r} requires {sorted(missing)}, which no earlier "
                f"stage provides (before it: {where}); move it later or add the stage that "
                "provides it"
            )
        available |= stage.provides
        seen.append(stage.name)
