"""The durable queue on real SQLite and PostgreSQL: claim, lease, retry, cancel, dedupe."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from otklik.jobs.kinds import JobContext
from otklik.jobs.worker import Worker
from otklik.settings import Settings
from otklik.storage import Store, jobqueue, utcnow

LEASE = timedelta(seconds=30)


def _settings(url: str, **values: object) -> Settings:
    return Settings(database_url=url, worker_poll_s=0.05, job_lease_s=30, **values)  # type: ignore[arg-type]


def _ws_id(store: Store) -> int:
    return store.workspace("default", "UTC").id


def _enqueue(store: Store, kind: str = "probe", **options: object) -> jobqueue.Job:
    with store.begin() as conn:
        return jobqueue.enqueue(conn, _ws_id(store), kind, {"n": 1}, utcnow(), **options)  # type: ignore[arg-type]


def _get(store: Store, job_id: int) -> jobqueue.Job:
    with store.connect() as conn:
        return jobqueue.get_job(conn, job_id)


def test_a_claimed_job_is_taken_again_only_after_its_lease_runs_out(store: Store) -> None:
    queued = _enqueue(store)
    now = utcnow()
    first = jobqueue.claim(store.engine, "a", now, LEASE)
    assert first is not None and (first.id, first.status, first.attempts) == (
        queued.id,
        "running",
        1,
    )
    assert jobqueue.claim(store.engine, "b", now + timedelta(seconds=29), LEASE) is None
    again = jobqueue.claim(store.engine, "b", now + timedelta(seconds=31), LEASE)
    assert again is not None and (again.id, again.lease_owner, again.attempts) == (
        queued.id,
        "b",
        2,
    )
    with store.begin() as conn:  # the first worker woke up: its lease is gone, so are its writes
        assert jobqueue.renew(conn, queued.id, "a", utcnow() + LEASE) is None
        assert not jobqueue.finish(conn, queued.id, "a", "done", utcnow(), result={"x": 1})
        assert jobqueue.finish(conn, queued.id, "b", "done", utcnow(), result={"x": 2})
    done = _get(store, queued.id)
    assert (done.status, done.result, done.lease_owner) == ("done", {"x": 2}, None)


def test_a_job_whose_worker_died_on_its_last_attempt_fails(store: Store) -> None:
    queued = _enqueue(store, max_attempts=1)
    now = utcnow()
    assert jobqueue.claim(store.engine, "a", now, LEASE) is not None
    assert jobqueue.claim(store.engine, "b", now + LEASE * 2, LEASE) is None
    failed = _get(store, queued.id)
    assert failed.status == "failed" and "stopped answering" in (failed.error or "")


def test_failures_retry_with_growing_backoff_then_fail_with_the_error(store: Store) -> None:
    calls: list[float] = []

    def boom(_ctx: JobContext) -> None:
        calls.append(time.monotonic())
        raise RuntimeError(f"boom {len(calls)}")

    worker = Worker(
        store, _settings(str(store.engine.url)), handlers={"probe": boom}, backoff_s=0.3
    )
    queued = _enqueue(store)
    before = utcnow()
    assert worker.run_one()
    waiting = _get(store, queued.id)
    assert (waiting.status, waiting.attempts, waiting.error) == (
        "queued",
        1,
        "RuntimeError: boom 1",
    )
    # Due 0.3 s after the failure, not before: checked against the clock the queue is given,
    # so a slow machine does not make the job due before the test looks.
    assert waiting.run_after >= before + timedelta(seconds=0.3)
    not_yet = waiting.run_after - timedelta(milliseconds=1)
    assert jobqueue.claim(store.engine, "early", not_yet, LEASE) is None
    while _get(store, queued.id).status != "failed":
        worker.run_one()
        time.sleep(0.05)
    failed = _get(store, queued.id)
    assert (failed.attempts, failed.error) == (3, "RuntimeError: boom 3")
    assert len(calls) == 3
    assert calls[2] - calls[1] > calls[1] - calls[0] >= 0.25  # 0.3 s, then 0.6 s


def test_a_clear_input_error_fails_at_once(store: Store) -> None:
    from otklik.errors import InputError

    def bad(_ctx: JobContext) -> None:
        raise InputError("no such column")

    worker = Worker(store, _settings(str(store.engine.url)), handlers={"probe": bad})
    queued = _enqueue(store)
    assert worker.run_one()
    failed = _get(store, queued.id)
    assert (failed.status, failed.attempts, failed.error) == ("failed", 1, "no such column")


def test_cancelling_a_queued_job_and_a_running_one(store: Store) -> None:
    started = threading.Event()

    def slow(ctx: JobContext) -> dict[str, int]:
        started.set()
        for n in range(400):
            ctx.progress(n, 400)
            time.sleep(0.01)
        return {"n": 400}

    queued = _enqueue(store)
    with store.begin() as conn:
        assert jobqueue.cancel(conn, queued.id, utcnow()).status == "cancelled"
    running = _enqueue(store)
    worker = Worker(store, _settings(str(store.engine.url)), handlers={"probe": slow})
    thread = threading.Thread(target=worker.run_one)
    thread.start()
    assert started.wait(10)
    with store.begin() as conn:
        jobqueue.cancel(conn, running.id, utcnow())
    thread.join(20)
    ended = _get(store, running.id)
    assert (ended.status, ended.error, ended.result) == ("cancelled", "cancelled", None)
    assert ended.progress_done is not None and ended.progress_done < 399


def test_the_same_key_queued_twice_is_one_job_and_a_newer_one_supersedes(store: Store) -> None:
    first = _enqueue(store, dedupe_key="rematch_brand:5")
    second = _enqueue(store, dedupe_key="rematch_brand:5")
    assert second.id == first.id
    claimed = jobqueue.claim(store.engine, "a", utcnow(), LEASE)
    assert claimed is not None and claimed.id == first.id
    newer = _enqueue(store, dedupe_key="rematch_brand:5")
    assert newer.id != first.id
    assert _get(store, first.id).is_cancel_requested
    # The newer one waits while the superseded one finishes its batch.
    assert jobqueue.claim(store.engine, "b", utcnow(), LEASE) is None
    with store.begin() as conn:
        jobqueue.finish(conn, first.id, "a", "cancelled", utcnow())
        latest = jobqueue.latest_by_key(conn, _ws_id(store), "rematch_brand:")
    assert latest["rematch_brand:5"].id == newer.id
    taken = jobqueue.claim(store.engine, "b", utcnow(), LEASE)
    assert taken is not None and taken.id == newer.id


def test_a_stopping_worker_hands_its_job_back_without_counting_the_attempt(store: Store) -> None:
    started = threading.Event()

    def slow(ctx: JobContext) -> None:
        started.set()
        while True:
            ctx.progress(1)
            time.sleep(0.01)

    worker = Worker(store, _settings(str(store.engine.url)), handlers={"probe": slow})
    queued = _enqueue(store)
    worker.start()
    assert started.wait(10)
    worker.stop(timeout=20)
    back = _get(store, queued.id)
    assert (back.status, back.attempts, back.lease_owner) == ("queued", 0, None)


@pytest.mark.postgres
def test_many_workers_on_postgresql_never_run_a_job_twice(pg_url: str) -> None:
    from tests.conftest import reset_postgres

    reset_postgres(pg_url)
    stores = [Store.open(pg_url) for _ in range(4)]
    stores[0].init()
    ran: list[int] = []
    lock = threading.Lock()

    def record(ctx: JobContext) -> dict[str, int]:
        with lock:
            ran.append(ctx.job.id)
        time.sleep(0.005)
        return {"ran": ctx.job.id}

    ids = [_enqueue(stores[0]).id for _ in range(60)]
    workers = [
        Worker(s, _settings(pg_url), handlers={"probe": record}, concurrency=3) for s in stores
    ]
    threads = [threading.Thread(target=w.run, kwargs={"once": True}) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(ran) == sorted(ids)
    with stores[0].connect() as conn:
        jobs = jobqueue.list_jobs(conn, limit=100)
    assert {(j.status, j.attempts) for j in jobs} == {("done", 1)}
    assert sum(w.ran for w in workers) == 60
    for s in stores:
        s.close()
