"""`otklik match`: JSON Lines per text, table, CSV input, parse errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from otklik.cli.main import cli


def test_jsonl_gives_text_match_and_spans_per_text() -> None:
    result = CliRunner().invoke(
        cli, ["match", "--query", "Kaspi", "--format", "jsonl", "Kaspi-ге жаздым", "Каспий теңізі"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows == [
        {"text": "Kaspi-ге жаздым", "match": True, "spans": [[0, 8]]},
        {"text": "Каспий теңізі", "match": False, "spans": []},
    ]


def test_table_shows_the_words_found() -> None:
    result = CliRunner().invoke(cli, ["match", "-q", "Boxberry", "Забрал в Боксберри"])
    assert result.exit_code == 0, result.output
    assert "Боксберри" in result.output and "yes" in result.output


def test_texts_come_from_a_csv_column(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text("id,отзыв\n1,Доставкой доволен\n2,Доставщик грубый\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "match",
            "-q",
            "доставка",
            "--file",
            str(path),
            "--text-column",
            "отзыв",
            "--format",
            "jsonl",
        ],
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["match"] for line in result.output.splitlines()] == [True, False]


def test_parse_error_exits_2_and_points_at_the_position() -> None:
    result = CliRunner().invoke(cli, ["match", "-q", "(Kaspi OR", "x"])
    assert result.exit_code == 2
    assert "position 9" in result.output
    assert "^" in result.output
