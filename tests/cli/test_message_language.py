"""CLI messages in the chosen language (--lang or OTKLIK_LANGUAGE), counts in proper plurals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from otklik.cli.main import cli
from tests.cliproc import run_cli

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


def test_export_jobs_and_campaigns_speak_russian_with_its_three_plural_forms(
    runner: CliRunner, tmp_path: Path
) -> None:
    def ru(*args: str) -> str:
        result = runner.invoke(cli, ["--lang", "ru", *args])
        assert result.exit_code == 0, result.output
        return result.output

    ru("import", str(tmp_path / "reviews.csv"))
    target = tmp_path / "all.csv"
    assert f"в {target} экспортировано 4 упоминания" in ru("export", str(target))
    queued = ru("export", str(tmp_path / "later.csv"), "--background")
    assert "экспорт поставлен в очередь как задача 1; её выполнит `otklik worker`" in queued
    assert "задача 1: отменена" in ru("jobs", "cancel", "1")
    for days, (start, end) in {
        "1 день": ("2025-03-03", "2025-03-03"),
        "2 дня": ("2025-04-01", "2025-04-02"),
        "5 дней": ("2025-05-01", "2025-05-05"),
    }.items():
        added = ru("campaigns", "add", f"Акция {days}", "--from", start, "--to", end)
        assert f"кампания 'Акция {days}': {start} — {end} ({days}); до: " in added
    assert "в формулировке SMART не хватает" in ru(
        "goals", "add", "Акция 2 дня", "--metric", "reach"
    )


def test_workspace_export_and_campaign_speak_kazakh(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_LANGUAGE", "kk")
    runner.invoke(cli, ["import", str(tmp_path / "reviews.csv")])
    zone = runner.invoke(cli, ["workspace", "set-timezone", "Asia/Almaty"])
    assert "'default' жұмыс кеңістігі енді Asia/Almaty уақыт белдеуінде" in zone.output
    exported = runner.invoke(cli, ["export", str(tmp_path / "all.xlsx")])
    assert f"{tmp_path / 'all.xlsx'} файлына 4 пікір экспортталды" in exported.output
    added = runner.invoke(
        cli, ["campaigns", "add", "Көктем", "--from", "2025-03-01", "--to", "2025-03-21"]
    )
    assert "'Көктем' науқаны: 2025-03-01 — 2025-03-21 (21 күн); дейін: " in added.output


def test_an_error_ends_in_the_language_given_on_the_command_line_or_in_the_environment(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "OTKLIK_DATABASE_URL": f"sqlite:///{tmp_path / 'otklik.db'}"}
    env.pop("OTKLIK_LANGUAGE", None)
    assert run_cli("init", cwd=tmp_path, env=env).returncode == 0
    russian = run_cli("--lang", "ru", "brands", "remove", "Ozon", cwd=tmp_path, env=env)
    assert russian.returncode == 1 and russian.stderr.startswith("ошибка: ")
    kazakh = run_cli("tags", "remove", "цена", cwd=tmp_path, env={**env, "OTKLIK_LANGUAGE": "kk"})
    assert kazakh.returncode == 1 and kazakh.stderr.startswith("қате: ")
    english = run_cli("tags", "remove", "цена", cwd=tmp_path, env=env)
    assert english.returncode == 1 and english.stderr.startswith("error: ")
