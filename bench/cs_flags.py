"""Complaint and question flags on the customer-service set: precision, recall, F1 per language.

Usage: python bench/cs_flags.py [bench/data/cs_eval.csv] [--tier compact|encoder|cascade]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from otklik.pipeline.sentiment_backends import load_tier
from otklik.pipeline.sentiment_backends.flags import flag_texts, with_service_evidence


def prf(truth: list[bool], guess: list[bool]) -> str:
    tp = sum(t and g for t, g in zip(truth, guess, strict=True))
    p = tp / max(sum(guess), 1)
    r = tp / max(sum(truth), 1)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f} R {r:.3f} F1 {f:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default="bench/data/cs_eval.csv", type=Path)
    parser.add_argument("--tier", default="encoder")
    args = parser.parse_args()
    with args.path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    backend = load_tier(args.tier)
    backend.load()
    texts = [r["text"] for r in rows]
    predictions = backend.predict(texts, [None] * len(texts))
    # As the sentiment stage labels: service evidence weighed in.
    labels = [with_service_evidence(p, t).label for p, t in zip(predictions, texts, strict=True)]
    flags = flag_texts(texts, labels)
    for language in ["all", "ru", "kk", "en"]:
        idx = [i for i, r in enumerate(rows) if language in ("all", r["language"])]
        for name in ("is_complaint", "is_question"):
            truth = [rows[i][name] == "1" for i in idx]
            guess = [getattr(flags[i], name) for i in idx]
            print(f"{args.tier:8} {language:4} {name:13} n={len(idx):5} {prf(truth, guess)}")


if __name__ == "__main__":
    main()
