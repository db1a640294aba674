"""Transliteration skeletons and one-edit distance."""

from __future__ import annotations

import pytest

from otklik.text.translit import skeleton, to_cyrillic, to_latin, within_one_edit


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [("Boxberry", "Боксберри"), ("Ozon", "Озон"), ("Kaspi", "Каспи"), ("Yandex", "Яндекс")],
)
def test_both_scripts_share_a_skeleton(latin: str, cyrillic: str) -> None:
    assert skeleton(latin) == skeleton(cyrillic)


def test_caspian_sea_skeleton_differs_from_kaspi() -> None:
    assert skeleton("Каспий") != skeleton("Kaspi")


def test_readable_spellings_both_ways() -> None:
    assert to_cyrillic("Boxberry") == "боксберри"
    assert to_latin("Озон") == "ozon"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("boksberi", "boksberi", True),
        ("boksberi", "boksbri", True),
        ("boksberi", "boksbwri", True),
        ("boksberi", "bokbseri", True),
        ("boksberi", "bozberri", False),
        ("abc", "bca", False),
    ],
)
def test_within_one_edit(a: str, b: str, expected: bool) -> None:
    assert within_one_edit(a, b) is expected
