"""The compact sentiment model shipped in the package: hashed word and character n-grams,
one linear layer, softmax with a temperature; numpy only, vectorised over a batch."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from otklik.errors import ModelError
from otklik.pipeline.sentiment_backends.base import LABELS, Prediction

SHIPPED_MODEL = "sentiment_compact.npz"

_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{2,}")
_SPACE = re.compile(r"[^\S\n]+")
_TOKEN = re.compile(r"\n|#?\w+|[^\w\s]")

_U = np.uint64
_PRIME = _U(0x100000001B3)
_NEWLINE_HASH = 1 << 40  # outside crc32's range, so never a word's hash
_MIX1 = _U(0xFF51AFD7ED558CCD)
_MIX2 = _U(0xC4CEB9FE1A85EC53)
_S33 = _U(33)
_WORD_SEED = _U(0x9E3779B97F4A7C15)
_BIGRAM_SEED = _U(0x632BE59BD9B4E019)
_CHAR_SEED = 0x85EBCA77C2B2AE63

# Letters Kazakh writes and Russian does not (lower case): ә ғ қ ң ө ұ ү һ і.
_KAZAKH_LETTERS = np.array([ord(c) for c in "әғқңөұүһі"], dtype=np.uint64)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


def normalise_batch(texts: Sequence[str]) -> str:
    """Lower-case, ё→е, URLs and @users as tokens, runs of a character squeezed; one text a line."""
    big = "\n".join(text.replace("\n", " ") for text in texts).lower().replace("ё", "е")
    big = _URL.sub(" url ", big)
    big = _USER.sub(" @user ", big)
    big = _REPEAT.sub(r"\1\1", big)
    return _SPACE.sub(" ", big)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    # splitmix64's finaliser: spreads every input bit over the low bits we keep.
    x = x ^ (x >> _S33)
    x = x * _MIX1
    x = x ^ (x >> _S33)
    x = x * _MIX2
    return x ^ (x >> _S33)


@dataclass(frozen=True)
class Featuriser:
    """Hashes word 1–2-grams and character n-grams of a batch into `2**dim_bits` columns."""

    dim_bits: int = 20
    char_min: int = 1
    char_max: int = 5
    word_bigrams: bool = True

    @property
    def dim(self) -> int:
        """Number of hashed columns."""
        return 1 << self.dim_bits

    def transform(
        self, texts: Sequence[str], idf: npt.NDArray[np.float32] | None = None
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """Rows, columns and values of the batch's sublinear TF-IDF matrix, each of the
        word and character groups l2-normalised on its own; (row, column) pairs are unique."""
        rows, cols, vals, _ = self.transform_with_scripts(texts, idf)
        return rows, cols, vals

    def transform_with_scripts(
        self, texts: Sequence[str], idf: npt.NDArray[np.float32] | None = None
    ) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
        """`transform` plus each text's script: 0 Kazakh letters, 1 other Cyrillic, 2 neither."""
        big = normalise_batch(texts)
        n = len(texts)
        word_rows, word_cols = self._words(big)
        char_rows, char_cols, scripts = self._chars(big, n)
        # One key per (group, row, column): the char group's rows are shifted past the words'.
        keys = np.concatenate(
            [word_rows * self.dim + word_cols, (char_rows + n) * self.dim + char_cols]
        )
        keys, counts = np.unique(keys, return_counts=True)
        group_rows, cols = np.divmod(keys, self.dim)
        vals = 1.0 + np.log(counts.astype(np.float32))
        if idf is not None:
            vals *= idf[cols]
        norms = np.sqrt(np.bincount(group_rows, weights=vals * vals, minlength=2 * n))
        vals /= np.maximum(norms, 1e-12)[group_rows]
        rows = group_rows % n if n else group_rows
        return rows, cols, vals.astype(np.float32), scripts

    def counts(self, texts: Sequence[str]) -> tuple[IntArray, IntArray]:
        """Rows and columns of every feature occurrence (for document frequencies)."""
        big = normalise_batch(texts)
        word_rows, word_cols = self._words(big)
        char_rows, char_cols, _ = self._chars(big, len(texts))
        return np.concatenate([word_rows, char_rows]), np.concatenate([word_cols, char_cols])

    def _words(self, big: str) -> tuple[IntArray, IntArray]:
        tokens = _TOKEN.findall(big)
        table = {token: zlib.crc32(token.encode("utf-8")) for token in set(tokens)}
        table["\n"] = _NEWLINE_HASH
        hashes = np.array([table[token] for token in tokens], dtype=np.uint64)
        is_break = hashes == _U(_NEWLINE_HASH)
        row_of = np.cumsum(is_break, dtype=np.int64)
        keep = ~is_break
        rows = [row_of[keep]]
        cols = [_mix(hashes[keep] ^ _WORD_SEED)]
        if self.word_bigrams and len(hashes) > 1:
            pair = keep[:-1] & keep[1:]
            rows.append(row_of[:-1][pair])
            cols.append(_mix((hashes[:-1][pair] * _PRIME + hashes[1:][pair]) ^ _BIGRAM_SEED))
        mask = _U(self.dim - 1)
        return np.concatenate(rows), (np.concatenate(cols) & mask).astype(np.int64)

    def _chars(self, big: str, n: int) -> tuple[IntArray, IntArray, IntArray]:
        padded = " " + big.replace("\n", " \n ") + " "
        codes = np.frombuffer(padded.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        is_break = codes == _U(10)
        breaks = np.concatenate([[0], np.cumsum(is_break, dtype=np.int64)])
        row_of = breaks[1:]
        scripts = np.full(n, 2, dtype=np.int64)
        cyrillic = (codes >= _U(0x400)) & (codes < _U(0x500))
        scripts[np.bincount(row_of[cyrillic], minlength=n) > 0] = 1
        scripts[np.bincount(row_of[np.isin(codes, _KAZAKH_LETTERS)], minlength=n) > 0] = 0
        rows: list[IntArray] = []
        cols: list[npt.NDArray[np.uint64]] = []
        gram = codes + _U(1)
        for size in range(1, self.char_max + 1):
            if size > 1:
                gram = gram[:-1] * _PRIME + codes[size - 1 :] + _U(1)
            if size < self.char_min or len(gram) == 0:
                continue
            starts = np.flatnonzero(breaks[size:] == breaks[:-size])
            rows.append(row_of[starts])
            cols.append(_mix(gram[starts] ^ _U((_CHAR_SEED * size) & 0xFFFFFFFFFFFFFFFF)))
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), scripts
        mask = _U(self.dim - 1)
        return np.concatenate(rows), (np.concatenate(cols) & mask).astype(np.int64), scripts


