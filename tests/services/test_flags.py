"""Complaint and question flags stored per mention: filters, export, re-analysis."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from otklik.domain.filters import FilterError, Filters
from otklik.domain.records import Workspace
from otklik.search_terms import open_store
from otklik.services import Services, imports, mentions, queries, reanalyse
from otklik.services.corrections import correct_sentiment
from otklik.settings import DEFAULT_STAGES, Settings

CSV = (
    "id,text,date\n"
    "1,Курьер опоздал на три дня и поддержка не отвечает,2025-03-01 10:00\n"
    "2,Подскажите адрес пункта выдачи?,2025-03-02 10:00\n"
    '3,"Спасибо большое, всё пришло вовремя!",2025-03-03 10:00\n'
    "4,Тапсырыс үш күн кешікті және әлі келмеді,2025-03-04 10:00\n"
    "5,Why was I charged twice for one order?,2025-03-05 10:00\n"
)


@pytest.fixture
def flagged(db_url: str, tmp_path: Path) -> Iterator[tuple[Services, Workspace]]:
    store = open_store(db_url)
    store.init()
    settings = Settings(
        database_url=db_url, stages=DEFAULT_STAGES, timezone="UTC", upload_dir=tmp_path / "up"
    )
    svc = Services.open(settings, store, keep_pipelines=False)
    ws = svc.workspace()
    path = tmp_path / "cs.csv"
    path.write_text(CSV, encoding="utf-8")
    options = imports.options(svc, maps=["id=external_id"])
    assert imports.import_file(svc, ws, path, options).imported == 5
    yield svc, ws
    store.close()


def ids(svc: Services, ws: Workspace, **params: str) -> set[str]:
    found = mentions.walk(svc, ws, queries.filters(ws, params))
    return {r.mention.external_id or "" for r in found}


def test_flags_are_stored_and_filter_the_feed_and_counts(
    flagged: tuple[Services, Workspace],
) -> None:
    svc, ws = flagged
    assert ids(svc, ws, complaint="yes") == {"1", "4", "5"}
    assert ids(svc, ws, complaint="no") == {"2", "3"}
    assert ids(svc, ws, question="yes") == {"2", "5"}
    assert ids(svc, ws, complaint="yes", question="yes") == {"5"}
    assert mentions.count(svc, ws, queries.filters(ws, {"complaint": "yes"})) == 3
    # The query language selects by the flags too (alerts and saved views use it).
    assert ids(svc, ws, q="is:complaint") == {"1", "4", "5"}
    assert ids(svc, ws, q="курьер AND is:complaint") == {"1"}
    assert ids(svc, ws, q="NOT is:question") == {"1", "3", "4"}
    with pytest.raises(FilterError):
        queries.filters(ws, {"q": "курьер OR is:complaint"})
    with pytest.raises(FilterError) as bad:
        queries.filters(ws, {"question": "maybe"})
    assert bad.value.name == "question"


def test_export_has_the_flags_and_the_tier(flagged: tuple[Services, Workspace]) -> None:
    svc, ws = flagged
    rows = mentions.export_rows(svc, ws, Filters(question=True))
    text = mentions.to_csv(rows).decode("utf-8-sig")
    read = {r["text"][:3]: r for r in csv.DictReader(io.StringIO(text))}
    assert read["Why"]["is_complaint"] == "1" and read["Why"]["is_question"] == "1"
    assert read["Под"]["is_complaint"] == "0"
    assert {r["sentiment_tier"] for r in read.values()} == {"compact"}


def test_reanalysis_keeps_flags_consistent_with_the_text(
    flagged: tuple[Services, Workspace], tmp_path: Path
) -> None:
    svc, ws = flagged
    path = tmp_path / "cs.csv"  # the same source: item 1 changed
    path.write_text(
        'id,text,date\n1,"Спасибо курьеру, всё доставили вовремя",2025-03-01 10:00\n',
        encoding="utf-8",
    )
    options = imports.options(svc, maps=["id=external_id"])
    assert imports.import_file(svc, ws, path, options).updated == 1
    assert "1" not in ids(svc, ws, complaint="yes")
    assert reanalyse.reanalyse(svc, ws, Filters()) == 5
    assert ids(svc, ws, complaint="yes") == {"4", "5"}
    # A person's label decides: "resolved, it's fine" takes the mention out of complaints,
    # and a re-analysis keeps it out.
    five = next(
        r.mention.id
        for r in mentions.walk(svc, ws, Filters(complaint=True))
        if r.mention.external_id == "5"
    )
    assert five is not None
    correct_sentiment(svc, ws, five, "positive", "lead@example.com")
    assert ids(svc, ws, complaint="yes") == {"4"}
    reanalyse.reanalyse(svc, ws, Filters())
    assert ids(svc, ws, complaint="yes") == {"4"}
