"""Re-matching stored history after a brand query or tag rule changes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from otklik import rematch
from otklik.domain import Filters
from otklik.domain.mention import Analysis, Author, Mention
from otklik.errors import NotFoundError
from otklik.settings import Settings
from otklik.storage import AnalysedMention, Store, catalog, rollups
from otklik.storage.schema import rollup_brand_daily, rollup_daily, rollup_tag_daily

NOW = datetime(2025, 3, 1, 9, 0)
TEXTS = [
    "Доставка долго, курьер Boxberry опоздал",
    "Боксберри привёз быстро",
    "Цена высокая, но СДЭК быстрее",
    "Всё отлично",
    "Boxbery опять потерял заказ, цена доставки выросла",
]


def _settings(store: Store) -> Settings:
    url = store.engine.url.render_as_string(hide_password=False)
    return Settings(database_url=url, stages=("normalise", "language"), batch_size=2)


def _stored(store: Store, ws: Any) -> list[int]:
    batch = [
        AnalysedMention(
            Mention(
                text=t,
                raw={"text": t},
                channel="review",
                published_at=NOW.replace(day=1 + n),
                author=Author("a"),
            ),
            Analysis(sentiment="neutral", language="ru"),
        )
        for n, t in enumerate(TEXTS)
    ]
    with store.begin() as conn:
        return [i for i in store.insert(conn, ws, batch).ids if i is not None]


def _rollups(store: Store, ws_id: int) -> dict[str, list[tuple[Any, ...]]]:
    with store.connect() as conn:
        return {
            t.name: sorted(
                tuple(r) for r in conn.execute(sa.select(t).where(t.c.workspace_id == ws_id))
            )
            for t in (rollup_daily, rollup_brand_daily, rollup_tag_daily)
        }


def _assert_rollups_in_step(store: Store, ws_id: int) -> None:
    kept = _rollups(store, ws_id)
    with store.begin() as conn:
        rollups.rebuild(conn, ws_id)
    assert kept == _rollups(store, ws_id)


def _brand_counts(store: Store, ws: Any) -> dict[str, int]:
    return {r["brand"]: r["count"] for r in store.count_by(ws, Filters(), ["brand"])}


def test_brand_query_change_rematches_history_in_batches(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    _stored(store, ws)
    with store.begin() as conn:
        box = catalog.add_brand(conn, ws.id, "Boxberry", "Boxberry", True, NOW)
        cdek = catalog.add_brand(conn, ws.id, "СДЭК", "СДЭК", False, NOW)
    seen: list[tuple[int, int]] = []
    found = rematch.rematch_brands(
        store, ws, _settings(store), [box.id, cdek.id], lambda d, t: seen.append((d, t))
    )
    assert found == {box.id: 3, cdek.id: 1}  # Боксберри and Boxbery match too
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert _brand_counts(store, ws) == {"Boxberry": 3, "СДЭК": 1}
    with store.begin() as conn:
        catalog.update_brand(conn, ws.id, "Boxberry", NOW, query="Boxberry AND курьер")
    assert rematch.rematch_brands(store, ws, _settings(store), [box.id]) == {box.id: 1}
    assert _brand_counts(store, ws) == {"Boxberry": 1, "СДЭК": 1}
    _assert_rollups_in_step(store, ws.id)


def test_tag_rule_change_keeps_peoples_tags(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    ids = _stored(store, ws)
    with store.begin() as conn:
        price = catalog.add_tag(conn, ws.id, "цена", "цена", NOW)
        catalog.set_person_tag(conn, ws.id, ids[3], "цена", True, "анна", NOW)
    assert rematch.rematch_tags(store, ws, _settings(store), [price.id]) == {price.id: 2}
    assert store.count(ws, Filters(tag=("цена",))) == 3
    with store.begin() as conn:
        catalog.update_tag(conn, ws.id, "цена", NOW, query="доставка")
    assert rematch.rematch_tags(store, ws, _settings(store), [price.id]) == {price.id: 2}
    tagged, _ = store.mentions(ws, Filters(tag=("цена",)))
    assert sorted(r.mention.text for r in tagged) == sorted([TEXTS[0], TEXTS[3], TEXTS[4]])
    with store.begin() as conn:
        catalog.update_tag(conn, ws.id, "цена", NOW, query="")
    assert rematch.rematch_tags(store, ws, _settings(store), [price.id]) == {price.id: 0}
    tagged, _ = store.mentions(ws, Filters(tag=("цена",)))
    assert [r.mention.text for r in tagged] == [TEXTS[3]]  # the person's tag stays
    _assert_rollups_in_step(store, ws.id)


def test_a_rule_tag_a_person_took_off_stays_off(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    ids = _stored(store, ws)
    with store.begin() as conn:
        price = catalog.add_tag(conn, ws.id, "цена", "цена", NOW)
    assert rematch.rematch_tags(store, ws, _settings(store), [price.id]) == {price.id: 2}
    with store.begin() as conn:
        catalog.set_person_tag(conn, ws.id, ids[2], "цена", False, "анна", NOW)
    assert rematch.rematch_tags(store, ws, _settings(store), [price.id]) == {price.id: 1}
    tagged, _ = store.mentions(ws, Filters(tag=("цена",)))
    assert [r.mention.text for r in tagged] == [TEXTS[4]]
    _assert_rollups_in_step(store, ws.id)


class Stop(Exception):
    pass


def test_a_stopped_rematch_leaves_written_batches_consistent(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    _stored(store, ws)
    with store.begin() as conn:
        box = catalog.add_brand(conn, ws.id, "Boxberry", "Boxberry", True, NOW)

    def stop_after_first_batch(done: int, _total: int) -> None:
        if done >= 2:
            raise Stop

    with pytest.raises(Stop):
        rematch.rematch_brands(store, ws, _settings(store), [box.id], stop_after_first_batch)
    assert _brand_counts(store, ws) == {"Boxberry": 1}  # the two newest mentions were done
    _assert_rollups_in_step(store, ws.id)


def test_unknown_brand_is_an_error_not_a_silent_no_op(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    with pytest.raises(NotFoundError, match="no brand with id 42"):
        rematch.rematch_brands(store, ws, _settings(store), [42])
