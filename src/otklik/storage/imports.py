"""Import runs and the rows they rejected."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.records import ImportRun, Rejection
from otklik.storage.schema import import_run, rejected_row


def start_run(
    conn: Connection,
    ws_id: int,
    source_id: int | None,
    path: str,
    fmt: str | None,
    encoding: str | None,
    now: datetime,
) -> int:
    """Record that an import began; returns its id."""
    return int(
        conn.execute(
            sa.insert(import_run).returning(import_run.c.id),
            {
                "workspace_id": ws_id,
                "source_id": source_id,
                "path": path,
                "format": fmt,
                "encoding": encoding,
                "started_at": now,
                "status": "running",
            },
        ).scalar_one()
    )


def add_counts(
    conn: Connection,
    run_id: int,
    *,
    read: int,
    imported: int,
    duplicates: int,
    rejections: Sequence[Rejection],
) -> None:
    """Add a batch's counts and rejected rows to a run (same transaction as the batch)."""
    conn.execute(
        sa.update(import_run)
        .where(import_run.c.id == run_id)
        .values(
            rows_read=import_run.c.rows_read + read,
            imported=import_run.c.imported + imported,
            duplicates=import_run.c.duplicates + duplicates,
            rejected=import_run.c.rejected + len(rejections),
        )
    )
    if rejections:
        conn.execute(
            sa.insert(rejected_row),
            [
                {
                    "import_run_id": run_id,
                    "row_number": r.row_number,
                    "field": r.field,
                    "reason": r.reason,
                    "raw": r.raw,
                }
                for r in rejections
            ],
        )


def finish_run(
    conn: Connection, run_id: int, status: str, now: datetime, message: str | None = None
) -> None:
    """Mark a run done or failed."""
    conn.execute(
        sa.update(import_run)
        .where(import_run.c.id == run_id)
        .values(status=status, finished_at=now, message=message)
    )


def get_run(conn: Connection, run_id: int) -> ImportRun | None:
    """One import run by id."""
    row = conn.execute(sa.select(import_run).where(import_run.c.id == run_id)).first()
    if row is None:
        return None
    return ImportRun(
        id=row.id,
        path=row.path,
        status=row.status,
        rows_read=row.rows_read,
        imported=row.imported,
        duplicates=row.duplicates,
        rejected=row.rejected,
        started_at=row.started_at,
        finished_at=row.finished_at,
        message=row.message,
    )


def list_runs(conn: Connection, ws_id: int, limit: int = 50) -> list[ImportRun]:
    """Recent import runs, newest first."""
    ids = conn.execute(
        sa.select(import_run.c.id)
        .where(import_run.c.workspace_id == ws_id)
        .order_by(import_run.c.id.desc())
        .limit(limit)
    ).scalars()
    return [run for run in (get_run(conn, i) for i in ids) if run is not None]


def rejections(conn: Connection, run_id: int) -> list[Rejection]:
    """A run's rejected rows in file order."""
    return [
        Rejection(r.row_number, r.field, r.reason, r.raw)
        for r in conn.execute(
            sa.select(rejected_row)
            .where(rejected_row.c.import_run_id == run_id)
            .order_by(rejected_row.c.row_number, rejected_row.c.id)
        )
    ]


def rejections_csv(rows: Iterable[Rejection]) -> str:
    """Rejected rows as CSV: row, field, reason, raw."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "field", "reason", "raw"])
    for r in rows:
        writer.writerow([r.row_number, r.field or "", r.reason, r.raw])
    return out.getvalue()
