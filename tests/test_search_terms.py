"""`q` searches speak the query language on both databases: index candidates, exact test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from otklik.domain import Filters
from otklik.domain.mention import Analysis, Mention
from otklik.search_terms import groups_for, open_store
from otklik.storage import AnalysedMention, Store

TEXTS = [
    "Доставкой остался доволен, привезли за день",
    "Курьерская служба опять опоздала",
    "Доставщик был вежлив",
    "Жеткізуді күттік, бірақ тез келді",
    "Заказал через Боксберри, всё пришло",
    "Boxbery lost my parcel again",
    "Каспий сегодня штормит",
    "Kaspi-ге рахмет, доставка тез",
    "Deliveries are late every week",
]


@pytest.fixture
def searchable(db_url: str) -> Iterator[tuple[Store, object]]:
    store = open_store(db_url)
    store.init()
    ws = store.workspace("w", "UTC")
    start = datetime(2025, 1, 1)
    batch = [
        AnalysedMention(
            Mention(text=t, raw={"text": t}, published_at=start + timedelta(hours=i)),
            Analysis(sentiment="neutral", language="ru"),
        )
        for i, t in enumerate(TEXTS)
    ]
    with store.begin() as conn:
        store.insert(conn, ws, batch)
    yield store, ws
    store.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("доставка", {0, 7}),
        ("жеткізу", {3}),
        ("Boxberry", {4, 5}),
        ("Kaspi", {7}),
        ("доставка NOT Kaspi", {0}),
        ("delivery", {8}),
        ('"курьерская служба"', {1}),
        ("доставка OR Boxberry", {0, 4, 5, 7}),
    ],
)
def test_search_finds_word_forms_spellings_and_typos_but_not_lookalikes(
    searchable: tuple[Store, object], query: str, expected: set[int]
) -> None:
    store, ws = searchable
    records, _ = store.mentions(ws, Filters(q=query), limit=50)  # type: ignore[arg-type]
    assert {TEXTS.index(r.mention.text) for r in records} == expected
    assert store.count(ws, Filters(q=query)) == len(expected)  # type: ignore[arg-type]


def test_search_pages_fill_up_past_candidates_that_fail_the_exact_test(
    searchable: tuple[Store, object],
) -> None:
    store, ws = searchable
    page, cursor = store.mentions(ws, Filters(q="доставка OR Boxberry"), limit=2)  # type: ignore[arg-type]
    rest, end = store.mentions(ws, Filters(q="доставка OR Boxberry"), limit=10, cursor=cursor)  # type: ignore[arg-type]
    assert len(page) == 2 and len(rest) == 2 and end is None


def test_a_query_that_only_excludes_cannot_use_the_index() -> None:
    assert groups_for("NOT спам") == []
    assert groups_for("доставка OR NOT спам") == []