@dataclass
class CompactModel:
    """Weights (columns × classes), biases, temperature and the featuriser that feeds them.

    `script_bias` adds a per-class offset by script (Kazakh letters, other Cyrillic, neither),
    tuned on dev: Kazakh reviews and Russian tweets need different thresholds for neutral."""

    featuriser: Featuriser
    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    idf: npt.NDArray[np.float32] | None = None
    temperature: float = 1.0
    info: dict[str, Any] | None = None
    script_bias: npt.NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((3, len(LABELS)), dtype=np.float32)
    )

    def logits(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Raw class scores, one row per text, columns ordered as `LABELS`."""
        n = len(texts)
        out = np.tile(self.bias.astype(np.float64), (n, 1))
        if n == 0:
            return out
        rows, cols, vals, scripts = self.featuriser.transform_with_scripts(texts, self.idf)
        out += self.script_bias[scripts]
        gathered = self.weights[cols].astype(np.float32) * vals[:, None]
        for k in range(len(LABELS)):
            out[:, k] += np.bincount(rows, weights=gathered[:, k], minlength=n)
        return out

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Calibrated class probabilities, one row per text."""
        z = self.logits(texts) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def round_trip(self) -> CompactModel:
        """This model with weights and idf as `save` stores them (8 bits each)."""
        weights, scale = _compand(self.weights)
        idf = self.idf
        if idf is not None and len(idf):
            low, step = float(idf.min()), float(idf.max() - idf.min()) / 255 or 1.0
            idf = _idf(np.round((idf - low) / step).astype(np.uint8), np.array([low, step]))
        return CompactModel(
            self.featuriser,
            _expand(weights, scale),
            self.bias,
            idf,
            self.temperature,
            self.info,
            self.script_bias,
        )

    def save(self, path: Path) -> None:
        """Write the model as one compressed .npz file."""
        meta = {
            "featuriser": asdict(self.featuriser),
            "temperature": self.temperature,
            "labels": list(LABELS),
            "info": self.info or {},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            weights, weight_scale = _compand(self.weights)
            idf = self.idf if self.idf is not None else np.ones(0, dtype=np.float32)
            idf_low = float(idf.min()) if len(idf) else 0.0
            idf_step = float(idf.max() - idf_low) / 255 if len(idf) else 1.0
            np.savez_compressed(
                handle,
                weights=weights,
                weight_scale=weight_scale,
                bias=self.bias.astype(np.float32),
                script_bias=self.script_bias.astype(np.float32),
                idf=np.round((idf - idf_low) / (idf_step or 1.0)).astype(np.uint8),
                idf_range=np.array([idf_low, idf_step], dtype=np.float64),
                meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), np.uint8),
            )

    @classmethod
    def read(cls, path: Path | None = None) -> CompactModel:
        """Read a model written by `save`; the shipped one when `path` is None."""
        try:
            if path is None:
                source = resources.files("otklik.models").joinpath(SHIPPED_MODEL)
                with source.open("rb") as handle:
                    return cls._from_npz(np.load(handle))
            with Path(path).open("rb") as handle:
                return cls._from_npz(np.load(handle))
        except (OSError, KeyError, ValueError) as exc:
            where = path or f"otklik/models/{SHIPPED_MODEL}"
            raise ModelError(
                f"cannot read sentiment model {where}: {exc}; retrain it with "
                "`otklik train sentiment --data DIR --out PATH`"
            ) from exc

    @classmethod
    def _from_npz(cls, data: Any) -> CompactModel:
        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
        if list(meta["labels"]) != list(LABELS):
            raise ValueError(f"labels {meta['labels']} differ from {list(LABELS)}")
        return cls(
            featuriser=Featuriser(**meta["featuriser"]),
            weights=_expand(data["weights"], data["weight_scale"]),
            bias=np.asarray(data["bias"], dtype=np.float32),
            idf=_idf(data["idf"], data["idf_range"]) if len(data["idf"]) else None,
            temperature=float(meta["temperature"]),
            script_bias=np.asarray(data["script_bias"], dtype=np.float32),
            info=meta.get("info") or {},
        )


