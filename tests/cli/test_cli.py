from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cliproc import run_cli
from tests.ingest.test_importer import write_messy

FAST = {"OTKLIK_STAGES": "normalise,language,dedupe"}


def otklik(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        **FAST,
        "OTKLIK_DATABASE_URL": f"sqlite:///{cwd / 'otklik.db'}",
        **(env or {}),
    }
    return run_cli(*args, cwd=cwd, env=full_env, stdin=stdin)


def test_init_import_list_and_count_as_a_new_user_would(tmp_path: Path) -> None:
    assert otklik("init", cwd=tmp_path).returncode == 0
    write_messy(tmp_path / "reviews.csv")
    imported = otklik("import", "reviews.csv", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "rows read: 9  imported: 4  duplicates: 1  rejected: 4" in imported.stdout
    report = tmp_path / "reviews.csv.rejected.csv"
    assert str(report.name) in imported.stdout
    assert report.read_text(encoding="utf-8").count("\n") == 5
    listed = otklik(
        "mentions", "--language", "ru", "--since", "2025-03-06", "--format", "json", cwd=tmp_path
    )
    rows = json.loads(listed.stdout)
    assert rows and {r["language"] for r in rows} == {"ru"}
    assert all(r["published_at"] >= "2025-03-05T21:00" for r in rows)
    for key in (
        "id",
        "text",
        "language",
        "sentiment",
        "published_at",
        "channel",
        "source",
        "url",
        "author",
        "rating",
        "brands",
        "tags",
    ):
        assert key in rows[0]
    stats = otklik("stats", "--by", "day", "--by", "channel", "--format", "json", cwd=tmp_path)
    counts = json.loads(stats.stdout)
    assert sum(r["count"] for r in counts) == 4
    assert {"day", "channel", "count"} == set(counts[0])
    again = otklik("import", "reviews.csv", cwd=tmp_path)
    assert "imported: 0" in again.stdout


def test_unreadable_file_exits_1_with_one_clear_message(tmp_path: Path) -> None:
    otklik("init", cwd=tmp_path)
    (tmp_path / "empty.csv").write_bytes(b"")
    result = otklik("import", "empty.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "empty" in result.stderr and "Traceback" not in result.stderr
    missing = otklik("import", "nope.csv", cwd=tmp_path)
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_commands_refuse_an_uninitialised_database(tmp_path: Path) -> None:
    result = otklik("mentions", cwd=tmp_path)
    assert result.returncode == 1 and "otklik init" in result.stderr


def test_bad_filter_value_names_the_flag(tmp_path: Path) -> None:
    otklik("init", cwd=tmp_path)
    result = otklik("mentions", "--since", "вчера", cwd=tmp_path)
    assert result.returncode == 2 and "--since" in result.stderr


def test_classify_gives_language_for_each_text_as_jsonl(tmp_path: Path) -> None:
    result = otklik(
        "classify",
        "Доставка опоздала",
        "Жеткізу кешікті",
        "Late again",
        "--format",
        "jsonl",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["language"] for r in rows] == ["ru", "kk", "en"]
    assert all(set(r) >= {"text", "language", "sentiment", "score"} for r in rows)


def test_every_command_help_shows_an_example() -> None:
    from otklik.cli import cli

    def walk(group: object, prefix: list[str]) -> list[list[str]]:
        import click

        out = []
        assert isinstance(group, click.Group)
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                out.extend(walk(command, [*prefix, name]))
            else:
                out.append([*prefix, name])
        return out

    from click.testing import CliRunner

    runner = CliRunner()
    for path in walk(cli, []):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"otklik {' '.join(path)} --help has no example"


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_root_command_answers(flag: str, tmp_path: Path) -> None:
    result = otklik(flag, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout
