"""`otklik surveys` on a real SQLite file: add, list, export, import, invite and report."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from otklik.cli.main import cli


def test_surveys_commands_round_trip_the_document_and_report_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    monkeypatch.setenv("OTKLIK_PUBLIC_URL", "https://otklik.example.kz")
    monkeypatch.setenv("OTKLIK_TIMEZONE", "Asia/Almaty")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == code, result.output
        return result.output

    run("init")
    run("surveys", "add", "--template", "team-retro", "--name", "Retro", "--languages", "kk,ru")
    listed = json.loads(run("surveys", "list", "--format", "json"))
    assert listed == [
        {"id": 1, "name": "Retro", "slug": "retro", "url": "https://otklik.example.kz/s/retro"}
    ]
    document = json.loads(run("surveys", "export", "Retro"))
    assert [(q["id"], q["kind"]) for q in document["questions"]] == [
        ("went_well", "multiple"),
        ("needs_work", "multiple"),
        ("overall", "rating"),
        ("ideas", "text"),
    ]
    document["name"] = "Retro 2"
    document["slug"] = None
    document["questions"][2]["kind"] = "nps"
    path = tmp_path / "retro.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert "https://otklik.example.kz/s/retro-2" in run("surveys", "import", str(path))
    document["questions"][0]["kind"] = "poll"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli, ["surveys", "import", str(path)], standalone_mode=False)
    assert "questions[0].kind: 'poll' is not one of" in str(result.exception)

    contacts = tmp_path / "team.csv"
    contacts.write_text("email,name,language\nasel@example.kz,Асель,kk\nbad,X,ru\n", "utf-8")
    out = run("surveys", "invite", "Retro 2", "--contacts", str(contacts), "--after-days", "0")
    assert (
        "invitations planned: 1;" in out
        and "rejected rows: 1" in out
        and (tmp_path / "team.csv.rejected.csv").exists()
    )
    # Orders from a spreadsheet: a date cell is sent at 10:00 in the workspace's zone.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["E-mail", "Name", "Delivered", "City"])
    sheet.append(["dana@example.kz", "Дана", datetime(2030, 1, 10), "Алматы"])
    book.save(tmp_path / "orders.xlsx")
    out = run(
        "surveys",
        "invite",
        "Retro 2",
        "--contacts",
        str(tmp_path / "orders.xlsx"),
        "--date-column",
        "Delivered",
        "--after-days",
        "2",
    )
    assert "invitations planned: 1;" in out and "first e-mail due at 2030-01-12T05:00 UTC" in out
    report = json.loads(run("surveys", "report", "Retro 2", "--format", "json"))
    assert (report["responses"], report["nps"], report["nps_ci"]) == (0, None, None)
    assert (report["promoters"], report["passives"], report["detractors"]) == (0, 0, 0)
