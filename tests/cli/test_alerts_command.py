"""`otklik alerts` on a real SQLite file: add, list, mute, test, log, remove."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from otklik.cli.main import cli


def test_alerts_are_added_listed_muted_tested_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    monkeypatch.delenv("OTKLIK_SMTP_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    added = runner.invoke(
        cli,
        [
            *("alerts", "add", "complaints", "--sentiment", "negative", "-q", "доставка"),
            *("--email", "boss@example.com:kk", "--webhook", "http://127.0.0.1:9/hook"),
            *("--style", "slack", "--cap", "5"),
        ],
    )
    assert added.exit_code == 0, added.output
    assert "X-Otklik-Signature" in added.output
    digest = ["alerts", "add", "morning", "--kind", "digest", "--every", "week"]
    assert runner.invoke(cli, [*digest, "--email", "cmo@example.com"]).exit_code == 0
    bad = runner.invoke(cli, ["alerts", "add", "x", "--kind", "digest", "--at", "25:00"])
    assert bad.exit_code != 0
    listed = json.loads(runner.invoke(cli, ["alerts", "list", "--format", "json"]).output)
    by_name = {r["name"]: r for r in listed}
    assert by_name["complaints"]["filters"] == {"sentiment": ["negative"], "q": "доставка"}
    assert by_name["complaints"]["recipients"] == [
        {"channel": "email", "address": "boss@example.com", "language": "kk"},
        {"channel": "webhook", "address": "http://127.0.0.1:9/hook", "style": "slack"},
    ]
    assert (by_name["morning"]["every"], by_name["morning"]["at"]) == ("week", "09:00")
    assert runner.invoke(cli, ["alerts", "mute", "complaints"]).exit_code == 0
    listed = json.loads(runner.invoke(cli, ["alerts", "list", "--format", "json"]).output)
    assert [r["muted"] for r in listed if r["name"] == "complaints"] == [True]
    tested = runner.invoke(cli, ["alerts", "test", "complaints"])
    assert tested.exit_code == 1  # no SMTP server set, nothing listens on port 9
    log = json.loads(runner.invoke(cli, ["alerts", "log", "--format", "json"]).output)
    assert {(d["channel"], d["status"]) for d in log} == {
        ("email", "failed"),
        ("webhook", "retrying"),
    }
    assert "OTKLIK_SMTP_URL" in next(d["error"] for d in log if d["channel"] == "email")
    assert runner.invoke(cli, ["alerts", "remove", "complaints"]).exit_code == 0
    listed = json.loads(runner.invoke(cli, ["alerts", "list", "--format", "json"]).output)
    assert [r["name"] for r in listed] == ["morning"]


def test_a_weekly_digest_takes_its_day_by_name_or_number_and_lists_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    digest = ["alerts", "add", "--kind", "digest", "--every", "week", "--email", "a@example.com"]
    assert runner.invoke(cli, [*digest, "fri", "--day", "friday"]).exit_code == 0
    assert runner.invoke(cli, [*digest, "sun", "--day", "6", "--at", "18:00"]).exit_code == 0
    assert runner.invoke(cli, [*digest, "mon"]).exit_code == 0
    bad = runner.invoke(cli, [*digest, "x", "--day", "someday"])
    assert bad.exit_code != 0 and "is not a weekday" in str(bad.exception)
    listed = json.loads(runner.invoke(cli, ["alerts", "list", "--format", "json"]).output)
    assert {r["name"]: r["weekday"] for r in listed} == {"fri": 4, "mon": 0, "sun": 6}
    table = runner.invoke(cli, ["alerts", "list"]).output
    assert "week friday 09:00" in table and "week sunday 18:00" in table


def test_an_alert_is_edited_changing_only_what_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    add = ["alerts", "add", "complaints", "--sentiment", "negative", "-q", "доставка"]
    assert runner.invoke(cli, [*add, "--email", "a@example.com:kk", "--cap", "5"]).exit_code == 0
    edited = runner.invoke(
        cli,
        [
            *("--lang", "ru", "alerts", "edit", "complaints", "--name", "жалобы"),
            *("-q", "курьер", "--kind", "digest", "--every", "week", "--day", "friday"),
        ],
    )
    assert edited.exit_code == 0, edited.output
    assert "переименовано" in edited.output and "'жалобы'" in edited.output
    listed = json.loads(runner.invoke(cli, ["alerts", "list", "--format", "json"]).output)
    assert len(listed) == 1
    rule = listed[0]
    assert rule["filters"] == {"sentiment": ["negative"], "q": "курьер"}
    assert rule["recipients"] == [
        {"channel": "email", "address": "a@example.com", "language": "kk"}
    ]
    assert (rule["kind"], rule["every"], rule["weekday"], rule["at"]) == (
        "digest",
        "week",
        4,
        "09:00",
    )
    assert rule["cap_per_hour"] == 5
    changed = runner.invoke(
        cli, ["alerts", "edit", "жалобы", "--email", "b@example.com", "--cap", "2"]
    )
    assert changed.exit_code == 0 and "alert 'жалобы' changed" in changed.output
    rule = json.loads(runner.invoke(cli, ["alerts", "list", "--format", "json"]).output)[0]
    assert [r["address"] for r in rule["recipients"]] == ["b@example.com"]
    assert (rule["cap_per_hour"], rule["weekday"]) == (2, 4)
    bad = runner.invoke(cli, ["alerts", "edit", "жалобы", "--email", "nobody"])
    assert bad.exit_code != 0 and "email: 'nobody' is not an e-mail address" in str(bad.exception)
    unknown = runner.invoke(cli, ["alerts", "edit", "nope", "--cap", "3"])
    assert unknown.exit_code != 0 and "no alert called 'nope'" in str(unknown.exception)
