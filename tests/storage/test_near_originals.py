"""Finding a stored original compares every candidate pair in one numpy pass; it must
choose exactly what comparing key by key with `similarity` chooses."""

from __future__ import annotations

import random
import struct

from otklik.domain.mention import Analysis
from otklik.storage.mentions import _first_stored_alike, _first_stored_alike_slowly


def _signature(values: list[int]) -> bytes:
    return struct.pack(f"={len(values)}I", *values)


def _batch(
    rng: random.Random, width: int
) -> tuple[list[Analysis], dict[int, int], dict[int, bytes]]:
    stored = {mid: [rng.getrandbits(32) for _ in range(width)] for mid in range(1, 40)}
    signatures = {mid: _signature(values) for mid, values in stored.items()}
    by_key = {rng.getrandbits(62): rng.choice(list(stored)) for _ in range(120)}
    keys = list(by_key)
    found = []
    for _ in range(300):
        base = list(stored[rng.choice(list(stored))])
        # 0 to 16 values changed: around the 0.7 threshold, on both sides of it.
        for index in rng.sample(range(width), rng.randint(0, min(16, width))):
            base[index] = rng.getrandbits(32)
        near_keys = tuple(
            rng.choice(keys) if rng.random() < 0.6 else rng.getrandbits(62) for _ in range(8)
        )
        found.append(Analysis(near_keys=near_keys, signature=_signature(base)))
    found.append(Analysis())  # a short text: no keys, no signature
    return found, by_key, signatures


def test_one_pass_agrees_with_key_by_key() -> None:
    rng = random.Random(5)
    found, by_key, signatures = _batch(rng, 32)
    fast = _first_stored_alike(found, by_key, signatures)
    assert fast == _first_stored_alike_slowly(found, by_key, signatures)
    assert 20 < len(fast) < 280  # both alike and different pairs were compared


def test_signatures_of_other_sizes_are_compared_pair_by_pair() -> None:
    rng = random.Random(6)
    found, by_key, signatures = _batch(rng, 32)
    odd_one = next(iter(signatures))
    signatures[odd_one] = signatures[odd_one][:64]  # never alike: the sizes differ
    fast = _first_stored_alike(found, by_key, signatures)
    assert fast == _first_stored_alike_slowly(found, by_key, signatures)
    assert odd_one not in {candidate for _, candidate in fast.values()}
