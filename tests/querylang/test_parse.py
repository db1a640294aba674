"""The query grammar: operators, precedence, and errors that point at the position."""

from __future__ import annotations

import pytest

from otklik.errors import QueryError
from otklik.querylang import And, Near, Not, Or, Phrase, Prefix, Term, parse


def test_space_is_and_and_or_binds_looser() -> None:
    assert parse("курьер опоздал OR доставка") == Or(
        (And((Term("курьер"), Term("опоздал"))), Term("доставка"))
    )


def test_explicit_and_equals_space() -> None:
    assert parse("Kaspi AND приложение") == parse("Kaspi приложение")


def test_parentheses_group() -> None:
    assert parse("(Kaspi OR Каспи) банк") == And((Or((Term("kaspi"), Term("каспи"))), Term("банк")))


def test_not_prefix_and_phrase() -> None:
    assert parse('достав* NOT "курьерская служба"') == And(
        (Prefix("достав"), Not(Phrase(("курьерская", "служба"))))
    )


def test_near_with_distance_binds_tighter_than_and() -> None:
    assert parse("курьер NEAR/3 опоздал цена") == And(
        (Near(Term("курьер"), Term("опоздал"), 3), Term("цена"))
    )


def test_lowercase_keywords_are_words() -> None:
    assert parse("rock and roll") == And((Term("rock"), Term("and"), Term("roll")))


def test_hyphenated_word_is_a_phrase() -> None:
    assert parse("интернет-магазин") == Phrase(("интернет", "магазин"))


@pytest.mark.parametrize(
    ("query", "position", "expected"),
    [
        ("(Kaspi OR Каспи", 15, "expected ')'"),
        ("Kaspi OR", 8, "expected a word"),
        ("Kaspi OR OR банк", 9, "expected a word"),
        ("Kaspi)", 5, "unexpected ')'"),
        ('"курьерская служба', 18, "closing"),
        ("курьер NEAR опоздал", 11, "'/n'"),
        ("курьер NEAR/x опоздал", 12, "number"),
        ("дос*тавка", 3, "'*' must end a word"),
        ("", 0, "expected a word"),
        ('""', 0, "empty phrase"),
    ],
)
def test_parse_error_names_position_and_what_was_expected(
    query: str, position: int, expected: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.position == position
    assert expected in str(caught.value)
    assert caught.value.query == query


def test_near_refuses_not_on_either_side() -> None:
    with pytest.raises(QueryError) as caught:
        parse("курьер NEAR/2 NOT опоздал")
    assert caught.value.position == 14
