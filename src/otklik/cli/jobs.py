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
from otklik.services import jobs as services_jobs


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

    def stop(signum: int, _frame: object) -> None:
        output.message(f"stopping ({signal.Signals(signum).name}): handing back running jobs")
        running.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    output.message(f"worker {running.name} started ({running.concurrency} at once)", err=True)
    ran = running.run(once=once)
    output.message(f"worker {running.name} stopped after {ran} jobs", err=True)


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
    if found.status == "running":
        output.message(f"job {job_id} is asked to stop after its current batch")
    else:
        output.message(f"job {job_id} is {found.status}")


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
        output.message(f"error: {exc}", err=True)
        sys.exit(1)
    output.message(f"queued import of {path} as job {job.id}; `otklik worker` runs it", err=True)
    output.message(str(job.id))
