"""What every sentiment backend offers the sentiment stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Prediction:
    """One text's label, the calibrated probability of that label, and all three probabilities."""

    label: str
    score: float
    probabilities: dict[str, float]
    # The text's sentence embedding as int8 bytes, when the backend computed one (encoder).
    embedding: bytes | None = None

    @classmethod
    def of(cls, probabilities: Sequence[float], embedding: bytes | None = None) -> Prediction:
        """Build a prediction from probabilities ordered as `LABELS`."""
        best = max(range(len(LABELS)), key=lambda k: probabilities[k])
        probs = {label: float(p) for label, p in zip(LABELS, probabilities, strict=True)}
        return cls(LABELS[best], float(probabilities[best]), probs, embedding)


@runtime_checkable
class SentimentBackend(Protocol):
    """A model that labels texts positive, neutral or negative; loaded once per process."""

    name: str

    def load(self) -> None:
        """Load the model; called once before the first `predict`."""

    def predict(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[Prediction]:
        """Label each text; `languages` (ru, kk, en or None) is aligned with `texts`."""
        ...
