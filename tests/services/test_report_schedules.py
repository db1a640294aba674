"""Report schedules: listed, changed, paused, resumed and removed; a paused one sends nothing
when its time comes, a resumed one sends the next due report only, not the missed ones."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from otklik.errors import InputError, NotFoundError
from otklik.jobs.schedules import next_after
from otklik.jobs.worker import Worker
from otklik.services import Services, report_schedules
from otklik.settings import Settings
from otklik.storage import jobqueue, utcnow
from otklik.storage.schema import schedule
from tests.conftest import Inbox


def _mailing(svc: Services, port: int) -> Services:
    settings = Settings(
        database_url=svc.settings.database_url,
        stages=("normalise",),
        smtp_url=f"smtp://127.0.0.1:{port}",
        smtp_from="otklik@example.kz",
    )
    return Services.open(settings, svc.store)


def _time_comes(svc: Services, schedule_id: int) -> None:
    """Move the schedule's next run into the past, as if its time had come (and gone)."""
    with svc.store.begin() as conn:
        conn.execute(
            sa.update(schedule)
            .where(schedule.c.id == schedule_id)
            .values(next_run_at=utcnow() - timedelta(days=8))
        )


def test_schedules_are_listed_changed_paused_resumed_and_removed(svc: Services) -> None:
    ws = svc.workspace()
    monday = datetime(2025, 3, 1, 12, 0)  # a Saturday; the next Monday is 3 March
    weekly = report_schedules.add(
        svc, ws, "smm", "week", ["a@example.kz", "A@example.kz"], at_time="08:30", now=monday
    )
    monthly = report_schedules.add(svc, ws, "brand", "month", ["b@example.kz"], language="kk")
    listed = report_schedules.schedules(svc, ws)
    assert [(s.id, s.kind, s.every, s.to) for s in listed] == [
        (weekly.id, "smm", "week", ("a@example.kz",)),
        (monthly.id, "brand", "month", ("b@example.kz",)),
    ]
    assert weekly.next_send_at == datetime(2025, 3, 3, 8, 30) and not weekly.is_paused
    assert monthly.next_send_at is not None and monthly.next_send_at.day == 1
    assert monthly.language == "kk" and monthly.last_sent_at is None

    changed = report_schedules.change(
        svc, ws, weekly.id, to=["c@example.kz"], at_time="10:00", language="ru", now=monday
    )
    assert (changed.to, changed.at_time, changed.language) == (("c@example.kz",), "10:00", "ru")
    assert changed.next_send_at == datetime(2025, 3, 3, 10, 0)

    paused = report_schedules.pause(svc, ws, weekly.id)
    assert paused.is_paused and paused.next_send_at is None
    assert paused.to_dict()["status"] == "paused"
    resumed = report_schedules.resume(svc, ws, weekly.id, now=datetime(2025, 3, 4, 0, 0))
    assert not resumed.is_paused and resumed.next_send_at == datetime(2025, 3, 10, 10, 0)

    report_schedules.remove(svc, ws, weekly.id)
    assert [s.id for s in report_schedules.schedules(svc, ws)] == [monthly.id]
    with pytest.raises(NotFoundError, match=f"no report schedule with id {weekly.id}"):
        report_schedules.pause(svc, ws, weekly.id)


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"to": ["ok@example.kz", "boss at example"]}, "to", "'boss at example' is not an e-mail"),
        ({"to": []}, "to", "at least one e-mail address"),
        ({"every": "day"}, "every", "week or month"),
        ({"at_time": "25:00"}, "at", "write HH:MM"),
        ({"language": "de"}, "language", "ru, kk or en"),
        ({"kind": "campaign"}, "campaign", "needs the campaign's name"),
        ({"kind": "campaign", "campaign": "Nope"}, "campaign", "no campaign 'Nope'"),
        ({"kind": "brand", "brand": "Nope"}, "brand", "no brand 'Nope'"),
    ],
)
def test_a_bad_schedule_is_refused_naming_the_field(
    svc: Services, options: dict[str, object], field: str, message: str
) -> None:
    given: dict[str, object] = {"kind": "smm", "every": "week", "to": ["ok@example.kz"]}
    given.update(options)
    with pytest.raises(InputError, match=message) as refused:
        report_schedules.add(
            svc,
            svc.workspace(),
            str(given.pop("kind")),
            str(given.pop("every")),
            given.pop("to"),  # type: ignore[arg-type]
            **given,  # type: ignore[arg-type]
        )
    assert refused.value.field == field
    assert report_schedules.schedules(svc, svc.workspace()) == []


def test_the_same_report_cannot_be_scheduled_twice(svc: Services) -> None:
    ws = svc.workspace()
    first = report_schedules.add(svc, ws, "smm", "week", ["a@example.kz"])
    with pytest.raises(InputError, match=f"already scheduled: schedule {first.id}"):
        report_schedules.add(svc, ws, "smm", "week", ["a@example.kz"])


