"""Server-side speed of the overview and the feed's first page on 1M mentions (SQLite).

Usage: python bench/web_speed.py [--rows 1000000] [--db sqlite:///bench-web-1m.db] [--repeat 7]
The database is filled once through Store.insert with ready-made analysis values (rollups and
the text index kept as in production) and reused on the next run. Each page is timed through
create_app + TestClient (routing, queries, template) and the library calls behind it.
Targets: overview < 200 ms, feed first page < 100 ms. Numbers go to the issue note, never into
tests.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from otklik.domain.filters import Filters
from otklik.domain.mention import Author, Engagement, Mention
from otklik.settings import Settings
from otklik.storage import AnalysedMention, Store, catalog, utcnow
from otklik.storage import users as accounts

CHANNELS = ["vk", "telegram", "instagram", "review", "marketplace", "appstore", "maps", "news"]
SENTIMENTS = ["positive", "neutral", "negative"]
LANGUAGES = ["ru", "ru", "ru", "kk", "en"]
WORDS = (
    "доставка курьер посылка заказ опоздание цена приложение упаковка пункт выдачи склад "
    "жеткізу тапсырыс курьер баға delivery courier parcel late price app refund support "
    "быстро медленно вежливо грубо дорого дешево отлично ужасно спасибо"
).split()
PASSWORD = "bench-password"


def fill(store: Store, settings: Settings, rows: int, seed: int = 1) -> None:
    """Insert synthetic analysed mentions over the last year until the workspace has `rows`."""
    ws = store.workspace(settings.workspace, settings.timezone)
    have = store.count(ws, Filters())
    if have >= rows:
        return
    with store.begin() as conn:
        brands = catalog.list_brands(conn, ws.id)
        if not brands:
            brands = [
                catalog.add_brand(conn, ws.id, name, name, i == 0, utcnow())
                for i, name in enumerate(["Быстрая Почта", "Грузовичок", "Пакетон"])
            ]
        tags = catalog.list_tags(conn, ws.id) or [
            catalog.add_tag(conn, ws.id, name, None, utcnow())
            for name in ["доставка", "сроки", "цена", "курьер", "приложение", "повреждение"]
        ]
    rng = random.Random(seed + have)
    now = datetime.now(UTC).replace(tzinfo=None)
    batch_size = 5000
    started = time.monotonic()
    for offset in range(have, rows, batch_size):
        batch = [
            _one(rng, now, i, brands, tags) for i in range(offset, min(rows, offset + batch_size))
        ]
        with store.begin() as conn:
            store.insert(conn, ws, batch)
        done = offset + len(batch)
        if done % 100_000 < batch_size:
            rate = (done - have) / (time.monotonic() - started)
            print(f"  filled {done:,} ({rate:,.0f}/s)", flush=True)


def _one(
    rng: random.Random, now: datetime, i: int, brands: list[Any], tags: list[Any]
) -> AnalysedMention:
    channel = rng.choice(CHANNELS)
    published = now - timedelta(seconds=rng.randint(0, 365 * 24 * 3600))
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))) + f" #{i}"
    mention = Mention(
        text=text,
        raw={"i": i},
        published_at=published,
        collected_at=published,
        channel=channel,
        author=Author(name=f"user{i % 5000}"),
        rating=float(rng.randint(1, 5)) if channel in ("review", "marketplace", "maps") else None,
        engagement=Engagement(likes=rng.randint(0, 100))
        if channel in ("vk", "telegram")
        else Engagement(),
    )
    sentiment = rng.choice(SENTIMENTS)
    hits = [
        {"brand_id": b.id, "role": "main"} for b in rng.sample(brands, rng.choice([0, 1, 1, 2]))
    ]
    values = {
        "language": rng.choice(LANGUAGES),
        "sentiment": sentiment,
        "sentiment_score": 0.8,
        "sentiment_source": "model",
        "brand_hits": hits,
        "brand_sentiments": [{"sentiment": sentiment, "score": 0.8} for _ in hits],
        "tag_ids": [t.id for t in rng.sample(tags, rng.choice([0, 1, 1, 2]))],
    }
    return AnalysedMention(mention, values)


def timed(func: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median and best of `repeat` runs after one warm-up, in milliseconds."""
    func()
    runs = []
    for _ in range(repeat):
        begin = time.perf_counter()
        func()
        runs.append((time.perf_counter() - begin) * 1000)
    return statistics.median(runs), min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite:///bench-web-1m.db")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from otklik.search_terms import open_store
    from otklik.web import dashboard
    from otklik.web.app import create_app
    from otklik.web.auth import hash_password

    settings = Settings(
        database_url=args.db,
        workspace="bench",
        timezone="Europe/Moscow",
        stages=("normalise", "language", "dedupe"),
        secret_key="bench",
    )
    store = open_store(args.db)
    store.init()
    begin = time.monotonic()
    fill(store, settings, args.rows)
    print(f"database ready in {time.monotonic() - begin:.0f} s")
    with store.begin() as conn:
        if accounts.user_by_email(conn, "bench@example.com") is None:
            accounts.add_user(
                conn, "bench@example.com", "viewer", hash_password(PASSWORD), utcnow()
            )
    app = create_app(settings, store)
    ws = store.workspace(settings.workspace)
    print(f"mentions: {store.count(ws, Filters()):,}")
    with TestClient(app) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token
        client.post(
            "/login",
            data={"email": "bench@example.com", "password": PASSWORD, "csrf": token.group(1)},
        )
        state = app.state.web
        today = datetime.now(UTC).astimezone(state.tz).date()
        cases: list[tuple[str, Callable[[], Any]]] = []
        for days in (30, 90):
            since, until = dashboard.period_bounds(days, today)
            cases.append(
                (
                    f"overview {days} days, library",
                    lambda s=since, u=until: dashboard.overview(
                        state, s, u, None, datetime.now(UTC)
                    ),
                )
            )
            cases.append(
                (f"overview {days} days, GET /", lambda d=days: _ok(client.get(f"/?days={d}")))
            )
        cases.append(
            (
                "overview 30 days one brand, GET /",
                lambda: _ok(client.get("/?days=30&brand=Быстрая Почта")),
            )
        )
        cases += [
            ("feed first page, library", lambda: store.mentions(ws, Filters(), limit=50)),
            ("feed first page, GET /mentions", lambda: _ok(client.get("/mentions"))),
            (
                "feed negative vk, GET /mentions",
                lambda: _ok(client.get("/mentions?sentiment=negative&channel=vk")),
            ),
            ("feed one brand, GET /mentions", lambda: _ok(client.get("/mentions?brand=Пакетон"))),
            (
                "feed tag + search, GET /mentions",
                lambda: _ok(client.get("/mentions?tag=сроки&q=курьер")),
            ),
        ]
        print(f"{'case':45} {'median ms':>10} {'best ms':>9}")
        for name, func in cases:
            median, best = timed(func, args.repeat)
            print(f"{name:45} {median:10.1f} {best:9.1f}", flush=True)
    store.close()


def _ok(response: Any) -> None:
    assert response.status_code == 200, response.status_code


if __name__ == "__main__":
    main()
