"""Schedules: when they run next, and that a due one is enqueued once however many workers."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from otklik.errors import InputError
from otklik.jobs.schedules import Rule, add_schedule, next_after, next_run
from otklik.jobs.worker import Worker
from otklik.settings import Settings
from otklik.storage import Store, jobqueue, utcnow


def test_daily_and_weekly_times_are_read_in_the_schedules_time_zone() -> None:
    almaty = Rule(at_time="09:30", timezone="Asia/Almaty")  # UTC+5
    assert next_run(almaty, datetime(2025, 3, 1, 4, 0)) == datetime(2025, 3, 1, 4, 30)
    assert next_run(almaty, datetime(2025, 3, 1, 4, 30)) == datetime(2025, 3, 2, 4, 30)
    monday = Rule(at_time="08:00", weekday=0, timezone="Europe/Moscow")  # 2025-03-01 is a Saturday
    assert next_run(monday, datetime(2025, 3, 1, 12, 0)) == datetime(2025, 3, 3, 5, 0)
    berlin = Rule(at_time="02:30", timezone="Europe/Berlin")  # clocks go forward 30 March
    assert next_run(berlin, datetime(2025, 3, 29, 12, 0)) == datetime(2025, 3, 30, 1, 30)


def test_a_monthly_time_is_the_next_such_day_at_its_time_in_the_schedules_zone() -> None:
    almaty = Rule(at_time="09:00", monthday=1, timezone="Asia/Almaty")  # UTC+5
    assert next_run(almaty, datetime(2025, 3, 14, 12, 0)) == datetime(2025, 4, 1, 4, 0)
    assert next_run(almaty, datetime(2025, 4, 1, 3, 59)) == datetime(2025, 4, 1, 4, 0)
    assert next_run(almaty, datetime(2025, 4, 1, 4, 0)) == datetime(2025, 5, 1, 4, 0)
    # 23:00 UTC on 31 December is already 1 January in Almaty
    assert next_run(almaty, datetime(2024, 12, 31, 23, 0)) == datetime(2025, 1, 1, 4, 0)
    berlin = Rule(at_time="09:00", monthday=1, timezone="Europe/Berlin")
    assert next_run(berlin, datetime(2025, 3, 15)) == datetime(2025, 4, 1, 7, 0)  # summer time
    assert next_run(berlin, datetime(2025, 10, 15)) == datetime(2025, 11, 1, 8, 0)  # winter
    late = Rule(at_time="10:00", monthday=28)
    assert next_run(late, datetime(2025, 1, 28, 10, 0)) == datetime(2025, 2, 28, 10, 0)


def test_an_interval_keeps_its_phase_and_skips_runs_missed_while_down() -> None:
    every = Rule(every_minutes=15)
    previous = datetime(2025, 1, 1, 10, 0)
    assert next_run(every, datetime(2025, 1, 1, 10, 0), previous) == datetime(2025, 1, 1, 10, 15)
    assert next_run(every, datetime(2025, 1, 1, 12, 7), previous) == datetime(2025, 1, 1, 12, 15)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (Rule(), "either every N minutes or at HH:MM"),
        (Rule(every_minutes=5, at_time="10:00"), "either every N minutes or at HH:MM"),
        (Rule(at_time="25:00"), "write HH:MM"),
        (Rule(at_time="10:00", timezone="Mars/Olympus"), "unknown time zone"),
        (Rule(at_time="10:00", weekday=7), "weekday is 0"),
        (Rule(at_time="10:00", monthday=29), "day of the month 29 cannot be: 1 to 28"),
        (Rule(at_time="10:00", monthday=0), "day of the month 0 cannot be"),
        (Rule(at_time="10:00", weekday=0, monthday=1), "on a weekday or on a day of the month"),
        (Rule(every_minutes=5, monthday=1), "goes with HH:MM, not every N minutes"),
    ],
)
def test_a_rule_that_cannot_run_is_refused_with_the_reason(rule: Rule, message: str) -> None:
    with pytest.raises(InputError, match=message):
        rule.check()


def test_a_due_schedule_is_enqueued_once_by_racing_workers_and_its_job_runs(
    store: Store,
) -> None:
    ws = store.workspace("default", "UTC")
    long_ago = utcnow() - timedelta(hours=3)
    made = add_schedule(
        store,
        ws.id,
        "nightly re-analysis",
        "reanalyse",
        {"filters": {}},
        Rule(every_minutes=60),
        now=long_ago,
    )
    assert made.next_run_at == long_ago + timedelta(minutes=60)
    url = str(store.engine.url.render_as_string(hide_password=False))
    others = [Store.open(url) for _ in range(4)]
    start = threading.Barrier(len(others))
    enqueued: list[int] = []

    def tick(other: Store) -> None:
        start.wait()
        for _ in range(5):
            enqueued.extend(j.id for j in jobqueue.enqueue_due(other.engine, utcnow(), next_after))

    threads = [threading.Thread(target=tick, args=(o,)) for o in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(enqueued) == 1
    with store.connect() as conn:
        (moved,) = jobqueue.list_schedules(conn, ws.id)
        jobs = jobqueue.list_jobs(conn, ws.id)
    assert moved.last_job_id == enqueued[0] and [j.id for j in jobs] == enqueued
    assert utcnow() < moved.next_run_at <= utcnow() + timedelta(minutes=60)
    assert (moved.next_run_at - long_ago) % timedelta(minutes=60) == timedelta(0)
    settings = Settings(database_url=url, stages=("normalise", "language"), worker_poll_s=0.05)
    assert Worker(store, settings).run(once=True) == 1
    with store.connect() as conn:
        done = jobqueue.get_job(conn, enqueued[0])
    assert (done.kind, done.status, done.result, done.schedule_id) == (
        "reanalyse",
        "done",
        {"reanalysed": 0},
        made.id,
    )
    for other in others:
        other.close()


def test_finished_routine_jobs_are_pruned_to_the_newest_few(store: Store) -> None:
    ws = store.workspace("default", "UTC")
    start = utcnow() - timedelta(hours=2)
    add_schedule(store, ws.id, "checks", "reanalyse", {}, Rule(every_minutes=1), now=start)
    with store.begin() as conn:  # a failed and an import job are never pruned
        failed = jobqueue.enqueue(conn, ws.id, "reanalyse", {}, start)
        other = jobqueue.enqueue(conn, ws.id, "import", {"path": "x"}, start)
        conn.execute(
            jobqueue.job.update().where(jobqueue.job.c.id == failed.id).values(status="failed")
        )
    total = jobqueue.KEEP_DONE_ROUTINE + 10
    for minute in range(total):
        at = start + timedelta(minutes=minute + 1)
        (made,) = jobqueue.enqueue_due(store.engine, at, next_after)
        with store.begin() as conn:
            conn.execute(
                jobqueue.job.update().where(jobqueue.job.c.id == made.id).values(status="done")
            )
    with store.connect() as conn:
        left = jobqueue.list_jobs(conn, ws.id, limit=1000)
    done = [j.id for j in left if j.status == "done"]
    # the newest are kept (the last one was marked done after the last pruning)
    assert len(done) == jobqueue.KEEP_DONE_ROUTINE + 1 and max(done) == made.id
    assert {failed.id, other.id} <= {j.id for j in left}
