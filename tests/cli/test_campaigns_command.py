"""The campaign, posts, report and UTM commands on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from otklik.cli.main import cli
from tests.services.test_campaigns import POSTS, TRAFFIC


def test_commands_from_import_to_report_and_utm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    monkeypatch.setenv("OTKLIK_STAGES", "normalise")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == code, result.output
        return result.output

    run("init")
    (tmp_path / "posts.csv").write_text(POSTS, encoding="utf-8")
    (tmp_path / "ga4.csv").write_text(TRAFFIC, encoding="utf-8")
    assert "5 added" in run("posts", "import", str(tmp_path / "posts.csv"))
    assert "0 added" in run("posts", "import", str(tmp_path / "posts.csv"))
    assert "3 added" in run("traffic", "import", str(tmp_path / "ga4.csv"))
    run(
        "campaigns",
        "add",
        "Spring",
        "--from",
        "2025-03-03",
        "--to",
        "2025-03-09",
        "--utm-campaign",
        "spring_sale",
    )
    assert "sessions ≥ 150 by 2025-03-09" in run(
        "goals", "add", "Spring", "--metric", "sessions", "--target", "150"
    )
    assert "not measurable" in run("goals", "add", "Spring", "--metric", "buzz")
    smm = json.loads(
        run("report", "smm", "--from", "2025-03-03", "--to", "2025-03-09", "--format", "json")
    )
    assert smm["er_reach"] == pytest.approx(265 / 5000)
    video = next(r for r in smm["by_format"] if r["format"] == "video")
    assert (video["posts"], video["er_reach"]) == (1, pytest.approx(0.06))
    report = json.loads(run("report", "campaign", "Spring"))
    assert report["goals"][0]["actual"] == 200
    out = tmp_path / "spring.xlsx"
    assert str(out) in run(
        "--lang", "ru", "report", "campaign", "Spring", "--format", "xlsx", "--out", str(out)
    )
    assert out.read_bytes()[:2] == b"PK"
    link = (
        run(
            "utm",
            "build",
            "https://shop.kz/?a=1#x",
            "--source",
            "Vk",
            "--medium",
            "social",
            "--campaign",
            "Spring Sale",
        )
        .strip()
        .splitlines()[-1]
    )
    assert link == "https://shop.kz/?a=1&utm_source=vk&utm_medium=social&utm_campaign=spring_sale#x"
    (tmp_path / "links.txt").write_text(f"{link}\n{link.replace('=vk', '=Vk')}\n", encoding="utf-8")
    assert "vk ×1, Vk ×1" in run("utm", "lint", str(tmp_path / "links.txt"), code=1)


def test_campaign_report_json_carries_the_linked_debrief_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    from otklik.search_terms import open_store
    from otklik.services import Services
    from otklik.services import surveys as survey_service
    from otklik.settings import Settings

    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    monkeypatch.setenv("OTKLIK_DATABASE_URL", url)
    monkeypatch.setenv("OTKLIK_STAGES", "normalise")
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == code, result.output
        return result.output

    run("init")
    run("surveys", "add", "--template", "partner-debrief", "--name", "Kaspi debrief")
    store = open_store(url)
    svc = Services.open(Settings(database_url=url, stages=("normalise",)), store)
    ws = svc.workspace()
    record = survey_service.get(svc, ws, "Kaspi debrief")
    answers = {"overall": 4, "worked": "Хороший охват", "repeat": "yes"}
    survey_service.respond(svc, ws, record, answers, "ru", "link", at=datetime(2025, 3, 12, 9))
    store.close()
    common = ("--from", "2025-03-03", "--to", "2025-03-09")
    refused = runner.invoke(cli, ["campaigns", "add", "X", *common, "--survey", "Nope"])
    assert "no survey named 'Nope'" in str(refused.exception)
    run("campaigns", "add", "Spring", *common, "--survey", "Kaspi debrief")
    report = json.loads(run("report", "campaign", "Spring"))
    assert report["campaign"]["surveys"] == ["Kaspi debrief"]
    (debrief,) = report["answers"]
    assert debrief["responses"] == 1
    worked = next(q for q in debrief["questions"] if q["id"] == "worked")
    assert worked["quotes"][0]["text"] == "Хороший охват"
    assert "surveys —" in run("campaigns", "surveys", "Spring")
    assert json.loads(run("report", "campaign", "Spring"))["answers"] == []
