"""The catalogs match the code: every string extracted is in kk, ru and en, translated, with
CLDR plural rules; nothing stale; the committed .mo files are the compiled .po files."""

from __future__ import annotations

from babel.messages.catalog import Catalog

from otklik.i18n import maintenance, translator


def test_catalogs_hold_every_string_translated_and_nothing_stale() -> None:
    assert maintenance.problems() == []


def test_a_string_missing_from_the_catalogs_is_reported() -> None:
    template = maintenance.extract()
    template.add("A string nobody translated yet")
    found = maintenance.problems(template)
    assert "kk: missing (None, 'A string nobody translated yet')" in found
    assert "ru: missing (None, 'A string nobody translated yet')" in found


def test_a_string_gone_from_the_code_is_reported_stale() -> None:
    template = maintenance.extract()
    gone = Catalog()
    for message in template:
        if message.id and message.id != "Overview":
            gone.add(message.id, context=message.context)
    assert "kk: stale (None, 'Overview')" in maintenance.problems(gone)


def test_russian_counts_take_three_forms_and_kazakh_one() -> None:
    ru, kk, en = translator("ru"), translator("kk"), translator("en")
    forms = ("found in %(num)d stored mention", "found in %(num)d stored mentions")
    assert [ru.ngettext(*forms, n) for n in (1, 3, 5, 11, 21, 22)] == [
        "найден в 1 сохранённом упоминании",
        "найден в 3 сохранённых упоминаниях",
        "найден в 5 сохранённых упоминаниях",
        "найден в 11 сохранённых упоминаниях",
        "найден в 21 сохранённом упоминании",
        "найден в 22 сохранённых упоминаниях",
    ]
    day = ("%(num)d day", "%(num)d days")
    assert [ru.ngettext(*day, n) for n in (1, 2, 5, 21)] == ["1 день", "2 дня", "5 дней", "21 день"]
    assert [kk.ngettext(*day, n) for n in (1, 7)] == ["1 күн", "7 күн"]
    assert [en.ngettext(*day, n) for n in (1, 7)] == ["1 day", "7 days"]


def test_an_unknown_language_falls_back_to_english() -> None:
    assert translator("de").language == "en"
    assert translator("kk-KZ").gettext("Overview") == "Шолу"
