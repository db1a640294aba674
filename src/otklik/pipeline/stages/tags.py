"""The `tags` stage: rule tags whose query matches a mention."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from otklik.pipeline.registry import register
from otklik.pipeline.stage import Item
from otklik.querylang.match import RuleSet
from otklik.text.morphology import analyzer


@dataclass(frozen=True, slots=True)
class TagRule:
    """A tag and the query that applies it; tags without a query are only set by people."""

    id: int
    name: str
    query: str | None = None


@dataclass(frozen=True, slots=True)
class TagMatches:
    """Ids of the rule tags whose query matches, sorted."""

    tag_ids: tuple[int, ...]


@register("tags")
class TagsStage:
    """Applies every tag rule whose query matches the mention's text."""

    name = "tags"
    requires = frozenset({"clean_text"})
    provides = frozenset({"tag_ids"})

    def __init__(self, tags: Sequence[TagRule] = ()) -> None:
        self.tags = tuple(tags)
        self._rules: RuleSet[int] | None = None

    def load(self) -> None:
        """Compile the tag rules and load the Russian dictionary."""
        if self._rules is None:
            analyzer()
            self._rules = RuleSet({tag.id: tag.query for tag in self.tags if tag.query})

    def run(self, batch: Sequence[Item]) -> list[TagMatches]:
        """Ids of the rule tags that match each item, sorted, in item order."""
        if not any(tag.query for tag in self.tags):  # no rules: skip analysing every text
            return [TagMatches(()) for _ in batch]
        self.load()
        assert self._rules is not None
        rules = self._rules
        return [
            TagMatches(tuple(sorted(rules.matching(rules.document(item.get("clean_text") or "")))))
            for item in batch
        ]
