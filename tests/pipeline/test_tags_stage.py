"""The tags stage: rule tags whose query matches; manual tags (no query) are never applied."""

from __future__ import annotations

from otklik.pipeline.stage import Item
from otklik.pipeline.stages.tags import TagRule, TagsStage

TAGS = [
    TagRule(
        10,
        "delivery time",
        "(доставка OR курьер OR жеткізу OR delivery) NEAR/3 (долго OR опоздал* OR кешікті OR late)",
    ),
    TagRule(11, "price", "цена OR дорого OR баға OR price OR expensive"),
    TagRule(12, "staff politeness", '"вежливый курьер" OR "polite staff" OR грубый'),
    TagRule(13, "manual only"),
]


def tag_ids(texts: list[str]) -> list[list[int]]:
    items = [Item.of(t) for t in texts]
    for item in items:
        item.values["clean_text"] = item["text"]
    return [list(r.tag_ids) for r in TagsStage(tags=TAGS).run(items)]


def test_rules_tag_russian_kazakh_and_english_mentions() -> None:
    assert tag_ids(
        [
            "Доставку ждал очень долго, цены кусаются",
            "Жеткізу тағы кешікті",
            "Delivery was late and the price too high",
            "Вежливого курьера давно не видел",
        ]
    ) == [[10, 11], [10], [10, 11], [12]]


def test_text_without_rule_words_gets_no_tags() -> None:
    assert tag_ids(["Всё отлично, спасибо", ""]) == [[], []]


def test_manual_tags_are_never_applied_by_rules() -> None:
    assert 13 not in tag_ids(["manual only"])[0]


def test_same_input_gives_same_output() -> None:
    texts = ["Курьер опоздал, грубый", "Price is fine"]
    assert tag_ids(texts) == tag_ids(texts) == [[10, 12], [11]]
