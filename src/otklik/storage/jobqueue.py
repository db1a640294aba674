"""The durable job queue and schedules, in the project's own database.

Workers claim a due job and hold a lease they renew while working; a job whose lease ran out
(its worker died) is claimed again. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`; SQLite
with one `UPDATE … RETURNING` inside `BEGIN IMMEDIATE`. Those two differences live here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from otklik.errors import InputError, NotFoundError
from otklik.storage.schema import job, schedule

STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class Job:
    """One unit of background work and where it stands."""

    id: int
    workspace_id: int
    kind: str
    arguments: dict[str, Any]
    status: str
    progress_done: int | None
    progress_total: int | None
    progress_message: str | None
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    max_attempts: int
    run_after: datetime
    lease_owner: str | None
    lease_expires_at: datetime | None
    is_cancel_requested: bool
    dedupe_key: str | None
    schedule_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class Schedule:
    """A job enqueued every N minutes, or daily, weekly or monthly at HH:MM in a time zone."""

    id: int
    workspace_id: int
    name: str
    kind: str
    arguments: dict[str, Any]
    every_minutes: int | None
    at_time: str | None
    weekday: int | None
    timezone: str
    next_run_at: datetime
    last_job_id: int | None
    is_enabled: bool
    monthday: int | None = None  # 1–28, monthly only


def _job(row: sa.Row[Any]) -> Job:
    m = dict(row._mapping)
    m["arguments"] = dict(m["arguments"] or {})
    m["is_cancel_requested"] = bool(m["is_cancel_requested"])
    return Job(**m)


def _schedule(row: sa.Row[Any]) -> Schedule:
    m = dict(row._mapping)
    m.pop("created_at")
    m["arguments"] = dict(m["arguments"] or {})
    m["is_enabled"] = bool(m["is_enabled"])
    return Schedule(**m)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A short write transaction that takes SQLite's write lock at once (BEGIN IMMEDIATE), so
    a read-then-write inside it cannot lose to another writer; PostgreSQL's usual one."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


# Enqueueing


def enqueue(
    conn: Connection,
    ws_id: int,
    kind: str,
    arguments: Mapping[str, Any],
    now: datetime,
    *,
    dedupe_key: str | None = None,
    max_attempts: int = 3,
    run_after: datetime | None = None,
    schedule_id: int | None = None,
) -> Job:
    """Queue a job. With `dedupe_key`, a job already queued under the key is this one (its
    arguments updated), and one running under it is asked to stop: the newer one supersedes it.
    """
    if dedupe_key is not None:
        conn.execute(
            sa.update(job)
            .where(_keyed(ws_id, dedupe_key), job.c.status == "running")
            .values(is_cancel_requested=True)
        )
        queued = conn.execute(
            sa.update(job)
            .where(_keyed(ws_id, dedupe_key), job.c.status == "queued")
            .values(arguments=dict(arguments))
            .returning(*job.c)
        ).first()
        if queued is not None:
            return _job(queued)
    values = {
        "workspace_id": ws_id,
        "kind": kind,
        "arguments": dict(arguments),
        "status": "queued",
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after": run_after or now,
        "dedupe_key": dedupe_key,
        "schedule_id": schedule_id,
        "created_at": now,
    }
    if dedupe_key is not None and conn.dialect.name == "postgresql":
        # Another process may queue the same key between our update and insert; the unique
        # index refuses the second row and the one already queued is ours.
        try:
            with conn.begin_nested():
                return _job(conn.execute(sa.insert(job).returning(*job.c), values).one())
        except sa.exc.IntegrityError:
            return enqueue(conn, ws_id, kind, arguments, now, dedupe_key=dedupe_key)
    return _job(conn.execute(sa.insert(job).returning(*job.c), values).one())


def _keyed(ws_id: int, dedupe_key: str) -> sa.ColumnElement[bool]:
    return sa.and_(job.c.workspace_id == ws_id, job.c.dedupe_key == dedupe_key)


# Claiming and leases


def claim(engine: Engine, owner: str, now: datetime, lease: timedelta) -> Job | None:
    """Take the next due job — queued and past its run_after, or running with an expired lease
    — mark it running under `owner`'s lease and count the attempt; None when none is due."""
    with write_transaction(engine) as conn:
        _fail_exhausted(conn, now)
        due = sa.select(job.c.id).where(_due(now)).order_by(job.c.run_after, job.c.id).limit(1)
        if engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
            found = conn.execute(due).scalar()
            if found is None:
                return None
            target: Any = found
        else:
            target = due.scalar_subquery()
        row = conn.execute(
            sa.update(job)
            .where(job.c.id == target)
            .values(
                status="running",
                lease_owner=owner,
                lease_expires_at=now + lease,
                attempts=job.c.attempts + 1,
                started_at=sa.func.coalesce(job.c.started_at, now),
            )
            .returning(*job.c)
        ).first()
    return _job(row) if row is not None else None


