"""Tokens keep their offsets; word forms for Russian, Kazakh and English."""

from __future__ import annotations

from otklik.text.morphology import english_stems, kazakh_stems, tokenize, word_info


def test_tokens_keep_character_offsets() -> None:
    text = "Ozon, Kaspi-ге и Boxberry!"
    assert [(t.start, t.end) for t in tokenize(text)] == [(0, 4), (6, 14), (15, 16), (17, 25)]


def test_suffix_after_hyphen_belongs_to_the_name() -> None:
    token = tokenize("Kaspi-дан")[0]
    assert token.info.lower == "kaspi"
    assert (token.start, token.end) == (0, 9)


def test_hyphenated_words_that_are_not_suffixes_stay_apart() -> None:
    assert [t.info.lower for t in tokenize("интернет-магазин")] == ["интернет", "магазин"]


def test_russian_word_has_its_lemma() -> None:
    info = word_info("доставкой")
    assert "доставка" in info.forms and info.is_known


def test_unknown_name_is_not_known() -> None:
    assert not word_info("сбером").is_known
    assert "сбер" in word_info("сбером").forms


def test_kazakh_suffix_chains_peel_off() -> None:
    assert "жеткізу" in kazakh_stems("жеткізуіне")
    assert "каспи" in kazakh_stems("каспиден")
    assert kazakh_stems("каспийде")[0] == "каспий"


def test_english_plurals() -> None:
    assert english_stems("deliveries")[0] == "delivery"
    assert english_stems("boxes")[0] == "box"
    assert english_stems("reviews") == ["review"]
    assert english_stems("address") == []


def test_nominative_and_comparative_are_marked() -> None:
    assert word_info("курьер").is_nominative
    assert word_info("дешевле").is_comparative


def test_huge_words_get_no_typo_keys_on_either_side() -> None:
    from otklik.text.morphology import word_pattern

    huge = "я" * 100_000
    assert word_info(huge).typo_skeletons == ()
    assert word_pattern("b" * 5_000).typo_skeleton is None
