"""Importing files: options from the edges, the import itself, runs and their rejected rows.

`import_file` needs no web or CLI object, so a background job can run it.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from otklik.domain.records import ImportRun, Workspace
from otklik.errors import InputError, NotFoundError
from otklik.ingest import importer
from otklik.ingest.importer import ImportOptions, ImportResult
from otklik.ingest.mapping import parse_map_options
from otklik.services import jobs, upgrade
from otklik.services.context import Services
from otklik.services.jobs import Job
from otklik.storage import imports as import_runs
from otklik.storage import utcnow

__all__ = [
    "ImportOptions",
    "ImportResult",
    "import_file",
    "import_upload",
    "options",
    "parse_map_options",
    "sheets_read",
]

Progress = Callable[[int, int], None]
"""Called with (bytes read, rows read) as the import goes."""

UPLOAD_SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl", ".txt", ".tsv")


def options(
    svc: Services,
    *,
    source: str | None = None,
    format: str | None = None,
    maps: Sequence[str] = (),
    rating_scale: tuple[float, float] = (1, 5),
    channel: str = "other",
    sheets: Sequence[str] = (),
) -> ImportOptions:
    """Import options from an edge's values (`--map COLUMN=FIELD` strings parsed here, with
    a clear error for a bad one; `sheets` the XLSX sheets to read, none for every sheet with
    the first one's columns) and the settings' batch size."""
    return ImportOptions(
        source=source,
        format=format,
        mapping=parse_map_options(maps),
        rating_scale=rating_scale,
        channel=channel,
        sheets=tuple(sheets),
        batch_size=svc.settings.batch_size,
        process_bytes=svc.settings.analysis_process_bytes,
    )


def sheets_read(result: ImportResult) -> dict[str, Any]:
    """An XLSX import's sheets as JSON: `sheets` read, `skipped_sheets` each with `name` and
    `reason` ("empty" or "different columns") and `columns` (both lists empty for other
    formats)."""
    return {
        "sheets": list(result.info.sheets),
        "skipped_sheets": [
            {"name": s.name, "reason": s.reason, "columns": list(s.columns)}
            for s in result.info.skipped_sheets
        ],
    }


def import_file(
    svc: Services,
    ws: Workspace,
    path: Path,
    options: ImportOptions,
    progress: Progress | None = None,
    *,
    resume_run_id: int | None = None,
) -> ImportResult:
    """Import one file through the workspace's pipeline: every readable row is stored or
    rejected with its reason (InputError when the file cannot be read at all). With
    `resume_run_id`, an interrupted run of the same file is finished: its settled rows are
    skipped and its counts kept. The compact labels it stores are upgraded by a background
    job afterwards (see `services.upgrade`)."""
    pipeline = svc.pipelines.for_workspace(ws)
    result = importer.import_file(
        svc.store, ws, pipeline, path, options, progress, resume_run_id=resume_run_id
    )
    if result.imported or result.updated:
        upgrade.queue(svc, ws)
    return result


def interrupted_import(
    svc: Services, ws: Workspace, path: Path, source: str | None = None
) -> ImportRun | None:
    """The newest interrupted import run of this file (and source), one `resume` finishes."""
    return importer.interrupted_import(svc.store, ws, path, source)


def mark_interrupted(svc: Services, run_id: int, message: str) -> None:
    """Mark a run whose process is gone as interrupted (a job's retry could not resume it)."""
    with svc.store.begin() as conn:
        import_runs.finish_run(conn, run_id, "interrupted", utcnow(), message)


def import_upload(
    svc: Services, ws: Workspace, filename: str, data: IO[bytes], source: str | None, channel: str
) -> ImportResult | Job:
    """Import an uploaded file (its name says the format), like `otklik import`: a small one
    at once (its result), a big one (OTKLIK_BACKGROUND_UPLOAD_BYTES) by a background job (the
    job), from a copy kept in OTKLIK_UPLOAD_DIR until the job has imported it."""
    suffix = Path(filename or "upload").suffix.lower()[:8]
    if suffix not in UPLOAD_SUFFIXES:
        raise InputError(f"cannot import {filename!r}: upload a CSV, XLSX, JSON or JSONL file")
    folder = svc.settings.upload_dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as out:
        shutil.copyfileobj(data, out)
    source = source or Path(filename).name
    if path.stat().st_size >= svc.settings.background_upload_bytes:
        arguments = jobs.import_arguments(path, source=source, channel=channel or "other")
        return jobs.enqueue(svc, ws, "import", {**arguments, "remove_after": True})
    chosen = ImportOptions(
        source=source,
        channel=channel or "other",
        batch_size=svc.settings.batch_size,
        process_bytes=svc.settings.analysis_process_bytes,
    )
    try:
        return import_file(svc, ws, path, chosen)
    finally:
        path.unlink(missing_ok=True)


def recent_runs(svc: Services, ws: Workspace, limit: int = 20) -> list[ImportRun]:
    """The workspace's latest imports, newest first; each survey response is a run of its own
    (intake takes it), and those are left out."""
    with svc.store.begin() as conn:  # runs whose process is gone are marked on the way
        return import_runs.list_runs(conn, ws.id, limit=limit, without_kinds=("survey",))


def rejections_csv(svc: Services, ws: Workspace, run_id: int) -> str:
    """CSV of an import's rejected rows (row, field, reason, raw); NotFoundError for a run of
    another workspace or none."""
    with svc.store.connect() as conn:
        runs = {r.id for r in import_runs.list_runs(conn, ws.id, limit=1_000_000)}
        if run_id not in runs:
            raise NotFoundError(f"no import {run_id}")
        return import_runs.rejections_csv(import_runs.rejections(conn, run_id))
