"""`otklik worker`: claim due jobs, run them by kind with a renewed lease, retry with backoff.

Any number of workers, in any number of processes and machines, share one database. A job
whose worker dies is claimed again once its lease runs out; a worker asked to stop hands its
running job back to the queue between batches, without counting the attempt.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from otklik.domain.records import Workspace
from otklik.errors import ConfigError, InputError, NotFoundError, QueryError
from otklik.jobs import schedules
from otklik.jobs.kinds import HANDLERS, Handler, JobCancelled, JobContext, JobHandedBack, LeaseLost
from otklik.services.context import Services
from otklik.settings import Settings
from otklik.storage import Store, jobqueue, utcnow
from otklik.storage.jobqueue import Job

log = logging.getLogger(__name__)

# Errors that another attempt cannot fix: the job fails at once, with the message.
PERMANENT = (InputError, NotFoundError, QueryError, ConfigError)
BACKOFF_CAP_S = 3600.0


class Worker:
    """Claims and runs jobs in `concurrency` threads until stopped (or, once, until none is
    due)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        handlers: Mapping[str, Handler] | None = None,
        concurrency: int | None = None,
        backoff_s: float = 10.0,
    ) -> None:
        self.store, self.settings = store, settings
        # The use cases the handlers call, with pipelines kept loaded between jobs.
        self.svc = Services(settings, store, keep_pipelines=True)
        self.handlers = dict(HANDLERS if handlers is None else handlers)
        self.concurrency = concurrency or settings.worker_concurrency
        self.lease = timedelta(seconds=settings.job_lease_s)
        self.backoff_s = backoff_s
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self.ran = 0
        self._count = threading.Lock()

    # Running

    def run(self, *, once: bool = False) -> int:
        """Work in this thread and `concurrency - 1` more until stopped; with `once`, until
        nothing is due. Returns how many jobs were run."""
        helpers = [
            threading.Thread(target=self._loop, args=(once,), name=f"otklik-worker-{n}")
            for n in range(1, self.concurrency)
        ]
        for thread in helpers:
            thread.start()
        self._loop(once)
        for thread in helpers:
            thread.join()
        return self.ran

    def start(self) -> None:
        """Work in background threads (the web server's embedded worker)."""
        self._threads = [
            threading.Thread(
                target=self._loop, args=(False,), name=f"otklik-worker-{n}", daemon=True
            )
            for n in range(self.concurrency)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask every thread to stop: a running job is handed back at its next batch."""
        self._stopping.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def wake(self) -> None:
        """Look for work now instead of after the poll interval (a job was just queued)."""
        self._wake.set()

    @property
    def is_stopping(self) -> bool:
        """True once `stop` was asked for."""
        return self._stopping.is_set()

    def _loop(self, once: bool) -> None:
        while not self._stopping.is_set():
            try:
                ran = self.run_one()
            except Exception:  # the database went away for a moment; try again after a pause
                log.exception("worker %s could not claim a job", self.name)
                ran = False
            if ran:
                continue
            if once:
                return
            self._wake.wait(self.settings.worker_poll_s)
            self._wake.clear()

    def run_one(self) -> bool:
        """Enqueue due schedules, then claim and run one due job; False when none was due."""
        jobqueue.enqueue_due(self.store.engine, utcnow(), schedules.next_after)
        claimed = jobqueue.claim(self.store.engine, self.name, utcnow(), self.lease)
        if claimed is None:
            return False
        self._run(claimed)
        with self._count:
            self.ran += 1
        return True

    # One job

    def _run(self, job: Job) -> None:
        context = JobContext(self.store, self.settings, _workspace(self.store, job), job, self)
        beat = _Heartbeat(context, self.lease)
        beat.start()
        try:
            outcome = self._handle(context)
        finally:
            beat.stop()
        log.info("job %s (%s) %s", job.id, job.kind, outcome)

    def _handle(self, context: JobContext) -> str:
        job = context.job
        handler = self.handlers.get(job.kind)
        try:
            if handler is None:
                raise ConfigError(f"no handler for job kind {job.kind!r} in this version")
            result = handler(context)
        except JobHandedBack:
            return self._end(context, "handed back")
        except LeaseLost:
            return "lost its lease to another worker; left to it"
        except JobCancelled:
            return self._end(context, "cancelled", error="cancelled")
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.kind)
            return self._failed(context, exc)
        return self._end(context, "done", result={**context.remembered, **(result or {})})

    def _failed(self, context: JobContext, exc: Exception) -> str:
        job = context.job
        error = str(exc) if isinstance(exc, PERMANENT) else f"{type(exc).__name__}: {exc}"
        if context.is_cancel_requested:
            return self._end(context, "cancelled", error="cancelled")
        if isinstance(exc, PERMANENT) or job.attempts >= job.max_attempts:
            return self._end(context, "failed", error=error)
        delay = min(self.backoff_s * 2 ** (job.attempts - 1), BACKOFF_CAP_S)
        with self.store.begin() as conn:
            jobqueue.retry(conn, job.id, self.name, error, utcnow() + timedelta(seconds=delay))
        return f"failed (attempt {job.attempts} of {job.max_attempts}); retried in {delay:g} s"

    def _end(
        self,
        context: JobContext,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> str:
        job = context.job
        with self.store.begin() as conn:
            if status == "handed back":
                jobqueue.hand_back(conn, job.id, self.name, utcnow())
            else:
                jobqueue.finish(
                    conn,
                    job.id,
                    self.name,
                    status,
                    utcnow(),
                    result=result or context.remembered or None,
                    error=error,
                )
        return status


class _Heartbeat:
    """Renews a running job's lease a few times per lease period and notes a cancel request."""

    def __init__(self, context: JobContext, lease: timedelta) -> None:
        self.context, self.lease = context, lease
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"otklik-lease-{context.job.id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        every = max(self.lease.total_seconds() / 3, 0.05)
        while not self._done.wait(every):
            try:
                self.context.renew(self.lease)
            except Exception:  # a lost connection: the next beat tries again
                log.exception("renewing the lease of job %s failed", self.context.job.id)


def _workspace(store: Store, job: Job) -> Workspace:
    for ws in store.workspaces():
        if ws.id == job.workspace_id:
            return ws
    raise NotFoundError(f"job {job.id}'s workspace {job.workspace_id} is gone")
