"""services.imports: files in, counts out, rejected rows kept with reasons."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from otklik.domain.filters import Filters
from otklik.errors import InputError, NotFoundError
from otklik.jobs.worker import Worker
from otklik.services import Services, imports, jobs, mentions
from tests.services.conftest import CSV, World


def test_import_file_stores_good_rows_and_reports_progress(svc: Services, tmp_path: Path) -> None:
    ws = svc.workspace()
    path = tmp_path / "reviews.csv"
    path.write_text(CSV, encoding="utf-8")
    seen: list[tuple[int, int]] = []
    result = imports.import_file(
        svc, ws, path, imports.options(svc, source="shop"), lambda d, t: seen.append((d, t))
    )
    assert (result.rows_read, result.imported, result.rejected) == (5, 4, 1)
    stored = list(mentions.walk(svc, ws, Filters(), page_size=1))
    assert len(stored) == 4
    assert {r.source for r in stored} == {"shop"}
    assert seen and seen[-1][1] == 5


def test_import_again_adds_nothing(world: World) -> None:
    again = imports.import_file(world.svc, world.ws, world.path, imports.options(world.svc))
    assert (again.imported, again.duplicates) == (0, 4)
    assert mentions.count(world.svc, world.ws, Filters()) == 4


def test_rejected_rows_come_back_with_reasons_in_their_workspace_only(world: World) -> None:
    text = imports.rejections_csv(world.svc, world.ws, world.result.run_id)
    assert "text" in text and "Empty" in text
    other = world.svc.workspace("other")
    with pytest.raises(NotFoundError):
        imports.rejections_csv(world.svc, other, world.result.run_id)
    runs = imports.recent_runs(world.svc, world.ws)
    assert [r.id for r in runs] == [world.result.run_id]
    assert imports.recent_runs(world.svc, other) == []


def test_bad_map_option_is_an_input_error(svc: Services) -> None:
    with pytest.raises(InputError):
        imports.options(svc, maps=["no equals sign"])


def test_upload_of_unknown_kind_is_refused_and_a_csv_is_imported(svc: Services) -> None:
    ws = svc.workspace()
    with pytest.raises(InputError, match="upload a CSV"):
        imports.import_upload(svc, ws, "notes.exe", io.BytesIO(b"x"), None, "other")
    result = imports.import_upload(svc, ws, "reviews.csv", io.BytesIO(CSV.encode()), None, "review")
    assert isinstance(result, imports.ImportResult) and result.imported == 4
    assert list(svc.settings.upload_dir.iterdir()) == []  # the copy goes once imported
    sources = {r.source for r in mentions.walk(svc, ws, Filters())}
    assert sources == {"reviews.csv"}


def test_a_big_upload_is_imported_by_a_background_job(svc: Services) -> None:
    ws = svc.workspace()
    small = svc.settings.model_copy(update={"background_upload_bytes": 10})
    big = Services(small, svc.store)
    queued = imports.import_upload(big, ws, "reviews.csv", io.BytesIO(CSV.encode()), "shop", "vk")
    assert isinstance(queued, jobs.Job) and (queued.kind, queued.status) == ("import", "queued")
    (kept,) = list(svc.settings.upload_dir.iterdir())
    assert kept.read_text(encoding="utf-8") == CSV and mentions.count(svc, ws, Filters()) == 0
    assert Worker(svc.store, small).run(once=True) == 1
    done = jobs.job(svc, ws, queued.id)
    assert (done.status, (done.result or {}).get("imported")) == ("done", 4)
    assert {r.source for r in mentions.walk(svc, ws, Filters())} == {"shop"}
    assert not kept.exists()  # removed once imported
