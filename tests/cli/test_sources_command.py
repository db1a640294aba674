"""`otklik sources`: add a feed and a webhook, poll the feed now, list health as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from otklik.cli import cli
from tests.services.test_sources import FEED
from tests.sites import Page, serve_site


def test_sources_add_run_and_list_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    monkeypatch.setenv("OTKLIK_STAGES", "normalise,language,dedupe")
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None, code: int = 0) -> str:
        result = runner.invoke(cli, list(args), input=stdin)
        assert result.exit_code == code, result.output
        return result.output

    invoke("init")
    with serve_site() as site:
        site.pages["/rss"] = Page(FEED.format(days=3).encode())
        invoke("sources", "add", "rss", "news", "--url", site.url("/rss"), "--every", "1h")
        hook = invoke("sources", "add", "webhook", "desk")
        assert "/api/v1/sources/" in hook and "secret: " in hook
        ran = invoke("sources", "run", "news")
        assert "2 new" in ran
        invoke("sources", "add", "rss", "gone", "--url", site.url("/missing"))
        assert "HTTP 404" in str(runner.invoke(cli, ["sources", "run", "gone"]).exception)
    rows = {r["name"]: r for r in json.loads(invoke("sources", "list", "--format", "json"))}
    assert set(rows) == {"news", "desk", "gone"}
    news = rows["news"]
    assert {k: news[k] for k in ("kind", "last_status", "items_total", "last_error")} == {
        "kind": "rss",
        "last_status": "ok",
        "items_total": 2,
        "last_error": None,
    }
    assert news["last_run_at"].endswith("Z") and news["every_minutes"] == 60
    assert rows["gone"]["last_status"] == "error" and "404" in rows["gone"]["last_error"]
    assert rows["desk"]["kind"] == "webhook" and rows["desk"]["last_run_at"] is None
    invoke("sources", "remove", "gone")
    assert "gone" not in invoke("sources", "list")
