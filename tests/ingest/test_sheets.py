"""Workbooks with several sheets: which are read, which are skipped and why."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from otklik.analysis import build_pipeline
from otklik.domain import Filters
from otklik.errors import InputError
from otklik.ingest.importer import ImportOptions, import_file
from otklik.pipeline.pipeline import Pipeline
from otklik.settings import Settings
from otklik.storage import Store
from otklik.storage import imports as import_runs
from tests.cli.test_cli import otklik


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return build_pipeline(Settings(), stages=("normalise", "language", "dedupe"))


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    opened = Store.open(sqlite_url)
    opened.init()
    yield opened
    opened.close()


def write_workbook(path: Path) -> Path:
    """March and April share columns (April in another order, one bad date), Notes differs,
    Empty has nothing."""
    book = Workbook()
    march = book.active
    assert march is not None
    march.title = "March"
    march.append(["Текст", "Дата"])
    march.append(["Доставка задержалась", "01.03.2025"])
    march.append(["Всё отлично", "02.03.2025"])
    notes = book.create_sheet("Notes")
    notes.append(["Комментарий", "Кто"])
    notes.append(["не импортировать", "Иван"])
    book.create_sheet("Empty")
    april = book.create_sheet("April")
    april.append(["Дата", "Текст"])
    april.append(["01.04.2025", "Курьер вежливый"])
    april.append(["32.04.2025", "Плохая дата"])
    book.save(path)
    return path


def texts(store: Store, ws_name: str = "w") -> set[str]:
    ws = store.workspace(ws_name, "UTC")
    return {r.mention.text for r in store.mentions(ws, Filters())[0]}


def test_every_sheet_with_the_first_sheets_columns_is_read(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "book.xlsx")
    ws = sqlite_store.workspace("w", "UTC")
    result = import_file(sqlite_store, ws, pipeline, path, ImportOptions())
    assert result.info.sheets == ["March", "April"]
    skipped = {(s.name, s.reason, s.columns) for s in result.info.skipped_sheets}
    assert skipped == {
        ("Notes", "different columns", ("Комментарий", "Кто")),
        ("Empty", "empty", ()),
    }
    assert (result.rows_read, result.imported, result.rejected) == (4, 3, 1)
    assert texts(sqlite_store) == {"Доставка задержалась", "Всё отлично", "Курьер вежливый"}


def test_chosen_sheets_only_are_read(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "book.xlsx")
    ws = sqlite_store.workspace("w", "UTC")
    result = import_file(sqlite_store, ws, pipeline, path, ImportOptions(sheets=("Notes",)))
    assert result.info.sheets == ["Notes"] and result.info.skipped_sheets == []
    assert result.mapping == {"Комментарий": "text"}
    assert texts(sqlite_store) == {"не импортировать"}


def test_an_unknown_sheet_is_an_error_naming_the_sheets(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    path = write_workbook(tmp_path / "book.xlsx")
    ws = sqlite_store.workspace("w", "UTC")
    with pytest.raises(InputError) as caught:
        import_file(sqlite_store, ws, pipeline, path, ImportOptions(sheets=("May",)))
    message = str(caught.value)
    assert "'May'" in message
    assert all(f"'{name}'" in message for name in ("March", "Notes", "Empty", "April"))
    assert texts(sqlite_store) == set()


def test_a_workbook_of_empty_sheets_is_an_error(
    sqlite_store: Store, pipeline: Pipeline, tmp_path: Path
) -> None:
    book = Workbook()
    book.create_sheet("Other")
    book.save(tmp_path / "empty.xlsx")
    ws = sqlite_store.workspace("w", "UTC")
    with pytest.raises(InputError, match="no sheet has column names"):
        import_file(sqlite_store, ws, pipeline, tmp_path / "empty.xlsx", ImportOptions())


def test_a_rejected_row_names_its_sheet(store: Store, pipeline: Pipeline, tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "book.xlsx")
    ws = store.workspace("w", "UTC")
    result = import_file(store, ws, pipeline, path, ImportOptions())
    with store.connect() as conn:
        [rejected] = import_runs.rejections(conn, result.run_id)
        report = import_runs.rejections_csv(import_runs.rejections(conn, result.run_id))
    assert rejected.row_number == 3 and rejected.field == "published_at"
    assert json.loads(rejected.raw) == {
        "sheet": "April",
        "cells": {"Дата": "32.04.2025", "Текст": "Плохая дата"},
    }
    [header, row] = list(csv.reader(io.StringIO(report)))
    assert row[0] == "3" and json.loads(row[3])["sheet"] == "April"


def test_cli_names_the_sheets_read_and_skipped(tmp_path: Path) -> None:
    write_workbook(tmp_path / "book.xlsx")
    assert otklik("init", cwd=tmp_path).returncode == 0
    done = otklik("import", "book.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "sheets read: March, April" in done.stdout
    assert "sheet skipped: Notes (different columns: Комментарий, Кто)" in done.stdout
    assert "sheet skipped: Empty (empty)" in done.stdout
    assert "imported: 3" in done.stdout and "rejected: 1" in done.stdout
    report = (tmp_path / "book.xlsx.rejected.csv").read_text(encoding="utf-8")
    assert '""sheet"": ""April""' in report

    chosen = otklik("import", "book.xlsx", "--sheet", "Notes", cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stderr
    assert "sheets read: Notes" in chosen.stdout and "imported: 1" in chosen.stdout

    unknown = otklik("import", "book.xlsx", "--sheet", "May", cwd=tmp_path)
    assert unknown.returncode == 1
    assert "no sheet named 'May'" in unknown.stderr and "'March', 'Notes'" in unknown.stderr


def test_a_background_import_reads_the_chosen_sheets(tmp_path: Path) -> None:
    write_workbook(tmp_path / "book.xlsx")
    assert otklik("init", cwd=tmp_path).returncode == 0
    queued = otklik("import", "book.xlsx", "--sheet", "Notes", "--background", cwd=tmp_path)
    assert queued.returncode == 0, queued.stderr
    job_id = int(queued.stdout.strip().splitlines()[-1])
    worked = otklik("worker", "--once", cwd=tmp_path)
    assert worked.returncode == 0, worked.stderr
    listed = json.loads(otklik("jobs", "--format", "json", cwd=tmp_path).stdout)
    [job] = [j for j in listed if j["id"] == job_id]
    assert job["status"] == "done"
    assert job["result"]["sheets"] == ["Notes"] and job["result"]["imported"] == 1
