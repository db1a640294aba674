"""The brands stage: hits with spans, role and its reason, per-brand context, comparisons."""

from __future__ import annotations

from typing import Any

from otklik.pipeline import registry
from otklik.pipeline.stage import Item
from otklik.pipeline.stages.brands import BrandMatch, BrandMatches, BrandRule, BrandsStage

BRANDS = [
    BrandRule(1, "Boxberry", "Boxberry", own=True),
    BrandRule(2, "СДЭК", "СДЭК OR CDEK"),
    BrandRule(3, "Ozon", "Ozon"),
    BrandRule(4, "Wildberries", "Wildberries OR Вайлдберриз"),
    BrandRule(5, "Kaspi", "Kaspi"),
]


def hits(text: str, title: str | None = None) -> list[BrandMatch]:
    stage = BrandsStage(brands=BRANDS)
    item = Item.of(text, title=title)
    item.values["clean_text"] = text
    result = list(stage.run([item])[0].brand_hits)
    return result


def by_id(text: str, title: str | None = None) -> dict[int, dict[str, Any]]:
    return {hit.brand_id: hit for hit in hits(text, title)}


def test_comparison_gives_one_hit_per_brand_with_its_own_clauses() -> None:
    found = by_id("Boxberry дешевле, чем СДЭК, но СДЭК быстрее")
    assert set(found) == {1, 2}
    assert found[1].is_comparison and found[2].is_comparison
    assert found[1].context == "Boxberry дешевле"
    assert "СДЭК быстрее" in found[2].context
    assert "Boxberry" not in found[2].context
    assert found[2].spans == ((22, 26), (31, 35))


def test_english_and_kazakh_comparisons_are_flagged() -> None:
    english = by_id("Ozon is better than Wildberries")
    assert english[3].is_comparison and english[4].is_comparison
    kazakh = by_id("СДЭК-ке қарағанда Boxberry арзан")
    assert kazakh[1].context == "Boxberry арзан"
    assert kazakh[2].is_comparison


def test_two_brands_without_comparing_words_are_not_a_comparison() -> None:
    found = by_id("Заказал на Ozon. Доставил СДЭК за два дня.")
    assert not found[3].is_comparison and not found[2].is_comparison


def test_brand_in_title_is_the_main_subject() -> None:
    found = by_id("Пользуюсь давно. Всё приходит вовремя. Иногда выбираю Ozon.", title="Ozon")
    assert found[3].role == "main"
    assert found[3].role_reason == "named in the title"


def test_brand_named_once_at_the_end_of_a_review_is_passing() -> None:
    found = by_id("Отличный пылесос, мощный и тихий. Пользуюсь месяц. Заказывал на Ozon.")
    assert found[3].role == "passing"
    assert "1 of 3 sentences" in found[3].role_reason


def test_brand_as_grammatical_subject_is_main() -> None:
    found = by_id("Курьер опоздал на час. СДЭК снова потерял посылку. Пишу жалобу.")
    assert found[2].role == "main"
    assert found[2].role_reason.startswith("the subject of «СДЭК снова потерял посылку")


def test_list_of_many_brands_is_passing() -> None:
    found = by_id(
        "Заказываю на Ozon, Wildberries и Kaspi, везде одно и то же. А вот пылесос хорош."
    )
    assert {hit.role for hit in found.values()} == {"passing"}
    assert found[5].role_reason == "one of 3 brands listed in one sentence"


def test_single_brand_context_is_the_whole_mention() -> None:
    text = "Боксберри привезли быстро. Курьер вежливый."
    assert by_id(text)[1].context == text


def test_transliterated_and_suffixed_names_are_found() -> None:
    assert set(by_id("Kaspi-ге тапсырыс бердім, Боксберри арқылы жеткізді")) == {1, 5}


def test_caspian_sea_is_not_kaspi() -> None:
    assert hits("Отдыхали на Каспии, море тёплое") == []


def test_same_batch_gives_same_output() -> None:
    stage = registry.build("brands", brands=BRANDS)
    texts = ["Boxberry дешевле, чем СДЭК", "", "Ozon's courier was rude", "Каспиден алдым"]
    items = [Item.of(t) for t in texts]
    for item in items:
        item.values["clean_text"] = item["text"]
    assert stage.run(items) == stage.run(items)
    assert [len(r.brand_hits) for r in stage.run(items)] == [2, 0, 1, 1]


def test_no_brands_configured_gives_no_hits() -> None:
    item = Item.of("Ozon")
    item.values["clean_text"] = "Ozon"
    assert BrandsStage().run([item]) == [BrandMatches(())]


def test_in_a_pipeline_spans_point_into_clean_text_and_the_title_counts() -> None:
    from otklik.pipeline.pipeline import Pipeline
    from otklik.pipeline.stages.normalise import NormaliseStage
    from otklik.pipeline.stages.tags import TagRule, TagsStage

    pipeline = Pipeline(
        [
            NormaliseStage(),
            BrandsStage(brands=BRANDS),
            TagsStage(tags=[TagRule(7, "courier", "курьер")]),
        ]
    )
    item = pipeline.run([Item.of("Курьер  вежливый.\u200b Заказ пришёл вовремя.", title="Ozon")])[0]
    clean = item["clean_text"]
    (hit,) = item["brand_hits"]
    start, end = hit.spans[0]
    assert clean[start:end] == "Ozon"
    assert hit.role_reason == "named in the title"
    assert item["tag_ids"] == (7,)


def test_kazakh_comparison_with_artyq() -> None:
    found = by_id("Kaspi Boxberry-ден артық")
    assert found[5].is_comparison and found[1].is_comparison


def test_comparatives_praise_the_brand_before_them_and_fault_the_one_compared_against() -> None:
    russian = by_id("Boxberry дешевле, чем СДЭК.")
    assert (russian[1].comparison_lean, russian[2].comparison_lean) == (1, -1)
    worse = by_id("Ozon хуже, чем Wildberries")
    assert (worse[3].comparison_lean, worse[4].comparison_lean) == (-1, 1)
    english = by_id("Ozon is better than Wildberries")
    assert (english[3].comparison_lean, english[4].comparison_lean) == (1, -1)
    kazakh = by_id("СДЭК-ке қарағанда Boxberry арзан")
    assert (kazakh[1].comparison_lean, kazakh[2].comparison_lean) == (1, -1)
    # Cheaper but slower: the praise and the fault of СДЭК cancel out, Boxberry keeps its praise.
    mixed = by_id("Boxberry дешевле, чем СДЭК, но СДЭК быстрее")
    assert (mixed[1].comparison_lean, mixed[2].comparison_lean) == (1, 0)
    # Naming two brands without comparing them leans nowhere.
    plain = by_id("Заказал на Ozon, доставил СДЭК.")
    assert {hit.comparison_lean for hit in plain.values()} == {0}
