"""Background jobs as the CLI, web pages and API see them: queue, list, show, cancel, and the
re-match jobs a brand or tag change queues. The worker (`otklik.jobs`) runs them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from otklik.domain.records import Workspace
from otklik.errors import InputError
from otklik.services.context import Services
from otklik.storage import jobqueue, utcnow
from otklik.storage.jobqueue import Job

__all__ = ["STATUSES", "Job", "job_dict"]

from otklik.storage.jobqueue import STATUSES


def enqueue(
    svc: Services,
    ws: Workspace,
    kind: str,
    arguments: Mapping[str, Any],
    *,
    dedupe_key: str | None = None,
) -> Job:
    """Queue a job of `kind`; with `dedupe_key`, one still queued under the key is reused."""
    with svc.store.begin() as conn:
        return jobqueue.enqueue(conn, ws.id, kind, arguments, utcnow(), dedupe_key=dedupe_key)


def jobs(
    svc: Services,
    ws: Workspace,
    statuses: Sequence[str] = (),
    kinds: Sequence[str] = (),
    limit: int = 100,
) -> list[Job]:
    """The workspace's jobs, newest first, optionally of some statuses and kinds."""
    with svc.store.connect() as conn:
        return jobqueue.list_jobs(conn, ws.id, statuses, kinds, limit)


def job(svc: Services, ws: Workspace, job_id: int) -> Job:
    """One job of the workspace (NotFoundError otherwise)."""
    with svc.store.connect() as conn:
        return jobqueue.get_job(conn, job_id, ws.id)


def cancel(svc: Services, ws: Workspace, job_id: int) -> Job:
    """Cancel a job: a queued one at once, a running one after its current batch."""
    with svc.store.begin() as conn:
        return jobqueue.cancel(conn, job_id, utcnow(), ws.id)


def import_arguments(
    path: Path,
    *,
    source: str | None = None,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    rating_scale: tuple[float, float] = (1, 5),
    channel: str = "other",
    sheets: Sequence[str] = (),
) -> dict[str, Any]:
    """The arguments of an import job (the path made absolute: a worker may run elsewhere;
    `sheets` the XLSX sheets to read, none for all with the first sheet's columns)."""
    return {
        "path": str(path.resolve()),
        "source": source or path.name,
        "format": fmt,
        "mapping": dict(mapping or {}),
        "rating_scale": list(rating_scale),
        "channel": channel,
        "sheets": list(sheets),
    }


def enqueue_import(svc: Services, ws: Workspace, path: Path, arguments: Mapping[str, Any]) -> Job:
    """Queue an import of a file the worker will read (InputError when it is no file)."""
    if not path.is_file():
        raise InputError(f"cannot import {path}: no such file")
    return enqueue(svc, ws, "import", arguments)


# Re-matching after a brand's query or a tag's rule changed


def rematch_key(kind: str, target_id: int) -> str:
    """The dedupe key of a brand's or tag's re-match (`kind` brand or tag)."""
    return f"rematch_{kind}:{target_id}"


def queue_rematch(svc: Services, ws: Workspace, kind: str, target_id: int) -> Job:
    """Queue matching stored mentions again for a brand or tag (`kind`); a re-match of it
    still waiting is the same job, and one running is superseded."""
    return enqueue(
        svc,
        ws,
        f"rematch_{kind}",
        {f"{kind}_id": target_id},
        dedupe_key=rematch_key(kind, target_id),
    )


def cancel_rematch(svc: Services, ws: Workspace, kind: str, target_id: int) -> None:
    """Cancel every unfinished re-match of a brand or tag (it is going away)."""
    with svc.store.begin() as conn:
        jobqueue.cancel_keyed(conn, ws.id, rematch_key(kind, target_id), utcnow())


def rematch_records(svc: Services, ws: Workspace, kind: str) -> dict[int, dict[str, Any]]:
    """The latest re-match of each brand or tag (`kind`) that has one, by its id: `job_id`,
    `state` (queued, running, done, failed, cancelled), `done`, `total`, `matched`, `error`."""
    with svc.store.connect() as conn:
        latest = jobqueue.latest_by_key(conn, ws.id, rematch_key(kind, 0)[:-1])
    return {int(key.rsplit(":", 1)[1]): _rematch_record(found) for key, found in latest.items()}


def _rematch_record(found: Job) -> dict[str, Any]:
    return {
        "job_id": found.id,
        "state": found.status,
        "done": found.progress_done or 0,
        "total": found.progress_total,
        "matched": (found.result or {}).get("matched"),
        "error": found.error,
        "updated_at": _iso(found.finished_at or found.started_at or found.created_at),
    }


def job_dict(found: Job) -> dict[str, Any]:
    """A job as the CLI and the API show it."""
    return {
        "id": found.id,
        "kind": found.kind,
        "status": found.status,
        "arguments": found.arguments,
        "progress": {
            "done": found.progress_done,
            "total": found.progress_total,
            "message": found.progress_message,
        },
        "result": found.result,
        "error": found.error,
        "attempts": found.attempts,
        "max_attempts": found.max_attempts,
        "created_at": _iso(found.created_at),
        "started_at": _iso(found.started_at),
        "finished_at": _iso(found.finished_at),
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None