def test_a_paused_schedule_sends_nothing_and_a_resumed_one_only_the_next_due_report(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    mailing = _mailing(svc, port)
    ws = mailing.workspace()
    added = report_schedules.add(mailing, ws, "smm", "week", ["smm@example.kz"])
    worker = Worker(svc.store, mailing.settings)

    report_schedules.pause(mailing, ws, added.id)
    _time_comes(svc, added.id)
    worker.run(once=True)
    assert handler.messages == []
    with svc.store.connect() as conn:
        assert jobqueue.list_jobs(conn, ws.id, kinds=["report"]) == []

    resumed = report_schedules.resume(mailing, ws, added.id)
    assert resumed.next_send_at is not None and resumed.next_send_at > utcnow()
    worker.run(once=True)
    assert handler.messages == []  # the sends missed while paused are not made up

    _time_comes(svc, added.id)  # the next Monday comes
    worker.run(once=True)
    worker.run(once=True)
    assert [m["To"] for m in handler.messages] == ["smm@example.kz"]
    after = report_schedules.get(mailing, ws, added.id)
    assert after.last_outcome == "sent" and after.last_sent_at is not None
    assert after.next_send_at is not None and after.next_send_at > utcnow()


def test_pausing_cancels_a_send_already_queued(svc: Services, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    mailing = _mailing(svc, port)
    ws = mailing.workspace()
    added = report_schedules.add(mailing, ws, "smm", "week", ["smm@example.kz"])
    _time_comes(svc, added.id)
    [queued] = jobqueue.enqueue_due(svc.store.engine, utcnow(), next_after)
    report_schedules.pause(mailing, ws, added.id)
    Worker(svc.store, mailing.settings).run(once=True)
    assert handler.messages == []
    with svc.store.connect() as conn:
        assert jobqueue.get_job(conn, queued.id).status == "cancelled"


def test_a_monthly_schedule_runs_only_on_the_1st_and_its_last_send_stays_listed(
    svc: Services,
) -> None:
    ws = svc.store.workspace("almaty", "Asia/Almaty")  # UTC+5
    start = datetime(2025, 3, 14, 12, 0)
    added = report_schedules.add(svc, ws, "smm", "month", ["m@example.kz"], now=start)
    assert added.next_send_at == datetime(2025, 4, 1, 4, 0)  # 09:00 in Almaty
    with svc.store.connect() as conn:
        assert jobqueue.get_schedule(conn, ws.id, added.id).monthday == 1
    queued_on: list[datetime] = []
    moment = start
    while moment < datetime(2025, 5, 26):  # what the worker does, every six hours for 10 weeks
        for made in jobqueue.enqueue_due(svc.store.engine, moment, next_after):
            queued_on.append(moment)
            claimed = jobqueue.claim(svc.store.engine, "test", moment, timedelta(minutes=5))
            assert claimed is not None and claimed.id == made.id
            with svc.store.begin() as conn:
                jobqueue.finish(conn, made.id, "test", "done", moment, result={"sent": 1})
        moment += timedelta(hours=6)
    # 06:00 UTC is the first tick after 04:00 UTC (09:00 in Almaty) on the 1st
    assert queued_on == [datetime(2025, 4, 1, 6, 0), datetime(2025, 5, 1, 6, 0)]
    listed = report_schedules.get(svc, ws, added.id)  # 25 days after the last send
    assert (listed.last_sent_at, listed.last_outcome) == (datetime(2025, 5, 1, 6, 0), "sent")
    assert listed.next_send_at == datetime(2025, 6, 1, 4, 0)


def test_the_worker_mails_a_monthly_report_once_when_its_time_comes_whatever_the_day(
    svc: Services, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    mailing = _mailing(svc, port)
    ws = mailing.workspace()
    added = report_schedules.add(mailing, ws, "brand", "month", ["cmo@example.kz"])
    _time_comes(svc, added.id)  # the worker was down on the 1st; it sends when it is back
    worker = Worker(svc.store, mailing.settings)
    worker.run(once=True)
    worker.run(once=True)
    assert [m["To"] for m in handler.messages] == ["cmo@example.kz"]
    after = report_schedules.get(mailing, ws, added.id)
    assert after.last_outcome == "sent" and after.last_sent_at is not None
    assert after.next_send_at is not None and after.next_send_at > utcnow()
    assert (after.next_send_at.day, after.next_send_at.strftime("%H:%M")) == (1, "09:00")


def test_a_change_from_week_to_month_moves_the_next_send_to_the_1st(svc: Services) -> None:
    ws = svc.workspace()
    saturday = datetime(2025, 3, 1, 12, 0)
    added = report_schedules.add(svc, ws, "smm", "week", ["a@example.kz"], now=saturday)
    assert added.next_send_at == datetime(2025, 3, 3, 9, 0)
    monthly = report_schedules.change(svc, ws, added.id, every="month", now=saturday)
    assert monthly.next_send_at == datetime(2025, 4, 1, 9, 0)
    with svc.store.connect() as conn:
        stored = jobqueue.get_schedule(conn, ws.id, added.id)
    assert (stored.weekday, stored.monthday) == (None, 1)
