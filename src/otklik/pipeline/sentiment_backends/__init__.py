"""Sentiment backends: the compact model shipped in the package, or a local transformer."""

from __future__ import annotations

from pathlib import Path

from otklik.pipeline.sentiment_backends.base import LABELS, Prediction, SentimentBackend
from otklik.settings import Settings

__all__ = ["LABELS", "Prediction", "SentimentBackend", "load_backend"]


def load_backend(
    settings: Settings | None = None, model_path: Path | None = None
) -> SentimentBackend:
    """The transformer backend when `settings.sentiment_model` is set, else the compact model
    (`model_path`, such as a workspace's retrained model, or the shipped one)."""
    if settings is not None and settings.sentiment_model is not None:
        from otklik.pipeline.sentiment_backends.transformer import TransformerBackend

        return TransformerBackend(settings.sentiment_model, device=settings.sentiment_device)
    from otklik.pipeline.sentiment_backends.compact import CompactBackend

    return CompactBackend(model_path)
