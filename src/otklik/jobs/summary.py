"""A job as the CLI, the web pages and the API show it."""

from __future__ import annotations

from typing import Any

from otklik.storage.jobqueue import Job


def job_dict(job: Job) -> dict[str, Any]:
    """A job as the CLI and the API show it."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "arguments": job.arguments,
        "progress": {
            "done": job.progress_done,
            "total": job.progress_total,
            "message": job.progress_message,
        },
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
    }


def _iso(moment: Any) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None
