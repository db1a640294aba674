"""Stored history re-matched in a background thread after a brand query or tag rule changes.

One thread per workspace works through the changes in the order they came; a newer change for
the same brand or tag supersedes the one running (it stops after its current batch, which
`otklik.rematch` leaves consistent) or waiting. Each job's record — state, done, total, matched,
error — is kept in app_setting, so pages and the API can show progress, and a restarted server
can say which job it interrupted.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Literal

from otklik.domain.records import Workspace
from otklik.services import Services, rematch
from otklik.services.context import Store
from otklik.services.rematch import job_records as jobs
from otklik.services.rematch import utcnow
from otklik.settings import Settings

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
"""States of a job not finished yet; the others are done, failed and interrupted."""

RESTARTED = "the server stopped before re-matching finished; save the query again to finish it"


@dataclass(frozen=True)
class Target:
    """What a job re-matches: one brand or one tag, by id (so a rename changes nothing)."""

    kind: Literal["brand", "tag"]
    id: int


class _Stopped(Exception):
    """Raised from the progress callback: a newer change, a removal or shutdown stops the job."""


class RematchJobs:
    """The workspace's re-match queue, its one worker thread and the jobs' records."""

    def __init__(self, store: Store, ws: Workspace, settings: Settings) -> None:
        self.store, self.ws, self.settings = store, ws, settings
        self._prefix = f"rematch:{ws.id}:"
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._waiting: dict[Target, None] = {}  # insertion-ordered: the queue
        self._running: Target | None = None
        self._stop = threading.Event()  # asks the running job to stop between batches
        self._thread: threading.Thread | None = None
        self._closed = False

    def recover(self) -> None:
        """Mark jobs an earlier server left queued or running as interrupted."""
        with self._lock, self.store.begin() as conn:
            for key, record in jobs.jobs_under(conn, self._prefix).items():
                if record.get("state") in ACTIVE:
                    jobs.save_job(conn, key, {**record, "state": "interrupted", "error": RESTARTED})

    def submit(self, target: Target) -> None:
        """Queue a re-match; one already waiting for the same target is the same job, and one
        running for it is stopped (the queued one reads the newest query when it starts)."""
        with self._lock:
            if self._closed:
                return
            self._waiting[target] = None
            self._save(target, state="queued", done=0, total=None)
            if self._running == target:
                self._stop.set()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name=f"otklik-rematch-{self.ws.id}", daemon=True
                )
                self._thread.start()

    def cancel(self, target: Target, timeout: float = 60.0) -> None:
        """Forget a target about to be removed: drop it from the queue, stop it if running
        (waiting until it has) and delete its record."""
        with self._lock:
            self._waiting.pop(target, None)
            if self._running == target:
                self._stop.set()
                self._changed.wait_for(lambda: self._running != target, timeout)
            with self.store.begin() as conn:
                jobs.forget_job(conn, self._key(target))

    def records(self, kind: str) -> dict[int, dict[str, Any]]:
        """The job record of every brand or tag (`kind`) that has one, by id."""
        with self.store.connect() as conn:
            found = jobs.jobs_under(conn, f"{self._prefix}{kind}:")
        return {int(key.rsplit(":", 1)[1]): record for key, record in found.items()}

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is queued or running; False when `timeout` ran out first."""
        with self._lock:
            return self._changed.wait_for(lambda: self._thread is None, timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Stop the worker (shutdown): the running and waiting jobs are recorded as interrupted."""
        with self._lock:
            self._closed = True
            self._stop.set()
            for target in self._waiting:
                self._save(target, state="interrupted", error=RESTARTED)
            self._waiting.clear()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._waiting:
                    self._thread = None
                    self._running = None
                    self._changed.notify_all()
                    return
                target = next(iter(self._waiting))
                del self._waiting[target]
                self._running = target
                self._stop.clear()
                self._changed.notify_all()
            try:
                self._run(target)
            except Exception:  # the record could not be written; the next job may still run
                log.exception("re-match job for %s %s not recorded", target.kind, target.id)

    def _run(self, target: Target) -> None:
        try:
            matched = self._rematch(target)
        except _Stopped:
            with self._lock:
                if self._closed:
                    self._save(target, state="interrupted", error=RESTARTED)
            return
        except Exception as exc:  # any failure is the job's outcome: recorded, shown, logged
            log.exception("re-matching %s %s failed", target.kind, target.id)
            with self._lock:
                if not self._stop.is_set():
                    self._save(target, state="failed", error=f"{type(exc).__name__}: {exc}")
            return
        with self._lock:
            if not self._stop.is_set():
                self._save(target, state="done", matched=matched)

    def _rematch(self, target: Target) -> int:
        def progress(done: int, total: int) -> None:
            with self._lock:
                if self._stop.is_set():
                    raise _Stopped
                self._save(target, state="running", done=done, total=total)

        run = rematch.rematch_brands if target.kind == "brand" else rematch.rematch_tags
        svc = Services(self.settings, self.store)
        return run(svc, self.ws, [target.id], progress)[target.id]

    def _save(self, target: Target, **values: Any) -> None:
        # Called with the lock held, so a superseded job cannot overwrite a newer record.
        key = self._key(target)
        with self.store.begin() as conn:
            before = (jobs.load_job(conn, key) or {}) if "done" not in values else {}
            record = {
                "state": "queued",
                "done": 0,
                "total": None,
                "matched": None,
                "error": None,
                **{k: v for k, v in before.items() if k in ("done", "total")},
                **values,
                "updated_at": utcnow().isoformat() + "Z",
            }
            jobs.save_job(conn, key, record)

    def _key(self, target: Target) -> str:
        return f"{self._prefix}{target.kind}:{target.id}"