def _due(now: datetime) -> sa.ColumnElement[bool]:
    other = job.alias("other")
    # A keyed job waits while another job of its key still runs (a superseded re-match
    # finishes its batch first), so two never write the same thing at once.
    busy_key = sa.exists().where(
        other.c.workspace_id == job.c.workspace_id,
        other.c.dedupe_key == job.c.dedupe_key,
        other.c.status == "running",
        other.c.lease_expires_at >= now,
    )
    queued = sa.and_(job.c.status == "queued", job.c.run_after <= now, ~busy_key)
    orphaned = sa.and_(
        job.c.status == "running",
        job.c.lease_expires_at < now,
        job.c.attempts < job.c.max_attempts,
    )
    return sa.or_(queued, orphaned)


def _fail_exhausted(conn: Connection, now: datetime) -> None:
    # A job whose worker died on its last attempt is not tried again.
    conn.execute(
        sa.update(job)
        .where(
            job.c.status == "running",
            job.c.lease_expires_at < now,
            job.c.attempts >= job.c.max_attempts,
        )
        .values(
            status="failed",
            finished_at=now,
            lease_owner=None,
            lease_expires_at=None,
            error=sa.func.coalesce(job.c.error, "its worker stopped answering on every attempt"),
        )
    )


def _owned(job_id: int, owner: str) -> sa.ColumnElement[bool]:
    return sa.and_(job.c.id == job_id, job.c.status == "running", job.c.lease_owner == owner)


def renew(conn: Connection, job_id: int, owner: str, until: datetime) -> bool | None:
    """Extend a lease; returns whether the job is asked to stop, or None when the lease is
    lost (another worker took the job)."""
    row = conn.execute(
        sa.update(job)
        .where(_owned(job_id, owner))
        .values(lease_expires_at=until)
        .returning(job.c.is_cancel_requested)
    ).first()
    return None if row is None else bool(row[0])


def report(
    conn: Connection,
    job_id: int,
    owner: str,
    *,
    done: int | None = None,
    total: int | None = None,
    message: str | None = None,
    result: Mapping[str, Any] | None = None,
) -> bool | None:
    """Record progress (and a partial result) of an owned job; returns whether it is asked to
    stop, or None when the lease is lost."""
    values: dict[str, Any] = {"progress_done": done, "progress_total": total}
    if message is not None:
        values["progress_message"] = message
    if result is not None:
        values["result"] = dict(result)
    row = conn.execute(
        sa.update(job)
        .where(_owned(job_id, owner))
        .values(**values)
        .returning(job.c.is_cancel_requested)
    ).first()
    return None if row is None else bool(row[0])


