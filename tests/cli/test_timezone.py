"""One time zone: the CLI listing, `stats --by day` and the web agree on a mention's day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otklik.domain import Filters
from otklik.services import zones
from otklik.services.context import Services
from otklik.settings import Settings
from tests.cli.test_cli import otklik

NEAR_MIDNIGHT = "text,date\nКурьер опоздал,2025-03-01T20:30:00Z\nВсё хорошо,2025-03-01T12:00:00Z\n"


def _by_day(url: str, cwd: Path) -> dict[str, int]:
    done = otklik(
        "stats", "--by", "day", "--format", "json", cwd=cwd, env={"OTKLIK_DATABASE_URL": url}
    )
    assert done.returncode == 0, done.stderr
    return {row["day"]: row["count"] for row in json.loads(done.stdout)}


def test_listing_and_day_counts_agree_in_the_workspace_zone(db_url: str, tmp_path: Path) -> None:
    env = {"OTKLIK_DATABASE_URL": db_url, "OTKLIK_TIMEZONE": "Asia/Almaty"}
    init = otklik("init", cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stderr
    assert "time zone Asia/Almaty" in init.stdout
    (tmp_path / "r.csv").write_text(NEAR_MIDNIGHT, encoding="utf-8")
    assert otklik("import", "r.csv", cwd=tmp_path, env=env).returncode == 0

    listed = otklik("mentions", cwd=tmp_path, env=env)
    assert "2025-03-02 01:30+05:00" in listed.stdout and "times in Asia/Almaty" in listed.stdout
    assert "2025-03-01 17:00+05:00" in listed.stdout
    as_json = json.loads(otklik("mentions", "--format", "json", cwd=tmp_path, env=env).stdout)
    assert {r["published_at"] for r in as_json} == {"2025-03-01T20:30:00Z", "2025-03-01T12:00:00Z"}
    assert _by_day(db_url, tmp_path) == {"2025-03-02": 1, "2025-03-01": 1}
    # a naive filter date is a day in the same zone
    since = otklik("mentions", "--since", "2025-03-02", "--format", "json", cwd=tmp_path, env=env)
    assert [r["text"] for r in json.loads(since.stdout)] == ["Курьер опоздал"]

    # The workspace keeps its zone whatever OTKLIK_TIMEZONE says later; changing it moves days.
    assert _by_day(db_url, tmp_path) == {"2025-03-02": 1, "2025-03-01": 1}
    moved = otklik("workspace", "set-timezone", "UTC", cwd=tmp_path, env=env)
    assert moved.returncode == 0, moved.stderr
    assert _by_day(db_url, tmp_path) == {"2025-03-01": 2}
    listed = otklik("mentions", cwd=tmp_path, env=env)
    assert "2025-03-01 20:30+00:00" in listed.stdout
    shown = otklik("workspace", "show", cwd=tmp_path, env=env)
    assert "time zone UTC" in shown.stdout


def test_an_unknown_zone_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    assert otklik("init", cwd=tmp_path).returncode == 0
    bad = otklik("workspace", "set-timezone", "Mars/Olympus", cwd=tmp_path)
    assert bad.returncode == 1 and "unknown time zone 'Mars/Olympus'" in bad.stderr
    assert "time zone UTC" in otklik("workspace", "show", cwd=tmp_path).stdout


def test_a_new_workspace_takes_the_setting(sqlite_url: str) -> None:
    svc = Services.open(Settings(database_url=sqlite_url, timezone="Asia/Almaty"), check=False)
    try:
        svc.init()
        ws = svc.workspace("w")
        assert ws.timezone == "Asia/Almaty"
        changed = zones.set_timezone(svc, ws, "Europe/Moscow")
        assert svc.workspace("w").timezone == changed.timezone == "Europe/Moscow"
        assert svc.store.count(changed, Filters()) == 0
    finally:
        svc.close()


def test_settings_default_is_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTKLIK_TIMEZONE", raising=False)
    assert Settings().timezone == "UTC"
