"""`otklik report-schedule`: the old create form still works; list, change, pause, resume and
remove by id; messages in Russian; an unknown id is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from otklik.cli.main import cli


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    monkeypatch.delenv("OTKLIK_LANGUAGE", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    return runner


def _listed(runner: CliRunner) -> list[dict[str, object]]:
    shown = runner.invoke(cli, ["report-schedule", "list", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    return list(json.loads(shown.output))


def test_report_schedules_are_created_listed_paused_resumed_and_removed(
    runner: CliRunner,
) -> None:
    made = runner.invoke(cli, ["report-schedule", "smm", "--every", "week", "--to", "x@y.kz"])
    assert made.exit_code == 0, made.output
    assert made.output.strip() == "schedule 1: the smm report every week to x@y.kz"
    monthly = ["report-schedule", "add", "brand", "--every", "month", "--to", "b@y.kz"]
    assert runner.invoke(cli, [*monthly, "--at", "08:30", "--language", "kk"]).exit_code == 0
    rows = _listed(runner)
    assert [(r["id"], r["kind"], r["every"], r["to"], r["status"]) for r in rows] == [
        (1, "smm", "week", ["x@y.kz"], "active"),
        (2, "brand", "month", ["b@y.kz"], "active"),
    ]
    assert (rows[1]["at"], rows[1]["language"]) == ("08:30", "kk")
    table = runner.invoke(cli, ["report-schedule", "list"])
    assert "x@y.kz" in table.output and "times in UTC" in table.output

    paused = runner.invoke(cli, ["--lang", "ru", "report-schedule", "pause", "1"])
    assert paused.exit_code == 0 and paused.output.strip() == "рассылка 1 приостановлена"
    assert [r["status"] for r in _listed(runner)] == ["paused", "active"]
    resumed = runner.invoke(cli, ["report-schedule", "resume", "1"])
    assert resumed.exit_code == 0 and "next send 20" in resumed.output
    changed = runner.invoke(cli, ["report-schedule", "change", "1", "--to", "z@y.kz"])
    assert changed.exit_code == 0, changed.output
    assert _listed(runner)[0]["to"] == ["z@y.kz"]
    removed = runner.invoke(cli, ["--lang", "kk", "report-schedule", "remove", "2"])
    assert removed.output.strip() == "жіберу кестесі 2 жойылды"
    assert [r["id"] for r in _listed(runner)] == [1]


def test_an_unknown_id_and_a_bad_address_are_named(runner: CliRunner) -> None:
    unknown = runner.invoke(cli, ["--lang", "ru", "report-schedule", "remove", "7"])
    assert unknown.exit_code == 1
    assert "нет рассылки отчёта с id 7" in unknown.output
    bad = ["report-schedule", "smm", "--every", "week", "--to", "ok@y.kz", "--to", "nobody"]
    refused = runner.invoke(cli, bad)
    assert refused.exit_code != 0 and "'nobody' is not an e-mail address" in str(
        refused.exception or refused.output
    )
    assert _listed(runner) == []
