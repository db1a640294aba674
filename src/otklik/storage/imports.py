"""Import runs and the rows they rejected."""

from __future__ import annotations

import csv
import io
import os
import socket
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.records import ImportRun, Rejection
from otklik.storage.schema import import_run, rejected_row, source


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
                **_owner(now),
            },
        ).scalar_one()
    )


def _owner(now: datetime) -> dict[str, object]:
    return {"pid": os.getpid(), "hostname": socket.gethostname(), "heartbeat_at": now}


def resume_run(conn: Connection, run_id: int, now: datetime) -> ImportRun:
    """Take over an interrupted run: this process owns it and it is running again."""
    run = get_run(conn, run_id)
    if run is None:
        raise LookupError(f"no import run {run_id}")
    conn.execute(
        sa.update(import_run)
        .where(import_run.c.id == run_id)
        .values(status="running", finished_at=None, message=None, **_owner(now))
    )
    return run


def add_counts(
    conn: Connection,
    run_id: int,
    *,
    read: int,
    imported: int,
    duplicates: int,
    rejections: Sequence[Rejection],
    updated: int = 0,
    now: datetime | None = None,
) -> None:
    """Add a batch's counts and rejected rows to a run (same transaction as the batch)."""
    beat = {"heartbeat_at": now} if now is not None else {}
    conn.execute(
        sa.update(import_run)
        .where(import_run.c.id == run_id)
        .values(
            rows_read=import_run.c.rows_read + read,
            imported=import_run.c.imported + imported,
            updated=import_run.c.updated + updated,
            **beat,
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
        updated=row.updated,
        duplicates=row.duplicates,
        rejected=row.rejected,
        started_at=row.started_at,
        finished_at=row.finished_at,
        message=row.message,
        source_id=row.source_id,
        pid=row.pid,
        hostname=row.hostname,
        heartbeat_at=row.heartbeat_at,
    )


def list_runs(
    conn: Connection, ws_id: int, limit: int = 50, without_kinds: Sequence[str] = ()
) -> list[ImportRun]:
    """Recent import runs, newest first (leaving out runs of sources of `without_kinds`);
    running ones whose process is gone are marked interrupted (kept when `conn` is a write
    transaction)."""
    interrupt_orphans(conn, ws_id, datetime.now(UTC).replace(tzinfo=None))
    query = sa.select(import_run.c.id).where(import_run.c.workspace_id == ws_id)
    if without_kinds:
        of_kinds = sa.select(source.c.id).where(source.c.kind.in_(list(without_kinds)))
        query = query.where(
            sa.or_(import_run.c.source_id.is_(None), import_run.c.source_id.not_in(of_kinds))
        )
    ids = conn.execute(query.order_by(import_run.c.id.desc()).limit(limit)).scalars()
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


# A run on another machine whose heartbeat is this old is taken as gone (a batch is stored
# every few seconds; a silent quarter of an hour means its process is dead).
STALE_AFTER = timedelta(minutes=15)


def is_alive(pid: int | None) -> bool:
    """Whether a process with this id runs on this machine."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def interrupt_orphans(conn: Connection, ws_id: int, now: datetime | None = None) -> list[int]:
    """Mark running imports whose process is gone as interrupted; returns their ids.

    On this machine the process id tells; from another machine only the heartbeat does."""
    host = socket.gethostname()
    gone: list[int] = []
    for run_id, pid, hostname, beat in conn.execute(
        sa.select(
            import_run.c.id, import_run.c.pid, import_run.c.hostname, import_run.c.heartbeat_at
        ).where(import_run.c.workspace_id == ws_id, import_run.c.status == "running")
    ):
        if hostname == host:
            dead = not is_alive(pid)
        else:
            dead = beat is None or (now is not None and beat < now - STALE_AFTER)
        if dead:
            gone.append(run_id)
    if gone:
        conn.execute(
            sa.update(import_run)
            .where(import_run.c.id.in_(gone), import_run.c.status == "running")
            .values(status="interrupted", message="its process stopped before the end")
        )
    return gone


def interrupted_run(
    conn: Connection, ws_id: int, source_id: int | None, path: str
) -> ImportRun | None:
    """The newest interrupted run of this source and path, if it is the newest run of them."""
    newest = conn.execute(
        sa.select(import_run.c.id, import_run.c.status)
        .where(
            import_run.c.workspace_id == ws_id,
            import_run.c.source_id == source_id,
            import_run.c.path == path,
        )
        .order_by(import_run.c.id.desc())
        .limit(1)
    ).first()
    if newest is None or newest.status != "interrupted":
        return None
    return get_run(conn, newest.id)
