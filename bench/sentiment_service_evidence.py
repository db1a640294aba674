"""Service-text evidence (a stated problem, a resolved problem, a plain question) weighed
into each tier's probabilities: macro-F1 with and without it, per dev split and on the
customer-service set, from one pass of each model (probabilities cached under .cache/).

Usage: python bench/sentiment_service_evidence.py [DATA_DIR] [--cs bench/data/cs_eval.csv]
The cascade is derived from the cached compact and encoder probabilities with the shipped
threshold, exactly as CascadeBackend decides.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from otklik.pipeline.sentiment_backends import load_tier
from otklik.pipeline.sentiment_backends.base import LABELS, Prediction
from otklik.pipeline.sentiment_backends.flags import with_service_evidence
from otklik.training.sentiment import score_labels
from otklik.training.tier_eval import dev_sets, read_cs_set


def probabilities(tier: str, texts: list[str], cache: Path) -> np.ndarray:
    if cache.exists():
        return np.load(cache)
    backend = load_tier(tier)
    backend.load()
    rows: list[list[float]] = []
    for start in range(0, len(texts), 256):
        chunk = texts[start : start + 256]
        rows += [
            [p.probabilities[k] for k in LABELS]
            for p in backend.predict(chunk, [None] * len(chunk))
        ]
        print(f"  {tier} {start + len(chunk)}/{len(texts)}", flush=True)
    out = np.asarray(rows)
    np.save(cache, out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default="../shared/data/sentiment", type=Path)
    parser.add_argument("--cs", default="bench/data/cs_eval.csv", type=Path)
    parser.add_argument("--cache", default=".cache/tier_probabilities", type=Path)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    sets = dev_sets(args.data) + [read_cs_set(args.cs)]
    encoder = load_tier("cascade")
    encoder.load()
    threshold = float(getattr(encoder, "threshold", 0.54))
    print(f"set | tier | macro-F1 | with evidence   (cascade threshold {threshold})")
    for labelled in sets:
        texts = list(labelled.texts)
        compact = probabilities("compact", texts, args.cache / f"{labelled.name}.compact.npy")
        full = probabilities("encoder", texts, args.cache / f"{labelled.name}.encoder.npy")
        cascade = np.where((compact.max(axis=1) < threshold)[:, None], full, compact)
        for tier, probs in (("compact", compact), ("encoder", full), ("cascade", cascade)):
            plain = [LABELS[int(k)] for k in probs.argmax(axis=1)]
            leaned = [
                with_service_evidence(Prediction.of(row), text).label
                for row, text in zip(probs.tolist(), texts, strict=True)
            ]
            print(
                f"{labelled.name} | {tier} | {score_labels(labelled.labels, plain).macro_f1:.3f} | "
                f"{score_labels(labelled.labels, leaned).macro_f1:.3f}"
            )


if __name__ == "__main__":
    main()
