"""The demo workspace: deterministic, three languages, a visible spike, real analysis."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from otklik.demo import BRANDS, SPIKE_DAYS, TAGS, generate, load_demo
from otklik.domain.filters import Filters
from otklik.search_terms import open_store
from otklik.settings import Settings
from otklik.storage import catalog

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_generated_mentions_are_deterministic_and_varied() -> None:
    first, again = generate(600, seed=3, now=NOW), generate(600, seed=3, now=NOW)
    assert first == again
    texts = [r["text"] for r in first]
    assert len(set(texts)) > 0.6 * len(texts)
    channels = Counter(r["channel"] for r in first)
    assert {
        "vk",
        "telegram",
        "instagram",
        "review",
        "marketplace",
        "appstore",
        "maps",
        "news",
    } <= set(channels)
    assert any("rating" in r for r in first) and any("views" in r for r in first)
    assert any(any(ch in r["text"] for ch in "әіңғүұқөһ") for r in first)  # Kazakh


def test_spike_of_late_deliveries_stands_out() -> None:
    rows = generate(1400, seed=7, now=NOW)
    per_day = Counter(str(r["published_at"])[:10] for r in rows)
    spike_day = (NOW - timedelta(days=(SPIKE_DAYS[0] + SPIKE_DAYS[1]) / 2)).date().isoformat()
    quiet_day = (NOW - timedelta(days=60)).date().isoformat()
    assert per_day[spike_day] > 2 * per_day[quiet_day]


def test_load_demo_imports_through_the_pipeline(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    store.init()
    settings = Settings(database_url=sqlite_url, stages=("normalise", "language", "dedupe"))
    result = load_demo(store, settings, count=400, now=NOW)
    ws = result.workspace
    assert result.mentions > 400
    with store.connect() as conn:
        assert [b.name for b in catalog.list_brands(conn, ws.id)][0] == BRANDS[0].name
        assert len(catalog.list_tags(conn, ws.id)) == len(TAGS)
    languages = {r["language"] for r in store.count_by(ws, Filters(), ["language"])}
    assert {"ru", "kk", "en"} <= languages
    brands = {r["brand"]: r["count"] for r in store.count_by(ws, Filters(), ["brand"])}
    assert brands[BRANDS[0].name] > brands[BRANDS[2].name] > 0
    assert store.count(ws, Filters(tag=("сроки",))) > 0
    assert store.count(ws, Filters(status=("resolved",))) > 0
    store.close()
