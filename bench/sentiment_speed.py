"""Texts per second of the shipped sentiment model on ONE core, batches of 1000, from raw strings.

Usage: python bench/sentiment_speed.py [DATA_DIR] [--batch 1000] [--stage]
Pins itself to one core (like `taskset -c 0`); the model is loaded once, before timing.
CPU time is printed beside the clock so a busy machine does not hide the model's own speed.
--stage times the whole sentiment stage (brand contexts and rating rule included).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from otklik.pipeline.sentiment_backends.compact import CompactBackend
from otklik.pipeline.stage import Item
from otklik.pipeline.stages.sentiment import SentimentStage
from otklik.training.sentiment import TRAIN_SETS, read_labelled_csv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default="../shared/data/sentiment", type=Path)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--stage", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts: list[str] = []
    for name in TRAIN_SETS:
        texts += read_labelled_csv(args.data / name / "dev.csv")[0]
    backend = CompactBackend()
    backend.load()
    stage = SentimentStage(backend=backend)
    backend.predict(texts[:100], [None] * 100)
    started, cpu_started = time.perf_counter(), time.process_time()
    for start in range(0, len(texts), args.batch):
        chunk = texts[start : start + args.batch]
        if args.stage:
            items = [Item.of(t) for t in chunk]
            for it in items:
                it.values.update(clean_text=it["text"], language="ru")
            stage.run(items)
        else:
            backend.predict(chunk, [None] * len(chunk))
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    chars = sum(map(len, texts)) / len(texts)
    what = "stage" if args.stage else "backend"
    print(
        f"{what}: {len(texts) / seconds:,.0f} texts/s on one core by the clock, "
        f"{len(texts) / cpu_seconds:,.0f} by CPU time "
        f"({len(texts)} texts, mean {chars:.0f} chars, batch {args.batch})"
    )


if __name__ == "__main__":
    main()
