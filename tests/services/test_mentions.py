"""services.mentions, queries.filters, cases, corrections and reanalyse on stored mentions."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from otklik.domain.filters import FilterError, Filters
from otklik.errors import InputError, QueryError
from otklik.services import cases, catalog, mentions, queries, reanalyse
from otklik.services.cases import CaseChange
from otklik.services.corrections import correct_sentiment
from tests.services.conftest import World


def test_newest_and_walk_agree_page_by_page(world: World) -> None:
    every = [r.mention.id for r in mentions.walk(world.svc, world.ws, Filters(), page_size=1)]
    assert len(every) == 4 and len(set(every)) == 4
    assert [r.mention.id for r in mentions.newest(world.svc, world.ws, Filters(), 3)] == every[:3]
    page, cursor = mentions.page(world.svc, world.ws, Filters(), 2)
    rest, end = mentions.page(world.svc, world.ws, Filters(), 2, cursor)
    assert [r.mention.id for r in page + rest] == every and end is None


def test_filters_are_parsed_and_checked_in_one_place(world: World) -> None:
    parsed = queries.filters(world.ws, {"language": "kk,en", "since": "2025-03-02"})
    assert parsed.language == ("kk", "en")
    assert mentions.count(world.svc, world.ws, parsed) == 2
    with pytest.raises(FilterError) as bad:
        queries.filters(world.ws, {"sentiment": ["angry"]})
    assert bad.value.name == "sentiment"
    with pytest.raises(QueryError):
        queries.filters(world.ws, {"q": '"unclosed'})


def test_counts_by_dimension(world: World) -> None:
    rows = mentions.count_by(world.svc, world.ws, Filters(), ["channel"])
    assert {r["channel"]: r["count"] for r in rows} == {
        "review": 1,
        "appstore": 1,
        "vk": 1,
        "telegram": 1,
    }


def test_export_escapes_formulas(world: World) -> None:
    rows = mentions.export_rows(world.svc, world.ws, Filters(channel=("vk",)))
    assert len(rows) == 1 and rows[0]["text"].startswith("=HYPERLINK")
    text = mentions.to_csv(rows).decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text)))
    assert read[0]["text"].startswith("'=HYPERLINK")
    assert mentions.to_xlsx(rows)[:2] == b"PK"


def test_export_file_writes_every_row_of_the_view_with_progress(
    world: World, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    target = tmp_path / "all.csv"
    written = mentions.export_file(
        world.svc, world.ws, Filters(), target, None, lambda d, t: seen.append((d, t))
    )
    read = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    every = [str(r.mention.id) for r in mentions.walk(world.svc, world.ws, Filters())]
    assert written == 4 and [r["id"] for r in read] == every and seen[-1] == (4, 4)
    assert next(r for r in read if r["channel"] == "vk")["text"].startswith("'=HYPERLINK")
    book = tmp_path / "kk.xlsx"
    kk = Filters(language=("kk",))
    assert mentions.export_file(world.svc, world.ws, kk, book) == mentions.count(
        world.svc, world.ws, kk
    )
    from openpyxl import load_workbook

    workbook = load_workbook(book, read_only=True)
    rows = list(workbook["mentions"].iter_rows(values_only=True))
    workbook.close()  # read-only workbooks keep the file open until closed
    assert rows[0] == mentions.EXPORT_COLUMNS and len(rows) == 1 + mentions.count(
        world.svc, world.ws, kk
    )
    with pytest.raises(InputError):
        mentions.export_file(world.svc, world.ws, Filters(), tmp_path / "all.pdf")
    assert sorted(p.name for p in tmp_path.glob("*.partial")) == []


def test_case_work_is_stored(world: World) -> None:
    mid = mentions.newest(world.svc, world.ws, Filters(channel=("review",)), 1)[0].mention.id
    assert mid is not None
    catalog.add_tag(world.svc, world.ws, "callback", None)
    change = CaseChange(
        status="in_progress",
        assignee="anna@example.com",
        sentiment="positive",
        tags_add=["callback"],
        note="call back tomorrow",
        reply="Sorry, we are on it",
    )
    record = cases.change_mention(world.svc, world.ws, mid, change, "lead@example.com")
    assert (record.status, record.assignee) == ("in_progress", "anna@example.com")
    item = mentions.detail(world.svc, world.ws, mid)
    assert item["sentiment"] == "positive" and item["sentiment_source"] == "person"
    assert item["tags"] == ["callback"]
    assert [(n["kind"], n["body"]) for n in item["notes"]] == [
        ("note", "call back tomorrow"),
        ("reply", "Sorry, we are on it"),
    ]
    assert item["first_response_at"] is not None
    after = cases.change_mention(
        world.svc, world.ws, mid, CaseChange(unassign=True, tags_remove=["callback"]), "x"
    )
    assert after.assignee is None and after.tags == []


def test_correction_needs_a_known_label(world: World) -> None:
    mid = mentions.newest(world.svc, world.ws, Filters(), 1)[0].mention.id
    assert mid is not None
    with pytest.raises(InputError):
        correct_sentiment(world.svc, world.ws, mid, "angry", "x")
    correct_sentiment(world.svc, world.ws, mid, "negative", "x")
    assert mentions.get(world.svc, world.ws, mid).analysis.sentiment == "negative"


def test_reanalyse_reports_progress_and_keeps_corrections(world: World) -> None:
    mid = mentions.newest(world.svc, world.ws, Filters(language=("en",)), 1)[0].mention.id
    assert mid is not None
    correct_sentiment(world.svc, world.ws, mid, "negative", "x")
    seen: list[tuple[int, int]] = []
    done = reanalyse.reanalyse(world.svc, world.ws, Filters(), lambda d, t: seen.append((d, t)))
    assert done == 4
    assert seen[-1] == (4, 4) and [d for d, _ in seen] == [2, 4]
    record = mentions.get(world.svc, world.ws, mid)
    assert (record.analysis.language, record.analysis.sentiment) == ("en", "negative")
