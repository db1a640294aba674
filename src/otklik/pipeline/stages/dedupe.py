"""The `dedupe` stage: exact and near-duplicate keys (reposts, copy-paste campaigns).

The stage is pure: it returns keys and a MinHash signature per item and marks duplicates
within the batch. Storage looks the keys up among stored mentions of the workspace and
confirms a candidate by comparing signatures.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from otklik.domain.mention import NEAR_THRESHOLD, similarity
from otklik.pipeline.registry import register
from otklik.pipeline.stage import Item

NUM_HASHES = 32
BANDS = 8
ROWS = NUM_HASHES // BANDS
# Texts shorter than this are too generic ("Спасибо!") to call copies of each other.
MIN_CHARS = 30
_MAX_CHARS = 5000
_SHINGLE = 5
_PRIME = (1 << 31) - 1

_NOISE = re.compile(r"https?://\S+|www\.\S+|^rt\s+@\w+:?|@\w+", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)


def canonical(text: str) -> str:
    """Text reduced to what a copy keeps: words, lower case, no links or handles."""
    return " ".join(_WORD.findall(_NOISE.sub(" ", text.casefold()).replace("ё", "е")))


def signature(text: str) -> npt.NDArray[np.uint32]:
    """MinHash signature over character 5-grams of canonical text (robust to small edits)."""
    return signatures([text])[0]


# One-permutation MinHash: every shingle is hashed once and falls into one of NUM_HASHES
# bins by its top bits; a bin keeps its smallest value. Empty bins (short texts) borrow the
# next filled bin's value, shifted by the distance (rotation densification), so two texts
# are compared bin by bin as with NUM_HASHES separate hash functions, at 1/NUM_HASHES the cost.
_GROUP_CHARS = 262_144  # texts hashed in one numpy pass
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_EMPTY = np.uint64(1 << 32)
_ROTATE = np.uint64(0x9E3779B9)


def signatures(texts: Sequence[str]) -> list[npt.NDArray[np.uint32]]:
    """MinHash signatures of many texts, a group of texts per numpy pass."""
    out: list[npt.NDArray[np.uint32]] = []
    group: list[str] = []
    size = 0
    for text in texts:
        text = text[:_MAX_CHARS].ljust(_SHINGLE, "\0")
        group.append(text)
        size += len(text)
        if size >= _GROUP_CHARS:
            out.extend(_group_signatures(group))
            group, size = [], 0
    out.extend(_group_signatures(group))
    return out


def _group_signatures(texts: list[str]) -> list[npt.NDArray[np.uint32]]:
    """Signatures of texts of at least `_SHINGLE` characters."""
    if not texts:
        return []
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    count = codes.size - _SHINGLE + 1
    hashes = np.zeros(count, dtype=np.int64)
    for offset in range(_SHINGLE):
        hashes = (hashes * 1_000_003 + codes[offset : offset + count]) % _PRIME
    # Keep only the shingles that lie inside one text.
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    owner = np.repeat(np.arange(len(texts)), lengths)[:count]
    inside = np.arange(count) - starts[owner] <= lengths[owner] - _SHINGLE
    mixed = hashes[inside].astype(np.uint64)
    owner = owner[inside]
    # splitmix64's finaliser: every output bit depends on every input bit.
    mixed ^= mixed >> np.uint64(30)
    mixed *= _MIX_1
    mixed ^= mixed >> np.uint64(27)
    mixed *= _MIX_2
    mixed ^= mixed >> np.uint64(31)
    bins = (mixed >> np.uint64(59)).astype(np.int64)
    values = mixed & np.uint64(0xFFFFFFFF)
    table = np.full(len(texts) * NUM_HASHES, _EMPTY, dtype=np.uint64)
    np.minimum.at(table, owner * NUM_HASHES + bins, values)
    sig = table.reshape(len(texts), NUM_HASHES)
    filled = sig != _EMPTY
    if not filled.all():
        dense = sig.copy()
        missing = ~filled
        for distance in range(1, NUM_HASHES):
            borrowed = np.roll(sig, -distance, axis=1)
            take = missing & np.roll(filled, -distance, axis=1)
            dense[take] = borrowed[take] + np.uint64(distance) * _ROTATE
            missing &= ~take
            if not missing.any():
                break
        sig = dense
    return list((sig & np.uint64(0xFFFFFFFF)).astype(np.uint32))


def band_keys(sig: npt.NDArray[np.uint32]) -> list[int]:
    """Lookup keys, one per MinHash band (signed 63-bit); identical texts share all of them."""
    return [
        _to_key(bytes([band]) + sig[band * ROWS : (band + 1) * ROWS].tobytes())
        for band in range(BANDS)
    ]


def _to_key(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big") >> 1


@dataclass(frozen=True, slots=True)
class NearKeys:
    """Lookup keys and signature of an item, and the index of an earlier copy in its batch."""

    dedupe_keys: tuple[int, ...]
    signature: bytes | None
    duplicate_in_batch: int | None


@register("dedupe")
class DedupeStage:
    """Gives each item duplicate lookup keys and marks copies inside the batch."""

    name = "dedupe"
    requires = frozenset({"clean_text"})
    provides = frozenset({"dedupe_keys", "signature", "duplicate_in_batch"})

    def load(self) -> None:
        """Nothing to load."""

    def run(self, batch: Sequence[Item]) -> list[NearKeys]:
        """Keys and signature per item; `duplicate_in_batch` is the index of an earlier copy."""
        out: list[NearKeys] = []
        first_by_key: dict[int, int] = {}
        sigs: list[bytes] = []
        texts = [canonical(item["clean_text"]) for item in batch]
        long_enough = [t for t in texts if len(t) >= MIN_CHARS]
        computed = iter(signatures(long_enough))
        for index, text in enumerate(texts):
            if len(text) < MIN_CHARS:
                out.append(NearKeys((), None, None))
                sigs.append(b"")
                continue
            sig = next(computed)
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
            out.append(NearKeys(tuple(keys), raw, original))
        return out
