"""The contract every pipeline stage keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

# What every item carries before the first stage runs.
BASE_FIELDS = frozenset({"text", "title", "rating", "channel", "language_hint"})


@dataclass
class Item:
    """One mention as it moves through the pipeline: its inputs plus what stages added."""

    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        text: str,
        *,
        title: str | None = None,
        rating: float | None = None,
        channel: str | None = None,
        language_hint: str | None = None,
    ) -> Item:
        """Build an item from the fields the pipeline starts with."""
        return cls(
            {
                "text": text,
                "title": title,
                "rating": rating,
                "channel": channel,
                "language_hint": language_hint,
            }
        )

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        """The value a stage produced, or default."""
        return self.values.get(key, default)


@runtime_checkable
class Stage(Protocol):
    """A named step over a batch: pure, no I/O, models loaded once in `load`."""

    name: str
    requires: frozenset[str]
    provides: frozenset[str]

    def load(self) -> None:
        """Load models or tables; called once per process before the first run."""

    def run(self, batch: Sequence[Item]) -> Sequence[object]:
        """Return, for each item in order, a frozen dataclass whose fields are exactly the
        names in `provides`."""
        ...
