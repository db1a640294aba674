"""Intake takes items from any source, not only files: webhook-like bodies here."""

from __future__ import annotations

import json
from typing import Any

from otklik.domain.filters import Filters
from otklik.ingest.intake import IntakeOptions, RawItem, take
from otklik.pipeline.pipeline import Pipeline
from otklik.pipeline.stages.dedupe import DedupeStage
from otklik.pipeline.stages.language import LanguageStage
from otklik.pipeline.stages.normalise import NormaliseStage
from otklik.storage import Store
from otklik.storage import imports as import_runs


def pipeline() -> Pipeline:
    return Pipeline([NormaliseStage(), LanguageStage(), DedupeStage()])


def bodies(items: list[dict[str, Any]]) -> list[RawItem]:
    return [
        RawItem(n, body, json.dumps(body, ensure_ascii=False), dict(body), body.get("id"))
        for n, body in enumerate(items, start=1)
    ]


HOOK = [
    {"id": "a1", "text": "Курьер опоздал на три часа", "published_at": "2025-03-01T10:00:00Z"},
    {"id": "a2", "text": "Great service, thanks", "url": "https://x.example/2", "rating": 5},
    {"id": "a3", "text": "   "},
    {"id": "a4", "text": "Доставка вовремя", "published_at": "вчера вечером как-то"},
]


def test_webhook_bodies_are_stored_and_bad_ones_rejected_with_reasons(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    src = store.source_id(ws, "hook", "webhook")
    result = take(store, ws, pipeline(), bodies(HOOK), source_id=src, label="webhook")
    assert (result.read, result.imported, result.rejected, result.duplicates) == (4, 2, 2, 0)
    page, _ = store.mentions(ws, Filters(), limit=10)
    stored = {r.mention.external_id: r for r in page}
    assert set(stored) == {"a1", "a2"}
    assert stored["a2"].mention.raw == HOOK[1]  # the payload as received
    assert stored["a2"].mention.rating == 5 and stored["a2"].analysis.language == "en"
    with store.connect() as conn:
        run = import_runs.get_run(conn, result.run_id)
        rejected = import_runs.rejections(conn, result.run_id)
    assert run is not None and (run.status, run.path, run.rejected) == ("done", "webhook", 2)
    assert [(r.row_number, r.field) for r in rejected] == [(3, "text"), (4, "published_at")]
    assert json.loads(rejected[1].raw) == HOOK[3]


def test_the_same_item_again_adds_nothing_and_an_edited_one_updates(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    src = store.source_id(ws, "hook", "webhook")
    take(store, ws, pipeline(), bodies(HOOK), source_id=src, label="webhook")
    again = take(store, ws, pipeline(), bodies(HOOK), source_id=src, label="webhook")
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 2)
    edited = [dict(HOOK[0], text="Курьер опоздал на три часа, но извинился"), HOOK[1]]
    changed = take(store, ws, pipeline(), bodies(edited), source_id=src, label="webhook")
    assert (changed.imported, changed.updated, changed.duplicates) == (0, 1, 1)
    assert store.count(ws, Filters()) == 2
    page, _ = store.mentions(ws, Filters(), limit=10)
    texts = {r.mention.external_id: r.mention.text for r in page}
    assert texts["a1"] == "Курьер опоздал на три часа, но извинился"


def test_without_an_external_id_the_url_names_the_item(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    feed = store.source_id(ws, "feed", "rss")
    other = store.source_id(ws, "other feed", "rss")
    entry = {"text": "Новый пункт выдачи открыт", "url": "https://news.example/1"}
    take(store, ws, pipeline(), bodies([entry]), source_id=feed, label="feed")
    edited = dict(entry, text="Новый пункт выдачи открыт на Абая, 10")
    result = take(store, ws, pipeline(), bodies([edited]), source_id=feed, label="feed")
    assert (result.imported, result.updated) == (0, 1)
    # The same URL from another source is another item.
    retold = dict(entry, text="Говорят, новый пункт выдачи открыт")
    elsewhere = take(store, ws, pipeline(), bodies([retold]), source_id=other, label="other")
    assert elsewhere.imported == 1
    assert store.count(ws, Filters()) == 2


def test_a_copy_from_elsewhere_is_stored_and_marked(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    text = "Курьер опоздал на четыре часа и даже не извинился, больше не закажу в этой службе"
    items = [{"id": "1", "text": text}, {"id": "2", "text": "RT @shop: " + text}]
    src = store.source_id(ws, "hook", "webhook")
    options = IntakeOptions(batch_size=1)
    result = take(store, ws, pipeline(), bodies(items), source_id=src, label="w", options=options)
    assert (result.imported, result.near_duplicates) == (2, 1)
    page, _ = store.mentions(ws, Filters(), limit=10)
    by_ext = {r.mention.external_id: r for r in page}
    assert by_ext["2"].analysis.duplicate_of == by_ext["1"].mention.id
