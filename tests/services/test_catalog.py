"""services.catalog, rematch and variants: brand and tag changes reach stored mentions."""

from __future__ import annotations

import pytest

from otklik.domain.filters import Filters
from otklik.errors import InputError, NotFoundError, QueryError
from otklik.services import catalog, mentions, queries, rematch, variants
from tests.services.conftest import World


def _brand_counts(world: World) -> dict[str, int]:
    rows = mentions.count_by(world.svc, world.ws, Filters(), ["brand"])
    return {r["brand"]: r["count"] for r in rows}


def test_added_brand_is_matched_again_with_progress(world: World) -> None:
    brand = catalog.add_brand(
        world.svc, world.ws, "BystroPost", 'BystroPost OR "Быстрая Почта"', True
    )
    seen: list[tuple[int, int]] = []
    found = rematch.rematch_brands(
        world.svc, world.ws, [brand.id], lambda d, t: seen.append((d, t))
    )
    assert found == {brand.id: 2}
    assert _brand_counts(world) == {"BystroPost": 2}
    assert seen[-1] == (4, 4)
    assert [b.name for b in catalog.brands(world.svc, world.ws)] == ["BystroPost"]


def test_save_brand_says_when_the_query_changed(world: World) -> None:
    saved, changed = catalog.save_brand(world.svc, world.ws, "СДЭК", "СДЭК", False)
    assert changed and saved.query == "СДЭК"
    same, changed = catalog.save_brand(world.svc, world.ws, "CDEK", "СДЭК", True, "СДЭК")
    assert not changed and same.id == saved.id and same.name == "CDEK" and same.is_own
    _, changed = catalog.save_brand(world.svc, world.ws, "CDEK", "СДЭК OR CDEK", True, "CDEK")
    assert changed
    with pytest.raises(InputError):
        catalog.save_brand(world.svc, world.ws, "X", "  ", False)
    with pytest.raises(QueryError):
        catalog.save_brand(world.svc, world.ws, "X", "(broken", False)
    assert [b.name for b in catalog.brands(world.svc, world.ws)] == ["CDEK"]


def test_tag_rule_is_applied_and_removed_tag_leaves_every_mention(world: World) -> None:
    tag = catalog.add_tag(world.svc, world.ws, "delivery", "доставка OR посылка OR delivered")
    assert rematch.rematch_tags(world.svc, world.ws, [tag.id]) == {tag.id: 3}
    assert mentions.count(world.svc, world.ws, Filters(tag=("delivery",))) == 3
    stopped: list[str] = []
    catalog.remove_tag(world.svc, world.ws, "delivery", before=lambda t: stopped.append(t.name))
    assert stopped == ["delivery"]
    assert catalog.tags(world.svc, world.ws) == []
    assert mentions.count(world.svc, world.ws, Filters(tag=("delivery",))) == 0
    with pytest.raises(NotFoundError):
        catalog.remove_tag(world.svc, world.ws, "delivery")


def test_removed_brand_loses_its_matches(world: World) -> None:
    brand = catalog.add_brand(world.svc, world.ws, "СДЭК", "СДЭК", False)
    rematch.rematch_brands(world.svc, world.ws, [brand.id])
    assert _brand_counts(world) == {"СДЭК": 1}
    catalog.remove_brand(world.svc, world.ws, "СДЭК")
    assert _brand_counts(world) == {}
    assert mentions.count(world.svc, world.ws, Filters()) == 4


def test_variants_find_the_other_script_and_what_the_query_misses(world: World) -> None:
    rows = {v.text: v.row() for v in variants.find_variants(world.svc, world.ws, "СДЭК", "СДЭК")}
    assert rows["сдэк"]["mentions"] == 1
    assert rows["сдэк"]["would_add"] == 0
    assert "sdek" in rows  # the transliteration is worth checking even when unused


def test_brand_query_defaults(world: World) -> None:
    assert catalog.name_query("Быстрая Почта") == '"Быстрая Почта"'
    assert catalog.name_query("Ozon") == "Ozon"
    assert catalog.brand_query(world.svc, world.ws, "Ozon") is None
    catalog.add_brand(world.svc, world.ws, "Ozon", "Ozon OR Озон", False)
    assert catalog.brand_query(world.svc, world.ws, "Ozon") == "Ozon OR Озон"


def test_queries_try_texts_and_stored_mentions(world: World) -> None:
    matcher = queries.check("доставка")
    found = list(queries.match_texts(matcher, ["Доставкой доволен", "Курьер"]))
    assert [m.is_match for m in found] == [True, False]
    assert found[0].spans
    stored = queries.match_stored(world.svc, world.ws, matcher, sample=5)
    assert (stored.matched, stored.total) == (1, 4)
    assert stored.sample[0].mention_id is not None
    assert [r.mention.id for r in queries.preview(world.svc, world.ws, "доставка")] == [
        stored.sample[0].mention_id
    ]
    with pytest.raises(QueryError):
        queries.check("a AND (")
