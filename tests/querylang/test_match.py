"""Queries on real inflected, transliterated and misspelled sentences in ru, kk and en."""

from __future__ import annotations

import pytest

from otklik.querylang import RuleSet, Span, compile_query


def matches(query: str, text: str) -> bool:
    return compile_query(query).matches(text)


@pytest.mark.parametrize(
    "text",
    [
        "Доставкой очень доволен, всё пришло вовремя",
        "Где мои деньги за доставку?",
        "Сроки доставки сорваны уже второй раз",
    ],
)
def test_dictionary_word_matches_its_forms(text: str) -> None:
    assert matches("доставка", text)


@pytest.mark.parametrize(
    "text",
    ["Доставщик был вежлив и быстр", "Курьерская служба не отвечает на звонки"],
)
def test_dictionary_word_does_not_match_words_sharing_a_stem(text: str) -> None:
    assert not matches("доставка", text)


def test_find_returns_character_spans_of_each_form() -> None:
    text = "Доставка ужасная, доставкой недоволен"
    assert compile_query("доставка").find(text) == [Span(0, 8), Span(18, 27)]


def test_matching_ignores_case() -> None:
    assert matches("OZON", "купил на ozon") and matches("ozon", "Купил на OZON")


@pytest.mark.parametrize(
    "text",
    [
        "Kaspi-ге тапсырыс бердім",
        "Kaspi-дан кредит алдым",
        "Каспиден сатып алдым",
        "Каспиде бағасы төмен",
        "Оплатил через Каспи",
        "Kaspi's app is great",
    ],
)
def test_short_name_matches_suffixes_and_transliteration(text: str) -> None:
    assert matches("Kaspi", text)


@pytest.mark.parametrize(
    "text",
    ["Отдыхали на Каспии, море тёплое", "Каспий теңізі", "Каспийде демалдық", "Kapsi bank"],
)
def test_short_name_gets_no_typos_and_the_caspian_sea_is_not_kaspi(text: str) -> None:
    assert not matches("Kaspi", text)


@pytest.mark.parametrize(
    "text",
    ["Забрал посылку в Боксберри", "Boxbery опять потерял заказ", "boxberri ok", "Боксбери"],
)
def test_long_name_matches_transliteration_and_one_letter_typos(text: str) -> None:
    assert matches("Boxberry", text)


def test_transliteration_works_from_cyrillic_query_to_latin_text() -> None:
    assert matches("Боксберри", "Boxberry delivered on time")


def test_long_name_rejects_two_letter_typos() -> None:
    assert not matches("Boxberry", "Bozberri доставил")


@pytest.mark.parametrize("text", ["Заказал на Озоне", "Ozon снова задержал", "Озон"])
def test_ozon_matches_cyrillic_inflected_forms(text: str) -> None:
    assert matches("Ozon", text)


def test_russian_name_query_matches_its_latin_spelling_but_not_longer_words() -> None:
    assert matches("Озон", "Ozon is fine")
    assert not matches("Озон", "Купил озонатор")


def test_unknown_russian_name_matches_its_case_forms_but_no_typos() -> None:
    assert matches("Сбер", "Перевёл деньги Сбером")
    assert not matches("Сбер", "Сбр не работает")
    assert not matches("Сбер", "Сбербанк онлайн")


@pytest.mark.parametrize("text", ["Жеткізуді үш күн күттім", "Жеткізуден кейін", "жеткізуіне риза"])
def test_kazakh_word_matches_case_and_possessive_forms(text: str) -> None:
    assert matches("жеткізу", text)


def test_english_plural_and_possessive() -> None:
    assert matches("review", "Terrible reviews everywhere")
    assert matches("delivery", "Two deliveries were late")
    assert matches("Ozon", "Ozon's courier was rude")


def test_phrase_needs_words_in_order_but_allows_forms() -> None:
    query = compile_query('"курьерская доставка"')
    assert query.find("Выбрал курьерскую доставку") == [Span(7, 26)]
    assert not query.matches("доставка курьерская")


def test_near_counts_words_between() -> None:
    query = compile_query("курьер NEAR/2 опоздал")
    assert query.matches("курьер сильно опоздал")
    assert query.matches("опоздал курьер")
    assert not query.matches("курьер, как обычно, сильно опоздал")


def test_not_excludes_texts() -> None:
    query = compile_query("доставка NOT Boxberry")
    assert query.matches("доставка была быстрой")
    assert not query.matches("доставка в Боксберри была быстрой")


def test_prefix_matches_words_starting_with_it() -> None:
    query = compile_query("достав*")
    assert query.find("Доставщик доставил") == [Span(0, 9), Span(10, 18)]
    assert not query.matches("Заказ пришёл")


def test_or_returns_spans_of_every_matching_part() -> None:
    text = "Ozon быстрее, чем Wildberries"
    assert compile_query("Ozon OR Wildberries").find(text) == [Span(0, 4), Span(18, 29)]


def test_no_match_gives_empty_spans() -> None:
    assert compile_query("Kaspi").find("Каспий") == []


def test_rule_set_returns_only_matching_rules_with_spans() -> None:
    rules = RuleSet({1: "доставка", 2: "Kaspi", 3: "NOT цена", 4: "курьер NEAR/2 опоздал"})
    assert rules.match("Каспиден жеткізу, доставка быстрая") == {
        1: [Span(18, 26)],
        2: [Span(0, 8)],
        3: [],
    }


def test_rule_set_agrees_with_single_matchers() -> None:
    queries = dict(
        enumerate(
            ["доставка", "Boxberry", "достав* NOT доставщик", '"служба поддержки"', "NOT Ozon"]
        )
    )
    rules = RuleSet(queries)
    texts = [
        "Служба поддержки Боксберри не отвечает",
        "Доставщик грубый",
        "Доставили на Озон",
        "",
    ]
    for text in texts:
        expected = {
            n: compile_query(q).find(text)
            for n, q in queries.items()
            if compile_query(q).matches(text)
        }
        assert rules.match(text) == expected
        assert rules.matching(rules.document(text)) == list(expected)


def test_rule_set_tests_a_text_only_against_rules_that_can_match() -> None:
    queries = {n: f"слово{n} OR термин{n}" for n in range(200)}
    queries[500] = "доставка NEAR/3 долго"
    queries[501] = "NOT Kaspi"
    rules = RuleSet(queries)
    doc = rules.document("Доставку ждали очень долго")
    assert rules.candidates(doc) == [500, 501]
    assert set(rules.match_document(doc)) == {500, 501}


@pytest.mark.parametrize(
    "text", ["Kaspi-дегі бағасы төмен", "Kaspiдің қолданбасы ыңғайлы", "Халыкта кезек жоқ"]
)
def test_kazakh_attributive_and_attached_suffixes(text: str) -> None:
    assert matches("Kaspi OR Halyk", text)


def test_english_phrase_and_near() -> None:
    assert matches('"customer service" NEAR/4 rude', "Customer service agents were so rude today")
    assert not matches('"customer service"', "service to the customer")


def test_kazakh_phrase_with_case_endings() -> None:
    assert matches('"жеткізу қызметі"', "Жеткізу қызметіне шағым жаздым")


def test_latin_query_word_typo_in_cyrillic_text() -> None:
    assert matches("Boxberry", "Боксбэрри не отвечает")
    assert not matches("Boxberry", "Бокс и берри")
