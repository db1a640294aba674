"""`otklik surveys` on a real SQLite file: add, list, export, import, invite, report, close,
reopen and delete."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from otklik.cli.main import cli
from otklik.search_terms import open_store
from otklik.services import Services
from otklik.services import surveys as service
from otklik.settings import Settings


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
        {
            "id": 1,
            "name": "Retro",
            "slug": "retro",
            "url": "https://otklik.example.kz/s/retro",
            "state": "open",
            "closed_at": None,
        }
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


def test_close_reopen_and_delete_speak_russian_and_delete_answers_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    monkeypatch.setenv("OTKLIK_PUBLIC_URL", "https://otklik.example.kz")
    monkeypatch.setenv("OTKLIK_STAGES", "normalise,language,dedupe")
    monkeypatch.delenv("OTKLIK_LANGUAGE", raising=False)
    runner = CliRunner()

    def ru(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, ["--lang", "ru", *args])
        assert result.exit_code == code, result.output
        return result.output

    ru("init")
    ru("surveys", "add", "--template", "csat", "--name", "Поддержка", "--languages", "ru")
    ru("surveys", "add", "--template", "csat", "--name", "Тест", "--languages", "ru")
    contacts = tmp_path / "team.csv"
    contacts.write_text("email\nasel@example.kz\nboris@example.kz\n", "utf-8")
    ru("surveys", "invite", "Поддержка", "--contacts", str(contacts), "--after-days", "0")

    closed = ru("surveys", "close", "Поддержка")
    assert (
        "опрос 'Поддержка' закрыт с " in closed and "ссылка и виджет не принимают ответы" in closed
    )
    assert "2 приглашения ждут, пока опрос снова откроют" in closed
    states = {s["name"]: s["state"] for s in json.loads(ru("surveys", "list", "--format", "json"))}
    assert states == {"Поддержка": "closed", "Тест": "open"}
    reopened = ru("surveys", "reopen", "Поддержка")
    assert "опрос 'Поддержка' открыт: https://otklik.example.kz/s/" in reopened
    assert "2 приглашения, срок которых наступил, пока опрос был закрыт, отправит" in reopened
    kazakh = runner.invoke(cli, ["--lang", "kk", "surveys", "close", "Поддержка"])
    assert (
        "'Поддержка' сауалнамасы" in kazakh.output and "жабық (жабылған уақыты: " in kazakh.output
    )

    store = open_store(url)
    svc = Services.open(
        Settings(database_url=url, stages=("normalise", "language", "dedupe")), store
    )
    ws = svc.workspace()
    service.reopen(svc, ws, "Поддержка")
    for csat in (5, 4):
        service.respond(svc, ws, service.get(svc, ws, "Поддержка"), {"csat": csat}, "ru", "api")
    store.close()

    assert ru("surveys", "delete", "Тест") == "опрос 'Тест' удалён\n"
    refused = runner.invoke(cli, ["--lang", "ru", "surveys", "delete", "Поддержка"])
    assert refused.exit_code == 1
    assert str(refused.exception).startswith(
        "у опроса 'Поддержка' 2 ответа (созданных ими упоминаний: 2); ничего не удалено. "
        "Добавьте --with-responses"
    )
    assert [s["name"] for s in json.loads(ru("surveys", "list", "--format", "json"))] == [
        "Поддержка"
    ]
    deleted = ru("surveys", "delete", "Поддержка", "--with-responses")
    assert deleted.splitlines() == [
        "опрос 'Поддержка' удалён",
        "2 ответа удалены",
        "2 упоминания удалены",
        "2 приглашения удалены",
    ]
    assert json.loads(ru("surveys", "list", "--format", "json")) == []
    assert json.loads(ru("mentions", "--format", "json")) == []
