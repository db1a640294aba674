"""The flags stage: whether each mention is a complaint and whether it asks a question."""

from __future__ import annotations

from collections.abc import Sequence

from otklik.pipeline.registry import register
from otklik.pipeline.sentiment_backends.flags import Flags, flag_texts
from otklik.pipeline.stage import Item

__all__ = ["Flags", "FlagsStage"]


@register("flags")
class FlagsStage:
    """Complaint and question flags from the text and the sentiment label (any tier)."""

    name = "flags"
    requires = frozenset({"clean_text", "sentiment"})
    provides = frozenset({"is_complaint", "is_question"})

    def load(self) -> None:
        """Nothing to load: the flags are rules over the text and the label."""

    def run(self, batch: Sequence[Item]) -> list[Flags]:
        """The flags of each item, in order."""
        texts = [_text_of(item) for item in batch]
        return flag_texts(texts, [item.get("sentiment") for item in batch])


def _text_of(item: Item) -> str:
    text = str(item.get("clean_text") or "")
    title = str(item.get("title") or "").strip()
    return f"{title}. {text}" if title and text else (title or text)
