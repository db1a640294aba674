"""Dashboard counts at scale: rollup tables against a plain GROUP BY over mentions.

Usage: python bench/rollup_speed.py [--rows 1000000] [--db sqlite:///bench-1m.db]
       [--db postgresql+psycopg://postgres@127.0.0.1:5432/test]
An empty database is filled with synthetic analysed mentions over a year (reused when it
already holds them), then each overview query is timed both ways. Numbers go to the issue
note, never into tests.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from otklik.domain import Filters
from otklik.storage import Store, rollups
from otklik.storage.aggregates import _fold_time, _from_mentions
from otklik.storage.schema import analysis, brand, mention, mention_brand

CHANNELS = ["vk", "telegram", "review", "marketplace", "appstore", "maps", "news"]
SENTIMENTS = ["positive", "neutral", "negative"]
LANGUAGES = ["ru", "kk", "en"]
OVERVIEW: list[tuple[str, list[str], Filters]] = [
    ("volume by day × sentiment", ["day", "sentiment"], Filters()),
    ("by channel", ["channel"], Filters()),
    ("share of voice by brand × sentiment", ["brand", "sentiment"], Filters()),
    ("languages", ["language"], Filters()),
    ("one brand by week", ["week"], Filters(brand=("Ours",))),
]


def fill(store: Store, rows: int, seed: int = 1) -> None:
    """Insert synthetic mentions straight into the tables, then build the rollups."""
    ws = store.workspace("bench", "UTC")
    with store.connect() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(mention)).scalar_one()
    if have >= rows:
        return
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    now = datetime(2026, 1, 1)
    with store.begin() as conn:
        brand_ids = [
            conn.execute(
                sa.insert(brand).returning(brand.c.id),
                {
                    "workspace_id": ws.id,
                    "name": name,
                    "query": name.lower(),
                    "is_own": i == 0,
                    "created_at": now,
                    "updated_at": now,
                },
            ).scalar_one()
            for i, name in enumerate(["Ours", "Rival A", "Rival B"])
        ]
    batch = 20_000
    for offset in range(have, rows, batch):
        size = min(batch, rows - offset)
        m_rows, a_rows, b_rows = [], [], []
        for i in range(offset, offset + size):
            moment = start + timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            m_rows.append(
                {
                    "id": i + 1,
                    "workspace_id": ws.id,
                    "content_hash": f"{i:064x}",
                    "text": f"отзыв номер {i} о доставке",
                    "published_at": moment,
                    "collected_at": now,
                    "day": moment.date(),
                    "channel": rng.choice(CHANNELS),
                    "raw": {},
                    "status": "new",
                }
            )
            a_rows.append(
                {
                    "mention_id": i + 1,
                    "workspace_id": ws.id,
                    "language": rng.choice(LANGUAGES),
                    "sentiment": rng.choice(SENTIMENTS),
                    "analysed_at": now,
                    "is_spam": False,
                }
            )
            if rng.random() < 0.6:
                b_rows.append(
                    {
                        "mention_id": i + 1,
                        "brand_id": rng.choice(brand_ids),
                        "role": "main",
                        "sentiment": rng.choice(SENTIMENTS),
                        "is_comparison": False,
                    }
                )
        with store.begin() as conn:
            conn.execute(sa.insert(mention), m_rows)
            conn.execute(sa.insert(analysis), a_rows)
            conn.execute(sa.insert(mention_brand), b_rows)
        print(f"  filled {offset + size:,}", flush=True)
    with store.begin() as conn:
        rollups.rebuild(conn, ws.id)


def timed(func: Any, repeat: int = 5) -> float:
    """Best of `repeat` runs, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        begin = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - begin)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", action="append", default=None)
    args = parser.parse_args()
    for url in args.db or ["sqlite:///bench-rollup.db"]:
        store = Store.open(url)
        store.init()
        fill(store, args.rows)
        ws = store.workspace("bench", "UTC")
        year = Filters(since=datetime(2025, 1, 1), until=datetime(2026, 1, 1))
        print(f"{store.dialect}, {args.rows:,} mentions over a year:")
        for name, by, filters in OVERVIEW:
            f = replace(filters, since=year.since, until=year.until)
            fast = timed(lambda f=f, by=by, s=store, w=ws: s.count_by(w, f, by))
            with store.connect() as conn:
                plain = replace(f, workspace_id=ws.id)
                slow = timed(
                    lambda plain=plain, by=by, conn=conn: _fold_time(
                        _from_mentions(conn, plain, by, None), by
                    ),
                    1,
                )
            print(f"  {name:38s} rollup {fast:8.1f} ms   GROUP BY {slow:8.1f} ms")
        store.close()


if __name__ == "__main__":
    main()
