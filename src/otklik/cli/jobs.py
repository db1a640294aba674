"""`otklik worker`, `otklik jobs` and `otklik import --background`."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import click

from otklik import output
from otklik.cli.context import AppContext, pass_app
from otklik.errors import InputError
from otklik.i18n import N_
from otklik.services import jobs as services_jobs

_STATUSES = {
    "queued": N_("queued"),
    "running": N_("running"),
    "done": N_("done"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
}


def register(cli: click.Group) -> None:
    """Add the job commands to the root group."""
    cli.add_command(worker)
    cli.add_command(jobs)


@click.command()
@click.option("--once", is_flag=True, help="Run every due job and schedule, then exit 0.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    help="Jobs run at once (default 1, OTKLIK_WORKER_CONCURRENCY).",
)
@pass_app
def worker(app: AppContext, once: bool, concurrency: int | None) -> None:
    """Run background jobs: imports, re-matching, re-analysis and due schedules.

    Any number of workers may share one database. SIGTERM or Ctrl+C stops the worker
    gracefully: a running job is handed back to the queue at its next batch. A job whose
    worker died is taken by another worker after OTKLIK_JOB_LEASE_S seconds.

    \b
    Example:
      otklik worker
      otklik worker --concurrency 4
      otklik worker --once          # run what is due now, then exit
    """
    from otklik.jobs.worker import Worker

    running = Worker(app.services().store, app.settings, concurrency=concurrency)
    tr = app.tr

    def stop(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        output.message(tr.gettext("stopping (%(signal)s): handing back running jobs", signal=name))
        running.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    started = tr.gettext(
        "worker %(name)s started (%(concurrency)d at once)",
        name=running.name,
        concurrency=running.concurrency,
    )
    output.message(started, err=True)
    ran = running.run(once=once)
    stopped = tr.ngettext(
        "worker %(name)s stopped after %(num)d job",
        "worker %(name)s stopped after %(num)d jobs",
        ran,
        name=running.name,
    )
    output.message(stopped, err=True)


@click.group(invoke_without_command=True)
@click.option("--status", "statuses", multiple=True, type=click.Choice(services_jobs.STATUSES))
@click.option("--kind", "kinds", multiple=True, help="Job kind: import, rematch_brand, …")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
def jobs(
    ctx: click.Context, statuses: tuple[str, ...], kinds: tuple[str, ...], limit: int, fmt: str
) -> None:
    """List background jobs, newest first, with progress, result and error.

    \b
    Example:
      otklik jobs
      otklik jobs --status failed --format json
      otklik jobs cancel 12
    """
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.find_object(AppContext)  # type: ignore[assignment]
    ws = app.workspace()
    found = services_jobs.jobs(app.services(), ws, statuses, kinds, limit)
    rows = [services_jobs.job_dict(j) for j in found]
    if fmt == "json":
        output.emit(rows, "json")
        return
    table = [{**r, "progress": _progress_text(r["progress"])} for r in rows]
    output.emit(
        table,
        "table",
        ["id", "kind", "status", "progress", "attempts", "error", "created_at"],
        widths={"error": 50},
    )


@jobs.command("cancel")
@click.argument("job_id", type=int)
@pass_app
def jobs_cancel(app: AppContext, job_id: int) -> None:
    """Cancel a job: a queued one at once, a running one after its current batch.

    \b
    Example:
      otklik jobs cancel 12
    """
    ws = app.workspace()
    found = services_jobs.cancel(app.services(), ws, job_id)
    tr = app.tr
    if found.status == "running":
        output.message(tr.gettext("job %(id)s is asked to stop after its current batch", id=job_id))
    else:
        status = tr.gettext(_STATUSES.get(found.status, found.status))
        output.message(tr.gettext("job %(id)s is %(status)s", id=job_id, status=status))


def _progress_text(progress: dict[str, Any]) -> str:
    done, total = progress["done"], progress["total"]
    if done is None:
        return ""
    return f"{done}/{total}" if total else str(done)


def enqueue_import(app: AppContext, path: Path, arguments: dict[str, Any]) -> None:
    """Queue an import job for `otklik import --background`; the last line is its id."""
    try:
        job = services_jobs.enqueue_import(app.services(), app.workspace(), path, arguments)
    except InputError as exc:
        output.message(app.tr.gettext("error: %(problem)s", problem=exc), err=True)
        sys.exit(1)
    queued = app.tr.gettext(
        "queued import of %(path)s as job %(job)s; `otklik worker` runs it", path=path, job=job.id
    )
    output.message(queued, err=True)
    output.message(str(job.id))