def _compand(weights: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.int8], FloatArray]:
    # 8 bits a weight, square-root companded per class: fine steps near zero, where most
    # weights are, coarse ones for the few large weights.
    scale = np.maximum(np.abs(weights).max(axis=0), 1e-12).astype(np.float32)
    q = np.round(127 * np.sign(weights) * np.sqrt(np.abs(weights) / scale))
    return q.astype(np.int8), scale


def _expand(q: Any, scale: Any) -> npt.NDArray[np.float32]:
    level = np.asarray(q, dtype=np.float32) / 127
    return (np.sign(level) * level * level * np.asarray(scale, dtype=np.float32)).astype(np.float32)


def _idf(q: Any, bounds: Any) -> npt.NDArray[np.float32]:
    low, step = (float(v) for v in bounds)
    return (low + np.asarray(q, dtype=np.float32) * step).astype(np.float32)


class CompactBackend:
    """The shipped compact model (or one trained for a workspace) behind the backend protocol."""

    name = "compact"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.model: CompactModel | None = None

    def load(self) -> None:
        """Read the model file once."""
        if self.model is None:
            self.model = _cached_read(self.path)

    def predict(self, texts: Sequence[str], languages: Sequence[str | None]) -> list[Prediction]:
        """Label each text; the compact model reads languages from the text itself."""
        del languages
        self.load()
        assert self.model is not None
        probs = self.model.probabilities(texts)
        return [Prediction.of(row) for row in probs.tolist()]


# Key: which reader, the resolved path with the file's modification time and size, so a model
# retrained into the same file is read again; a None path is the shipped file.
_CACHE: dict[tuple[Any, Path | None, int, int], Any] = {}
_T = TypeVar("_T")


def cached_file(read: Callable[[Path | None], _T], path: Path | None) -> _T:
    """`read(path)` once per process and file version, however many stages or backends ask
    (the compact model, the encoder head with its layers)."""
    key: tuple[Any, Path | None, int, int] = (read, None, 0, 0)
    if path is not None:
        try:
            where = Path(path).resolve()
            stat = where.stat()
        except OSError:
            return read(path)  # raises the reader's error naming the file
        key = (read, where, stat.st_mtime_ns, stat.st_size)
        for stale in [k for k in _CACHE if k[:2] == key[:2] and k != key]:
            del _CACHE[stale]
    if key not in _CACHE:
        _CACHE[key] = read(path)
    result: _T = _CACHE[key]
    return result


def _cached_read(path: Path | None) -> CompactModel:
    # One copy of each compact model per process.
    return cached_file(CompactModel.read, path)
