"""Mentions per second of the background sentiment upgrade (the `upgrade_sentiment` job:
read compact-labelled mentions newest first, run normalise, language, the encoder tier and
the flags, store) on ONE core, end to end on a SQLite file; and the same texts through the
cascade and the compact tier, for the CPU each costs.

Usage: python bench/sentiment_upgrade_speed.py [DATA_DIR] [--cs bench/data/cs_eval.csv]
    [--per-set 100]
Pins itself to one core and one engine thread; CPU time is printed beside the clock so a busy
machine does not hide the work's own cost. The daily volume is CPU-time speed x 86,400 s x
the cores given (--cores 2), if nothing else ran.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the numpy e5 engine's BLAS

from otklik.domain.filters import Filters  # noqa: E402
from otklik.pipeline.sentiment_backends import load_tier  # noqa: E402
from otklik.search_terms import open_store  # noqa: E402
from otklik.services import Services, imports, upgrade  # noqa: E402
from otklik.settings import Settings  # noqa: E402
from otklik.training.tier_eval import dev_sets, read_cs_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", default="../shared/data/sentiment", type=Path)
    parser.add_argument("--cs", default="bench/data/cs_eval.csv", type=Path)
    parser.add_argument("--per-set", type=int, default=100)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = read_cs_set(args.cs).texts[:: max(1, 1081 // (3 * args.per_set))]
    for found in dev_sets(args.data):
        texts += found.texts[: args.per_set]
    with tempfile.TemporaryDirectory() as folder:
        rate = _upgrade(Path(folder), texts)
    print(
        f"upgrade job: {len(texts)} mentions, {rate[0]:.1f}/s by the clock, {rate[1]:.1f}/s by "
        f"CPU time on one core -> about {rate[1] * 86_400 * args.cores / 1e6:.2f} million "
        f"mentions a day on {args.cores} cores"
    )
    for tier in ("compact", "cascade", "encoder"):
        backend = load_tier(tier)
        backend.load()
        backend.predict(texts[:8], [None] * 8)
        started, cpu = time.perf_counter(), time.process_time()
        backend.predict(texts, [None] * len(texts))
        wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        share = getattr(backend, "last_share", 1.0 if tier == "encoder" else 0.0)
        print(
            f"{tier:8} {len(texts) / wall:9.1f} texts/s clock {len(texts) / cpu_s:9.1f} by CPU"
            f"  share to the encoder {share:.2f}"
        )


def _upgrade(folder: Path, texts: list[str]) -> tuple[float, float]:
    url = f"sqlite:///{folder / 'bench.db'}"
    store = open_store(url)
    store.init()
    settings = Settings(database_url=url, timezone="UTC", upload_dir=folder / "up")
    svc = Services.open(settings, store, keep_pipelines=False)
    ws = svc.workspace()
    path = folder / "texts.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("text,date\n")
        for n, text in enumerate(texts):
            cell = text.replace('"', '""').replace("\n", " ")
            out.write(f'"{cell}",2025-01-01 00:{n // 60 % 60:02d}:{n % 60:02d}\n')
    imports.import_file(svc, ws, path, imports.options(svc))
    upgrade.upgrade(svc, ws, limit=8)  # load the encoder outside the timing
    started, cpu = time.perf_counter(), time.process_time()
    done = upgrade.upgrade(svc, ws)
    wall, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    assert upgrade.remaining(svc, ws) == 0 and store.count(ws, Filters()) >= done
    store.close()
    return done / wall, done / cpu_s


if __name__ == "__main__":
    main()
