"""Brands and tags in the store: renaming keeps the id and everything matched under it."""

from __future__ import annotations

from datetime import datetime

import pytest

from otklik.domain import Filters
from otklik.domain.mention import Analysis, Author, BrandHit, Mention
from otklik.errors import InputError, NotFoundError
from otklik.storage import AnalysedMention, Store, catalog

NOW = datetime(2025, 3, 1, 9, 0)


def _stored(store: Store, ws: object, texts: list[str]) -> list[int]:
    batch = [
        AnalysedMention(
            Mention(text=t, raw={"text": t}, channel="vk", published_at=NOW, author=Author("a")),
            Analysis(sentiment="neutral", language="ru"),
        )
        for t in texts
    ]
    with store.begin() as conn:
        return [i for i in store.insert(conn, ws, batch).ids if i is not None]  # type: ignore[arg-type]


def test_renamed_brand_keeps_its_id_and_matched_mentions(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    ids = _stored(store, ws, ["Озон привёз", "Ozon опоздал", "ничего"])
    with store.begin() as conn:
        ozon = catalog.add_brand(conn, ws.id, "Ozon", "ozon", False, NOW)
        catalog.replace_brand_hits(
            conn, ws.id, ozon.id, {m: BrandHit(ozon.id, "main") for m in ids[:2]}
        )
        renamed = catalog.update_brand(conn, ws.id, "Ozon", NOW, new_name=" Озон ", is_own=True)
    assert (renamed.id, renamed.name, renamed.query, renamed.is_own) == (
        ozon.id,
        "Озон",
        "ozon",
        True,
    )
    assert store.count(ws, Filters(brand=("Озон",))) == 2
    assert store.count_by(ws, Filters(), ["brand"]) == [{"brand": "Озон", "count": 2}]
    with store.connect() as conn, pytest.raises(NotFoundError, match="Озон"):
        catalog.get_brand(conn, ws.id, "Ozon")


def test_renaming_a_brand_to_a_taken_or_empty_name_is_refused(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    with store.begin() as conn:
        catalog.add_brand(conn, ws.id, "Ozon", "ozon", False, NOW)
        catalog.add_brand(conn, ws.id, "Wildberries", "wb", False, NOW)
    with store.begin() as conn, pytest.raises(InputError, match="already has that name"):
        catalog.update_brand(conn, ws.id, "Ozon", NOW, new_name="Wildberries")
    with store.begin() as conn, pytest.raises(InputError, match="needs a name"):
        catalog.update_brand(conn, ws.id, "Ozon", NOW, new_name="  ")
    with store.begin() as conn, pytest.raises(InputError, match="needs a query"):
        catalog.update_brand(conn, ws.id, "Ozon", NOW, query=" ")
    with store.begin() as conn:  # the same name is no rename
        same = catalog.update_brand(conn, ws.id, "Ozon", NOW, new_name="Ozon", query="ozon OR озон")
    assert (same.name, same.query) == ("Ozon", "ozon OR озон")


def test_renamed_tag_keeps_rule_and_people_assignments(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    ids = _stored(store, ws, ["дорого", "очень дорого", "нормально"])
    with store.begin() as conn:
        price = catalog.add_tag(conn, ws.id, "price", "дорого", NOW)
        catalog.add_tag(conn, ws.id, "speed", None, NOW)
        catalog.replace_rule_tags(conn, ws.id, price.id, ids[:2], NOW)
        catalog.set_person_tag(conn, ws.id, ids[2], "price", True, "анна", NOW)
        renamed = catalog.update_tag(conn, ws.id, "price", NOW, new_name="цена")
    assert (renamed.id, renamed.name, renamed.query) == (price.id, "цена", "дорого")
    assert store.count(ws, Filters(tag=("цена",))) == 3
    with store.begin() as conn, pytest.raises(InputError, match="already has that name"):
        catalog.update_tag(conn, ws.id, "цена", NOW, new_name="speed")
    with store.begin() as conn, pytest.raises(InputError, match="needs a name"):
        catalog.update_tag(conn, ws.id, "цена", NOW, new_name="")
    with store.begin() as conn:
        unruled = catalog.update_tag(conn, ws.id, "цена", NOW, query="")
    assert unruled.query is None
