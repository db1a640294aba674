from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from otklik.ingest.values import (
    ValueProblem,
    parse_channel,
    parse_count,
    parse_datetime,
    parse_rating,
)

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-05T10:00:00Z", datetime(2025, 3, 5, 10, 0)),
        ("2025-03-05 15:00", datetime(2025, 3, 5, 10, 0)),
        ("05.03.2025 15:00", datetime(2025, 3, 5, 10, 0)),
        ("05.03.2025 15:00:30", datetime(2025, 3, 5, 10, 0, 30)),
        ("05.03.2025", datetime(2025, 3, 4, 19, 0)),
        ("5 марта 2025", datetime(2025, 3, 4, 19, 0)),
        ("5 марта 2025 г., 15:00", datetime(2025, 3, 5, 10, 0)),
        ("5 наурыз 2025", datetime(2025, 3, 4, 19, 0)),
        ("2025 жылғы 5 наурыз", datetime(2025, 3, 4, 19, 0)),
        ("March 5, 2025", datetime(2025, 3, 4, 19, 0)),
        ("1741168800", datetime(2025, 3, 5, 10, 0)),
        ("1741168800000", datetime(2025, 3, 5, 10, 0)),
    ],
)
def test_dates_in_every_common_form_are_stored_in_utc(text: str, expected: datetime) -> None:
    assert parse_datetime(text, ALMATY) == expected


@pytest.mark.parametrize("text", ["32.03.2025", "вчера", "2025-13-01", ""])
def test_unreadable_dates_are_problems_with_the_value_named(text: str) -> None:
    with pytest.raises(ValueProblem):
        parse_datetime(text, ALMATY)


def test_ratings_are_checked_against_the_scale_and_stored_on_one_to_five() -> None:
    assert parse_rating("4,5") == 4.5
    assert parse_rating("★★★") == 3
    assert parse_rating("4/5") == 4
    assert parse_rating("10", (1, 10)) == 5
    assert parse_rating("1", (1, 10)) == 1
    with pytest.raises(ValueProblem, match="outside the scale"):
        parse_rating("6")
    with pytest.raises(ValueProblem, match="not a number"):
        parse_rating("хорошо")


def test_counts_read_thousands_and_millions_in_both_alphabets() -> None:
    assert [parse_count(v) for v in ("1 234", "1,2K", "2 млн", "3 тыс", 7.0)] == [
        1234,
        1200,
        2_000_000,
        3000,
        7,
    ]
    with pytest.raises(ValueProblem):
        parse_count("много")


def test_channels_come_from_platform_names_and_links() -> None:
    assert parse_channel("ВКонтакте") == "vk"
    assert parse_channel("https://t.me/some_channel/12") == "telegram"
    assert parse_channel("Wildberries") == "marketplace"
    assert parse_channel("2ГИС") == "maps"
    assert parse_channel("Google Play") == "appstore"
    assert parse_channel("неизвестная площадка") == "other"
