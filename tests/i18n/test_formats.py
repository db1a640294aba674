"""CLDR formatting in each language: dates, moments with the zone named, numbers, ratings,
periods, and date fields that read the language's own format."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from otklik.i18n import Formats, negotiate

MOMENT = datetime(2025, 3, 1, 12, 5, tzinfo=UTC)


def test_moments_are_shown_in_the_workspace_zone_with_its_name() -> None:
    assert Formats("ru", "Asia/Almaty").moment(MOMENT) == "01.03.2025, 17:05 (UTC+5, Алматы)"
    assert Formats("en", "Asia/Almaty").moment(MOMENT) == "3/1/25, 5:05\u202fPM (UTC+5, Almaty)"
    assert Formats("kk", "Europe/Moscow").moment(MOMENT).endswith("15:05 (UTC+3, Мәскеу)")


def test_ratings_numbers_and_percentages_follow_the_language() -> None:
    ru, en = Formats("ru"), Formats("en")
    assert [ru.rating(1.0), ru.rating(4.5), en.rating(4.5)] == ["1", "4,5", "4.5"]
    assert ru.number(12345) == "12\xa0345" and en.number(12345) == "12,345"
    assert ru.percent(12.5) == "12,5\xa0%" and en.percent(12.5) == "12.5%"
    assert Formats("kk").period(timedelta(hours=3)) == "3 сағат"
    assert ru.period(timedelta(days=2)) == "2 дня"


@pytest.mark.parametrize(
    ("language", "placeholder", "typed"),
    [
        ("ru", "дд.мм.гггг", "01.03.2025"),
        ("kk", "кк.аа.жжжж", "01.03.2025"),
        ("en", "m/d/yyyy", "3/1/2025"),
    ],
)
def test_date_fields_show_and_read_the_language_format(
    language: str, placeholder: str, typed: str
) -> None:
    fmt = Formats(language)
    assert fmt.date_placeholder() == placeholder
    assert fmt.date_input(date(2025, 3, 1)) == typed
    assert fmt.parse_date(typed) == date(2025, 3, 1)
    assert fmt.parse_date("2025-03-01") == date(2025, 3, 1)
    assert fmt.parse_date("tomorrow") is None


def test_accept_language_picks_the_best_served_language() -> None:
    assert negotiate("de-DE,kk;q=0.8,ru;q=0.9") == "ru"
    assert negotiate("kk-KZ") == "kk"
    assert negotiate("de, fr") is None
    assert negotiate("") is None


def test_relative_periods_read_naturally() -> None:
    now = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    assert Formats("ru").ago(MOMENT, now) == "3 дня назад"
    assert Formats("kk").ago(MOMENT, now) == "3 күн бұрын"
    assert Formats("en").ago(MOMENT, now) == "3 days ago"
