"""UTM links built the same way every time, and the linter's count of split spellings."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from otklik.errors import InputError
from otklik.services import utm


def test_build_normalises_and_keeps_query_and_fragment() -> None:
    link = utm.build(
        "https://shop.kz/sale?ref=7&utm_source=old#top",
        {
            "source": "VKontakte",
            "medium": "SMM",
            "campaign": "Spring Sale 2025",
            "content": "Reel 1",
        },
    )
    parts = urlsplit(link)
    assert parts.fragment == "top"
    assert parse_qsl(parts.query) == [
        ("ref", "7"),
        ("utm_source", "vk"),
        ("utm_medium", "social"),
        ("utm_campaign", "spring_sale_2025"),
        ("utm_content", "reel_1"),
    ]
    for spelling in ("vk", "VK", "Vk", "vkontakte"):
        assert utm.normalise("utm_source", spelling) == "vk"
    assert utm.normalise("utm_source", "insta") == utm.normalise("utm_source", "IG") == "instagram"
    with pytest.raises(InputError, match="campaign"):
        utm.build("https://shop.kz", {"source": "vk", "medium": "social"})


def test_lint_finds_the_vk_split_with_counts() -> None:
    text = (
        "https://shop.kz/?utm_source=vk&utm_medium=social&utm_campaign=spring\n"
        "https://shop.kz/?utm_source=Vk&utm_medium=social&utm_campaign=spring\n"
        "https://shop.kz/a?utm_source=vk&utm_medium=social&utm_campaign=spring\n"
        "https://shop.kz/b?utm_source=insta&utm_medium=social&utm_campaign=spring\n"
        "https://shop.kz/c\n"
    )
    report = utm.lint(utm.links_in(text))
    assert (report["links"], report["tagged"]) == (5, 4)
    by_value = {(p["parameter"], p["value"]): p for p in report["problems"]}
    assert by_value[("utm_source", "vk")]["spellings"] == {"vk": 2, "Vk": 1}
    assert by_value[("utm_source", "vk")]["kind"] == "split"
    assert by_value[("utm_source", "instagram")]["kind"] == "not_normalised"
    assert ("utm_medium", "social") not in by_value
