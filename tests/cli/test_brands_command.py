"""`otklik brands|tags` on a real SQLite file: history is matched again on every query change."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from otklik.cli.main import cli
from otklik.errors import InputError

Run = Callable[..., Result]

REVIEWS = """text,date
"Забрал посылку в Боксберри, всё целое",2025-03-01
"Boxbery опять потерял заказ",2025-03-02
"Boxberry дешевле, чем СДЭК, но СДЭК быстрее",2025-03-03
"Отдыхали на Каспии, Kaspi-ге тапсырыс бердім",2025-03-04
"Доставка долго, цена высокая",2025-03-05
"Delivery was late, Boxberri courier rude",2025-03-06
"""


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("OTKLIK_DATABASE_URL", f"sqlite:///{tmp_path / 'otklik.db'}")
    monkeypatch.setenv("OTKLIK_STAGES", "normalise,language,dedupe,brands,tags")
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result

    invoke("init")
    (tmp_path / "reviews.csv").write_text(REVIEWS, encoding="utf-8")
    invoke("import", str(tmp_path / "reviews.csv"))
    return invoke


def brands_of(run: Run) -> dict[str, list[str]]:
    result = run("mentions", "--format", "json")
    return {r["text"]: sorted(b["name"] for b in r["brands"]) for r in json.loads(result.stdout)}


def test_added_brand_is_matched_against_stored_mentions(run: Run) -> None:
    added = run("brands", "add", "Boxberry", "--own")
    assert "found in 4 stored mentions" in added.output
    found = brands_of(run)
    assert found["Boxbery опять потерял заказ"] == ["Boxberry"]
    assert found["Отдыхали на Каспии, Kaspi-ге тапсырыс бердім"] == []


def test_editing_a_query_rematches_history(run: Run) -> None:
    run("brands", "add", "Kaspi", "--query", "Каспий")
    assert brands_of(run)["Отдыхали на Каспии, Kaspi-ге тапсырыс бердім"] == ["Kaspi"]
    edited = run("brands", "edit", "Kaspi", "--query", "Kaspi")
    assert "found in 1 stored mention" in edited.output  # one, not "1 stored mentions"
    assert "found in 1 stored mentions" not in edited.output
    listed = json.loads(run("brands", "list", "--format", "json").stdout)
    assert listed == [{"id": 1, "name": "Kaspi", "own": False, "query": "Kaspi"}]


@pytest.mark.usefixtures("run")
def test_bad_query_is_refused_with_exit_code_2() -> None:
    result = CliRunner().invoke(cli, ["brands", "add", "X", "--query", "(Boxberry"])
    assert result.exit_code == 2
    assert "position 9" in result.output


def test_removed_brand_leaves_mentions_without_it(run: Run) -> None:
    run("brands", "add", "Boxberry")
    run("brands", "remove", "Boxberry")
    assert not any(brands_of(run).values())


def test_tag_rule_applies_to_history_and_follows_edits(run: Run) -> None:
    assert "applied to 1 stored" in run("tags", "add", "price", "-q", "цена").output
    assert "applied to 2 stored" in run("tags", "edit", "price", "-q", "цена OR late").output
    rows = json.loads(run("mentions", "--tag", "price", "--format", "json").stdout)
    assert sorted(r["text"][:8] for r in rows) == ["Delivery", "Доставка"]
    assert json.loads(run("tags", "list", "--format", "json").stdout)[0]["query"] == "цена OR late"


def test_variants_lists_spellings_with_counts(run: Run) -> None:
    result = run("brands", "variants", "Boxberry", "--query", "Boxberry", "--format", "json")
    rows = {r["variant"]: r for r in json.loads(result.stdout)}
    assert rows["боксберри"]["kind"] == "transliteration"
    assert rows["boxbery"] == {
        "variant": "boxbery",
        "kind": "misspelling",
        "mentions": 1,
        "would_add": 0,
    }
    narrow = run("brands", "variants", "Boxberry", "--query", '"Boxberry"', "--format", "json")
    assert {r["variant"]: r["mentions"] for r in json.loads(narrow.stdout)}["boxberri"] == 1


def test_match_stored_counts_and_samples(run: Run) -> None:
    result = run("match", "-q", "Boxberry", "--stored", "--sample", "1", "--format", "jsonl")
    lines = result.output.strip().splitlines()
    assert "4 of 6 stored mentions match" in result.output
    assert len([line for line in lines if line.startswith("{")]) == 1


def test_renamed_brand_keeps_its_matches(run: Run) -> None:
    run("brands", "add", "Boxberry", "--own")
    before = json.loads(run("brands", "list", "--format", "json").stdout)
    renamed = run("brands", "edit", "Boxberry", "--name", "Боксберри")
    assert "brand 'Boxberry' renamed to 'Боксберри'" in renamed.output
    after = json.loads(run("brands", "list", "--format", "json").stdout)
    assert after == [{**before[0], "name": "Боксберри"}]
    matched = run("mentions", "--brand", "Боксберри", "--format", "json").stdout
    assert len(json.loads(matched)) == 4


def test_renaming_to_a_taken_name_is_refused(run: Run) -> None:
    run("tags", "add", "price", "-q", "цена")
    run("tags", "add", "delivery", "-q", "доставка")
    refused = CliRunner().invoke(cli, ["tags", "edit", "price", "--name", "delivery"])
    assert refused.exit_code == 1
    assert isinstance(refused.exception, InputError)
    assert "another tag already has that name" in str(refused.exception)


def test_renamed_tag_keeps_rule_and_assignments(run: Run) -> None:
    run("tags", "add", "price", "-q", "цена")
    assert "tag 'price' renamed to 'цена'" in run("tags", "edit", "price", "--name", "цена").output
    rows = json.loads(run("mentions", "--tag", "цена", "--format", "json").stdout)
    assert [r["text"][:8] for r in rows] == ["Доставка"]
    listed = json.loads(run("tags", "list", "--format", "json").stdout)
    assert listed == [{"id": 1, "name": "цена", "query": "цена"}]
