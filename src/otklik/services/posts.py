"""Importing SMM exports (posts) and web-analytics exports (traffic by UTM)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from otklik.domain.records import Rejection, Workspace
from otklik.errors import InputError
from otklik.ingest.sheets import read_sheet
from otklik.services import jobs
from otklik.services.context import Services
from otklik.storage import imports as import_runs
from otklik.storage import posts as post_store
from otklik.storage import utcnow
from otklik.storage.jobqueue import Job

Progress = Callable[[int, float], None]
KINDS = ("post", "traffic")


@dataclass
class SheetImport:
    """What an import of posts or traffic did: rows read, added, updated, already there,
    rejected (with row, field and reason; the raw rows are kept with the run)."""

    run_id: int
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready counts."""
        return {
            "run_id": self.run_id,
            "read": self.read,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejections),
            "rejections": [
                {"row": r.row_number, "field": r.field, "reason": r.reason} for r in self.rejections
            ],
        }


def import_sheet(
    svc: Services, ws: Workspace, path: Path, kind: str, progress: Progress | None = None
) -> SheetImport:
    """Import posts (kind "post") or traffic rows ("traffic") from a CSV or XLSX file; a row
    already stored (same link, or same identity) is updated when its numbers changed.
    `progress` gets rows read and the share of the file read."""
    total, batches = read_sheet(path, kind, ZoneInfo(ws.timezone))
    with svc.store.begin() as conn:
        run_id = import_runs.start_run(conn, ws.id, None, str(path), kind, None, utcnow())
    result = SheetImport(run_id)
    status: str = "failed"
    message: str | None = "stopped"
    try:
        for batch in batches:
            with svc.store.begin() as conn:
                added, updated, unchanged = post_store.upsert(
                    conn, ws.id, kind, batch.rows, utcnow()
                )
                import_runs.add_counts(
                    conn,
                    run_id,
                    read=batch.read,
                    imported=added,
                    duplicates=unchanged,
                    updated=updated,
                    rejections=batch.rejections,
                    now=utcnow(),
                )
            result.read += batch.read
            result.added += added
            result.updated += updated
            result.unchanged += unchanged
            result.rejections.extend(batch.rejections)
            if progress is not None:
                progress(result.read, batch.bytes_read / total if total else 1.0)
        status, message = "done", None
    finally:
        with svc.store.begin() as conn:
            import_runs.finish_run(conn, run_id, status, utcnow(), message)
    return result


UPLOAD_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".txt", ".tsv")


def queue_sheet(
    svc: Services, ws: Workspace, path: Path, kind: str, *, remove_after: bool = False
) -> Job:
    """Queue an import of posts or traffic for a worker (progress on the Jobs page)."""
    if kind not in KINDS:
        raise InputError(f"unknown import kind {kind!r}; choose post or traffic")
    arguments = {"path": str(path.resolve()), "kind": kind, "remove_after": remove_after}
    return jobs.enqueue(svc, ws, "sheet_import", arguments)


def upload_sheet(svc: Services, ws: Workspace, filename: str, data: IO[bytes], kind: str) -> Job:
    """Keep an uploaded export in OTKLIK_UPLOAD_DIR and queue its import."""
    suffix = Path(filename or "upload").suffix.lower()[:8]
    if suffix not in UPLOAD_SUFFIXES:
        raise InputError(f"cannot import {filename!r}: upload a CSV or XLSX file")
    folder = svc.settings.upload_dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as out:
        shutil.copyfileobj(data, out)
    return queue_sheet(svc, ws, path, kind, remove_after=True)
