"""Job kinds and their handlers: the one table the worker runs jobs by.

A handler takes a `JobContext` and returns the job's result (JSON values). It reports progress
through the context between batches; that call raises when the job is cancelled, superseded,
or its worker is stopping, which ends the handler where a batch left the store consistent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from otklik.domain.records import Workspace
from otklik.errors import InputError
from otklik.services import (
    alerts,
    imports,
    mentions,
    queries,
    reanalyse,
    rematch,
    sources,
    upgrade,
)
from otklik.services.context import Services
from otklik.settings import Settings
from otklik.storage import Store, jobqueue, utcnow
from otklik.storage.jobqueue import Job

if TYPE_CHECKING:
    from otklik.jobs.worker import Worker


class JobCancelled(Exception):
    """The job was cancelled (or superseded by a newer one of its key) while it ran."""


class JobHandedBack(BaseException):
    """The worker is stopping: the job goes back to the queue. A BaseException, so the code
    under the handler does not record it as its own failure (an import run stays resumable)."""


class LeaseLost(BaseException):
    """Another worker took the job over (this one was too slow to renew its lease)."""


class JobContext:
    """What a handler gets: the store, settings, workspace, its job, and progress reporting."""

    def __init__(
        self, store: Store, settings: Settings, ws: Workspace, job: Job, worker: Worker
    ) -> None:
        self.store, self.settings, self.ws, self.job = store, settings, ws, job
        self.svc: Services = worker.svc
        self.worker = worker
        self.remembered: dict[str, Any] = dict(job.result or {})
        self.is_cancel_requested = job.is_cancel_requested
        self.is_lease_lost = False
        self._lock = threading.Lock()

    @property
    def arguments(self) -> dict[str, Any]:
        """The job's arguments."""
        return self.job.arguments

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record how far the job got; raises when it must stop (between two batches)."""
        with self._lock, self.store.begin() as conn:
            asked = jobqueue.report(
                conn, self.job.id, self.worker.name, done=done, total=total, message=message
            )
        self._note(asked)
        self.check()

    def remember(self, **values: Any) -> None:
        """Store part of the result now (an import's run id), so a later attempt finds it."""
        self.remembered.update(values)
        with self._lock, self.store.begin() as conn:
            asked = jobqueue.report(
                conn,
                self.job.id,
                self.worker.name,
                done=self.job.progress_done,
                total=self.job.progress_total,
                result=self.remembered,
            )
        self._note(asked)

    def renew(self, lease: timedelta) -> None:
        """Extend the lease (the worker's heartbeat)."""
        with self._lock, self.store.begin() as conn:
            asked = jobqueue.renew(conn, self.job.id, self.worker.name, utcnow() + lease)
        self._note(asked)

    def check(self) -> None:
        """Raise when the job must stop: lease lost, cancelled, or the worker stopping."""
        if self.is_lease_lost:
            raise LeaseLost()
        if self.is_cancel_requested:
            raise JobCancelled("cancelled")
        if self.worker.is_stopping:
            raise JobHandedBack()

    def _note(self, asked: bool | None) -> None:
        if asked is None:
            self.is_lease_lost = True
        elif asked:
            self.is_cancel_requested = True


Handler = Callable[[JobContext], Mapping[str, Any] | None]


# import


def run_import(ctx: JobContext) -> dict[str, Any]:
    """Import a file; a later attempt finishes the run an earlier one left unfinished (its
    settled rows skipped), so the stored result equals one clean import."""
    args = ctx.arguments
    path = Path(args["path"])
    if not path.is_file():
        raise InputError(f"{path} is not a file this worker can read")
    options = imports.options(
        ctx.svc,
        source=args.get("source"),
        format=args.get("format"),
        rating_scale=(float(args["rating_scale"][0]), float(args["rating_scale"][1])),
        channel=args.get("channel") or "other",
        sheets=[str(name) for name in args.get("sheets") or ()],
    )
    options.mapping = dict(args.get("mapping") or {})
    earlier = ctx.remembered.get("run_id")
    if earlier is None:
        found = imports.interrupted_import(ctx.svc, ctx.ws, path, options.source)
        earlier = found.id if found is not None else None
    size = path.stat().st_size
    recorded = False

    def progress(read_bytes: int, rows: int) -> None:
        nonlocal recorded
        if not recorded:  # the run has begun: note its id for an attempt after this one
            found = _running_run(ctx, path)
            if found is not None:
                ctx.remember(run_id=found)
                recorded = True
        ctx.progress(read_bytes, size, f"{rows} rows read")

    resume = int(earlier) if earlier is not None else None
    result = imports.import_file(ctx.svc, ctx.ws, path, options, progress, resume_run_id=resume)
    if args.get("remove_after"):  # a web upload's copy, kept only until it was imported
        path.unlink(missing_ok=True)
    return {
        "run_id": result.run_id,
        "rows_read": result.rows_read,
        "imported": result.imported,
        "updated": result.updated,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "rejected_rows": f"/api/v1/imports/{result.run_id}/rejected.csv",
        **imports.sheets_read(result),
    }


def _running_run(ctx: JobContext, path: Path) -> int | None:
    # The newest run of this file still marked running since the job first started.
    since = ctx.job.started_at
    for run in imports.recent_runs(ctx.svc, ctx.ws, limit=20):
        if run.path == str(path) and run.status == "running":
            if since is None or run.started_at >= since - timedelta(seconds=1):
                return run.id
    return None


# re-match and re-analysis


def run_rematch_brand(ctx: JobContext) -> dict[str, Any]:
    """Match one brand against every stored mention again."""
    brand_id = int(ctx.arguments["brand_id"])
    found = rematch.rematch_brands(ctx.svc, ctx.ws, [brand_id], ctx.progress)
    return {"matched": found[brand_id]}


def run_rematch_tag(ctx: JobContext) -> dict[str, Any]:
    """Apply one tag's rule to every stored mention again."""
    tag_id = int(ctx.arguments["tag_id"])
    found = rematch.rematch_tags(ctx.svc, ctx.ws, [tag_id], ctx.progress)
    return {"matched": found[tag_id]}


def run_reanalyse(ctx: JobContext) -> dict[str, Any]:
    """Detect language and sentiment again for the mentions the filters select."""
    filters = queries.filters(ctx.ws, dict(ctx.arguments.get("filters") or {}))
    ctx.progress(0, None)
    return {"reanalysed": reanalyse.reanalyse(ctx.svc, ctx.ws, filters, ctx.progress)}


def run_upgrade_sentiment(ctx: JobContext) -> dict[str, Any]:
    """Relabel compact-labelled mentions with the encoder tier, newest first, a slice at a time
    (upgrade.SLICE): what is left goes on in a new job queued behind the waiting ones. A later
    attempt goes on with what is left and counts on from the progress already made."""
    reason = upgrade.why_not(ctx.svc, ctx.ws)
    if reason is not None:
        return {"upgraded": 0, "skipped": reason}
    before = int(ctx.job.progress_done or ctx.arguments.get("done_before") or 0)
    ctx.progress(before, before + upgrade.remaining(ctx.svc, ctx.ws))
    done = upgrade.upgrade(ctx.svc, ctx.ws, ctx.progress, done_before=before, limit=upgrade.SLICE)
    result: dict[str, Any] = {"upgraded": before + done}
    if done and upgrade.remaining(ctx.svc, ctx.ws):
        result["continued_in_job"] = upgrade.queue(ctx.svc, ctx.ws, done_before=before + done)
    return result


def run_export(ctx: JobContext) -> dict[str, Any]:
    """Write the mentions a filter selects to a CSV or XLSX file (no row cap)."""
    filters = queries.filters(ctx.ws, dict(ctx.arguments.get("filters") or {}))
    path = Path(ctx.arguments["path"])
    headers = ctx.arguments.get("headers")
    written = mentions.export_file(
        ctx.svc, ctx.ws, filters, path, ctx.arguments.get("format"), ctx.progress, headers
    )
    return {"path": str(path), "rows": written}


# sources


def run_poll_source(ctx: JobContext) -> dict[str, Any]:
    """Poll a feed, mailbox or channel once; its health records the outcome (a source that
    cannot be read fails the job with the reason, and its schedule tries again later)."""
    found = sources.source_by_id(ctx.svc, ctx.ws, int(ctx.arguments["source_id"]))
    if found.is_paused:
        return {"status": "paused"}
    result = sources.run_source(ctx.svc, ctx.ws, found, lambda line: ctx.progress(0, None, line))
    return result.as_dict()


def run_send_invitations(ctx: JobContext) -> dict[str, Any]:
    """Send the survey invitations and reminders that are due."""
    from otklik.services import invitations

    ctx.progress(0, None)
    return invitations.send_due(ctx.svc, ws=ctx.ws, progress=ctx.progress)


def run_report(ctx: JobContext) -> dict[str, Any]:
    """E-mail a scheduled report (campaign, SMM or brand) with its stable link."""
    from datetime import UTC, datetime

    from otklik.services import report_mail

    return report_mail.send(ctx.svc, ctx.ws, dict(ctx.arguments), datetime.now(UTC))


def run_sheet_import(ctx: JobContext) -> dict[str, Any]:
    """Import posts or traffic from an uploaded or named file (again adds nothing twice)."""
    from otklik.services import posts

    path = Path(ctx.arguments["path"])

    def progress(rows: int, share: float) -> None:
        ctx.progress(rows, None, f"{share:.0%}")

    result = posts.import_sheet(ctx.svc, ctx.ws, path, ctx.arguments["kind"], progress)
    if ctx.arguments.get("remove_after"):
        path.unlink(missing_ok=True)
    return {k: v for k, v in result.as_dict().items() if k != "rejections"} | {
        "rejected_rows": f"/api/v1/imports/{result.run_id}/rejected.csv"
    }


# alerts


def run_alerts_check(ctx: JobContext) -> dict[str, Any]:
    """Check the workspace's alert rules once (instant, spike, summaries, retries)."""
    return alerts.check(ctx.svc, ctx.ws).to_dict()


def run_alert_digest(ctx: JobContext) -> dict[str, Any]:
    """Send one digest rule's report."""
    return alerts.digest(ctx.svc, ctx.ws, int(ctx.arguments["rule_id"])).to_dict()


HANDLERS: dict[str, Handler] = {
    "import": run_import,
    "rematch_brand": run_rematch_brand,
    "rematch_tag": run_rematch_tag,
    "reanalyse": run_reanalyse,
    "export": run_export,
    "poll_source": run_poll_source,
    "send_invitations": run_send_invitations,
    "report": run_report,
    "sheet_import": run_sheet_import,
    "alerts_check": run_alerts_check,
    "alert_digest": run_alert_digest,
    upgrade.KIND: run_upgrade_sentiment,
}
"""Job kind → handler; after moving a use case into a service, point its entry there."""


def check_kind(kind: str) -> None:
    """Refuse a kind no handler runs."""
    if kind not in HANDLERS:
        raise InputError(f"unknown job kind {kind!r}: use one of {', '.join(sorted(HANDLERS))}")
