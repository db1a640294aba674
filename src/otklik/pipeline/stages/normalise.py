"""The `normalise` stage: NFC, no zero-width characters, collapsed whitespace."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from otklik.pipeline.registry import register
from otklik.pipeline.stage import Item

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Text in NFC with zero-width characters dropped and whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class Normalised:
    """The text the later stages read."""

    clean_text: str


@register("normalise")
class NormaliseStage:
    """Cleans text for the stages after it; the stored original is never touched."""

    name = "normalise"
    requires = frozenset({"text"})
    provides = frozenset({"clean_text"})

    def load(self) -> None:
        """Nothing to load."""

    def run(self, batch: Sequence[Item]) -> list[Normalised]:
        """Clean each item's text, with its title (if any) in front."""
        out: list[Normalised] = []
        for item in batch:
            title = item.get("title")
            text = item["text"] or ""
            joined = f"{title}. {text}" if title and title not in text else text
            out.append(Normalised(normalise_text(joined)))
        return out
