"""CLI messages in the chosen language (--lang or OTKLIK_LANGUAGE), counts in proper plurals."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from otklik.cli.main import cli

REVIEWS = """text,date
"Забрал посылку в Боксберри, всё целое",2025-03-01
"Boxbery опять потерял заказ",2025-03-02
"Boxberry дешевле, чем СДЭК, но СДЭК быстрее",2025-03-03
"Boxberry дешевле, чем СДЭК, но СДЭК быстрее!",2025-03-04
"""


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    monkeypatch.setenv("OTKLIK_STAGES", "normalise,language,dedupe,brands,tags")
    monkeypatch.delenv("OTKLIK_LANGUAGE", raising=False)
    (tmp_path / "reviews.csv").write_text(REVIEWS, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    return runner


def test_counts_take_the_russian_plural_forms(runner: CliRunner, tmp_path: Path) -> None:
    imported = runner.invoke(cli, ["--lang", "ru", "import", str(tmp_path / "reviews.csv")])
    assert imported.exit_code == 0, imported.output
    assert "прочитано строк: 4  сохранено: 4" in imported.output
    assert "из импортированных 1 — копия более раннего упоминания" in imported.output
    three = runner.invoke(cli, ["--lang", "ru", "brands", "add", "Boxberry"])
    assert "найден в 4 сохранённых упоминаниях" in three.output
    one = runner.invoke(cli, ["--lang", "ru", "brands", "edit", "Boxberry", "-q", "Забрал"])
    assert "найден в 1 сохранённом упоминании" in one.output


def test_kazakh_from_the_environment_and_english_by_default(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = runner.invoke(cli, ["import", str(tmp_path / "reviews.csv")])
    assert "of the imported, 1 is a copy of an earlier mention" in english.output
    monkeypatch.setenv("OTKLIK_LANGUAGE", "kk")
    added = runner.invoke(cli, ["tags", "add", "боксберри", "-q", "Boxberry"])
    assert "«боксберри»" in added.output or "'боксберри' тегі қосылды" in added.output
    assert "пікірге қолданылды" in added.output
    assert runner.invoke(cli, ["--lang", "de", "init"]).exit_code == 2