def finish(
    conn: Connection,
    job_id: int,
    owner: str,
    status: str,
    now: datetime,
    *,
    result: Mapping[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """End an owned job as done, failed or cancelled; False when the lease was lost."""
    if status not in ("done", "failed", "cancelled"):
        raise ValueError(f"a job cannot finish as {status!r}")
    values: dict[str, Any] = {
        "status": status,
        "finished_at": now,
        "lease_owner": None,
        "lease_expires_at": None,
        "error": error,
    }
    if result is not None:
        values["result"] = dict(result)
    return conn.execute(sa.update(job).where(_owned(job_id, owner)).values(**values)).rowcount == 1


def retry(conn: Connection, job_id: int, owner: str, error: str, run_after: datetime) -> bool:
    """Put an owned job that failed back in the queue until `run_after` (backoff)."""
    values = {
        "status": "queued",
        "run_after": run_after,
        "error": error,
        "lease_owner": None,
        "lease_expires_at": None,
    }
    return conn.execute(sa.update(job).where(_owned(job_id, owner)).values(**values)).rowcount == 1


def hand_back(conn: Connection, job_id: int, owner: str, now: datetime) -> bool:
    """Return an owned job to the queue without counting the attempt (the worker stops)."""
    values = {
        "status": "queued",
        "run_after": now,
        "attempts": sa.func.max(job.c.attempts - 1, 0)
        if conn.dialect.name == "sqlite"
        else sa.func.greatest(job.c.attempts - 1, 0),
        "lease_owner": None,
        "lease_expires_at": None,
    }
    return conn.execute(sa.update(job).where(_owned(job_id, owner)).values(**values)).rowcount == 1


# Reading and cancelling


def get_job(conn: Connection, job_id: int, ws_id: int | None = None) -> Job:
    """One job (of a workspace, when given)."""
    stmt = sa.select(job).where(job.c.id == job_id)
    if ws_id is not None:
        stmt = stmt.where(job.c.workspace_id == ws_id)
    row = conn.execute(stmt).first()
    if row is None:
        raise NotFoundError(f"no job with id {job_id}; see `otklik jobs`")
    return _job(row)


def list_jobs(
    conn: Connection,
    ws_id: int | None = None,
    statuses: Sequence[str] = (),
    kinds: Sequence[str] = (),
    limit: int = 100,
) -> list[Job]:
    """Jobs newest first, optionally of some statuses and kinds."""
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown:
        raise InputError(f"unknown job status {unknown[0]!r}: use one of {', '.join(STATUSES)}")
    stmt = sa.select(job).order_by(job.c.id.desc()).limit(limit)
    if ws_id is not None:
        stmt = stmt.where(job.c.workspace_id == ws_id)
    if statuses:
        stmt = stmt.where(job.c.status.in_(list(statuses)))
    if kinds:
        stmt = stmt.where(job.c.kind.in_(list(kinds)))
    return [_job(r) for r in conn.execute(stmt)]


def latest_by_key(conn: Connection, ws_id: int, prefix: str) -> dict[str, Job]:
    """The newest job of each dedupe key that starts with `prefix`."""
    newest = (
        sa.select(sa.func.max(job.c.id))
        .where(job.c.workspace_id == ws_id, job.c.dedupe_key.startswith(prefix, autoescape=True))
        .group_by(job.c.dedupe_key)
    )
    rows = conn.execute(sa.select(job).where(job.c.id.in_(newest)))
    return {str(r.dedupe_key): _job(r) for r in rows}


def cancel(conn: Connection, job_id: int, now: datetime, ws_id: int | None = None) -> Job:
    """Cancel a job: a queued one at once, a running one between its batches."""
    found = get_job(conn, job_id, ws_id)
    if found.status == "queued":
        conn.execute(
            sa.update(job)
            .where(job.c.id == job_id, job.c.status == "queued")
            .values(status="cancelled", finished_at=now)
        )
    elif found.status == "running":
        conn.execute(sa.update(job).where(job.c.id == job_id).values(is_cancel_requested=True))
    return get_job(conn, job_id)


def cancel_keyed(conn: Connection, ws_id: int, dedupe_key: str, now: datetime) -> None:
    """Cancel every unfinished job of a dedupe key (what it works on is going away)."""
    conn.execute(
        sa.update(job)
        .where(_keyed(ws_id, dedupe_key), job.c.status == "queued")
        .values(status="cancelled", finished_at=now)
    )
    conn.execute(
        sa.update(job)
        .where(_keyed(ws_id, dedupe_key), job.c.status == "running")
        .values(is_cancel_requested=True)
    )


# Schedules


def add_schedule(
    conn: Connection,
    ws_id: int,
    name: str,
    kind: str,
    arguments: Mapping[str, Any],
    *,
    every_minutes: int | None,
    at_time: str | None,
    weekday: int | None,
    timezone: str,
    next_run_at: datetime,
    now: datetime,
    monthday: int | None = None,
) -> Schedule:
    """Store a schedule (its rule already checked by the caller)."""
    row = conn.execute(
        sa.insert(schedule).returning(*schedule.c),
        {
            "workspace_id": ws_id,
            "name": name,
            "kind": kind,
            "arguments": dict(arguments),
            "every_minutes": every_minutes,
            "at_time": at_time,
            "weekday": weekday,
            "monthday": monthday,
            "timezone": timezone,
            "next_run_at": next_run_at,
            "is_enabled": True,
            "created_at": now,
        },
    ).one()
    return _schedule(row)


def list_schedules(conn: Connection, ws_id: int | None = None) -> list[Schedule]:
    """Schedules by name."""
    stmt = sa.select(schedule).order_by(schedule.c.name)
    if ws_id is not None:
        stmt = stmt.where(schedule.c.workspace_id == ws_id)
    return [_schedule(r) for r in conn.execute(stmt)]


def enqueue_due(
    engine: Engine, now: datetime, next_after: Callable[[Schedule, datetime], datetime]
) -> list[Job]:
    """Enqueue one job for every enabled schedule that is due, moving its next_run_at on in the
    same transaction; a schedule another worker moved first is skipped, so each is run once."""
    made: list[Job] = []
    with write_transaction(engine) as conn:
        due = conn.execute(
            sa.select(schedule)
            .where(schedule.c.is_enabled, schedule.c.next_run_at <= now)
            .order_by(schedule.c.next_run_at, schedule.c.id)
        )
        for found in [_schedule(r) for r in due]:
            moved = conn.execute(
                sa.update(schedule)
                .where(schedule.c.id == found.id, schedule.c.next_run_at == found.next_run_at)
                .values(next_run_at=next_after(found, now))
            )
            if moved.rowcount != 1:
                continue
            queued = enqueue(
                conn, found.workspace_id, found.kind, found.arguments, now, schedule_id=found.id
            )
            conn.execute(
                sa.update(schedule).where(schedule.c.id == found.id).values(last_job_id=queued.id)
            )
            _prune_done(conn, found.workspace_id, found.kind)
            made.append(queued)
    return made


KEEP_DONE_ROUTINE = 20
"""Finished jobs kept per workspace and kind of scheduled (routine) work: an every-minute
alert check would otherwise add 1,440 rows a day to the job table and the Jobs page."""


def _prune_done(conn: Connection, ws_id: int, kind: str) -> None:
    newest = (
        sa.select(job.c.id)
        .where(job.c.workspace_id == ws_id, job.c.kind == kind, job.c.status == "done")
        .order_by(job.c.id.desc())
        .limit(KEEP_DONE_ROUTINE)
    )
    conn.execute(
        sa.delete(job).where(
            job.c.workspace_id == ws_id,
            job.c.kind == kind,
            job.c.status == "done",
            job.c.id.not_in(sa.select(newest.subquery().c.id)),
        )
    )


def remove_schedule(conn: Connection, ws_id: int, name: str) -> bool:
    """Delete a schedule by name; False when there was none."""
    gone = conn.execute(
        sa.delete(schedule).where(schedule.c.workspace_id == ws_id, schedule.c.name == name)
    )
    return bool(gone.rowcount)


SCHEDULE_FIELDS = ("name", "arguments", "at_time", "weekday", "monthday", "timezone", "next_run_at")


def get_schedule(conn: Connection, ws_id: int, schedule_id: int) -> Schedule:
    """One schedule of a workspace (NotFoundError when it has none with that id)."""
    row = conn.execute(
        sa.select(schedule).where(schedule.c.workspace_id == ws_id, schedule.c.id == schedule_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no schedule with id {schedule_id} in this workspace")
    return _schedule(row)


def update_schedule(
    conn: Connection, ws_id: int, schedule_id: int, values: Mapping[str, Any]
) -> Schedule:
    """Change a schedule's name, arguments, rule, next run or `is_enabled`."""
    unknown = set(values) - {*SCHEDULE_FIELDS, "is_enabled"}
    if unknown:
        raise ValueError(f"a schedule has no field {sorted(unknown)[0]!r}")
    changes = {k: dict(v) if k == "arguments" else v for k, v in values.items()}
    conn.execute(
        sa.update(schedule)
        .where(schedule.c.workspace_id == ws_id, schedule.c.id == schedule_id)
        .values(**changes)
    )
    return get_schedule(conn, ws_id, schedule_id)


def delete_schedule(conn: Connection, ws_id: int, schedule_id: int) -> bool:
    """Delete a schedule by id; False when there was none."""
    gone = conn.execute(
        sa.delete(schedule).where(schedule.c.workspace_id == ws_id, schedule.c.id == schedule_id)
    )
    return bool(gone.rowcount)


def cancel_scheduled(conn: Connection, ws_id: int, schedule_id: int, now: datetime) -> int:
    """Cancel the queued jobs a schedule made (it was paused or removed); how many."""
    gone = conn.execute(
        sa.update(job)
        .where(
            job.c.workspace_id == ws_id,
            job.c.schedule_id == schedule_id,
            job.c.status == "queued",
        )
        .values(status="cancelled", finished_at=now)
    )
    return int(gone.rowcount)


def scheduled_jobs(conn: Connection, ws_id: int, kind: str) -> dict[int, list[Job]]:
    """The stored jobs of `kind` that schedules made, newest first, by schedule id."""
    rows = conn.execute(
        sa.select(job)
        .where(job.c.workspace_id == ws_id, job.c.kind == kind, job.c.schedule_id.is_not(None))
        .order_by(job.c.id.desc())
    )
    found: dict[int, list[Job]] = {}
    for row in rows:
        made = _job(row)
        assert made.schedule_id is not None
        found.setdefault(made.schedule_id, []).append(made)
    return found
