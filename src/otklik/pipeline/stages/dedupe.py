"""The `dedupe` stage: exact and near-duplicate keys (reposts, copy-paste campaigns).

The stage is pure: it returns keys and a MinHash signature per item and marks duplicates
within the batch. Storage looks the keys up among stored mentions of the workspace and
confirms a candidate by comparing signatures.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from otklik.pipeline.registry import register
from otklik.pipeline.stage import Item

NUM_HASHES = 32
BANDS = 8
ROWS = NUM_HASHES // BANDS
# Texts shorter than this are too generic ("Спасибо!") to call copies of each other.
MIN_CHARS = 30
NEAR_THRESHOLD = 0.7
_MAX_CHARS = 5000
_SHINGLE = 5
_PRIME = (1 << 31) - 1
_rng = np.random.default_rng(20250101)
_A = _rng.integers(1, _PRIME, size=NUM_HASHES, dtype=np.int64)
_B = _rng.integers(0, _PRIME, size=NUM_HASHES, dtype=np.int64)

_NOISE = re.compile(r"https?://\S+|www\.\S+|^rt\s+@\w+:?|@\w+", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)


def canonical(text: str) -> str:
    """Text reduced to what a copy keeps: words, lower case, no links or handles."""
    return " ".join(_WORD.findall(_NOISE.sub(" ", text.casefold()).replace("ё", "е")))


def signature(text: str) -> npt.NDArray[np.uint32]:
    """MinHash signature over character 5-grams of canonical text (robust to small edits)."""
    codes = np.frombuffer(text[:_MAX_CHARS].encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if codes.size < _SHINGLE:
        codes = np.concatenate([codes, np.zeros(_SHINGLE - codes.size, dtype=np.int64)])
    # Polynomial hash of every 5-gram at once, kept below 2**31 so products fit in int64.
    count = codes.size - _SHINGLE + 1
    hashes = np.zeros(count, dtype=np.int64)
    for offset in range(_SHINGLE):
        hashes = (hashes * 1_000_003 + codes[offset : offset + count]) % _PRIME
    mixed = (_A[:, None] * hashes[None, :] + _B[:, None]) % _PRIME
    return np.asarray(mixed.min(axis=1), dtype=np.uint32)


def similarity(left: bytes, right: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures."""
    a = np.frombuffer(left, dtype=np.uint32)
    b = np.frombuffer(right, dtype=np.uint32)
    if a.shape != b.shape or a.size == 0:
        return 0.0
    return float(np.count_nonzero(a == b)) / a.size


def band_keys(sig: npt.NDArray[np.uint32]) -> list[int]:
    """Lookup keys, one per MinHash band (signed 63-bit); identical texts share all of them."""
    return [
        _to_key(bytes([band]) + sig[band * ROWS : (band + 1) * ROWS].tobytes())
        for band in range(BANDS)
    ]


def _to_key(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big") >> 1


@register("dedupe")
class DedupeStage:
    """Gives each item duplicate lookup keys and marks copies inside the batch."""

    name = "dedupe"
    requires = frozenset({"clean_text"})
    provides = frozenset({"dedupe_keys", "signature", "duplicate_in_batch"})

    def load(self) -> None:
        """Nothing to load."""

    def run(self, batch: Sequence[Item]) -> list[Mapping[str, Any]]:
        """Keys and signature per item; `duplicate_in_batch` is the index of an earlier copy."""
        out: list[Mapping[str, Any]] = []
        first_by_key: dict[int, int] = {}
        sigs: list[bytes] = []
        for index, item in enumerate(batch):
            text = canonical(item["clean_text"])
            if len(text) < MIN_CHARS:
                out.append({"dedupe_keys": [], "signature": None, "duplicate_in_batch": None})
                sigs.append(b"")
                continue
            sig = signature(text)
            keys = band_keys(sig)
            raw = sig.tobytes()
            sigs.append(raw)
            original = None
            for key in keys:
                earlier = first_by_key.get(key)
                if earlier is not None and similarity(sigs[earlier], raw) >= NEAR_THRESHOLD:
                    original = earlier
                    break
            if original is None:
                for key in keys:
                    first_by_key.setdefault(key, index)
            out.append({"dedupe_keys": keys, "signature": raw, "duplicate_in_batch": original})
        return out
