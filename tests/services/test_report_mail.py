"""A scheduled report goes out through the worker to a real SMTP server on loopback."""

from __future__ import annotations

from otklik.jobs.worker import Worker
from otklik.services import Services, jobs, report_mail
from otklik.settings import Settings
from otklik.storage import jobqueue
from tests.conftest import Inbox


def test_weekly_smm_report_is_mailed_by_the_worker(svc: Services, inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    settings = Settings(
        database_url=svc.settings.database_url,
        stages=("normalise",),
        smtp_url=f"smtp://127.0.0.1:{port}",
        smtp_from="otklik@example.kz",
        public_url="https://otklik.example.kz",
    )
    mailing = Services.open(settings, svc.store)
    ws = mailing.workspace()
    schedule_id = report_mail.schedule(
        mailing, ws, "smm", "week", ["smm@example.kz"], language="kk"
    )
    with svc.store.connect() as conn:
        stored = next(s for s in jobqueue.list_schedules(conn, ws.id) if s.id == schedule_id)
    assert (stored.kind, stored.weekday, stored.at_time) == ("report", 0, "09:00")
    arguments = dict(stored.arguments)
    jobs.enqueue(mailing, ws, "report", arguments)
    assert Worker(svc.store, settings).run(once=True) == 1
    [message] = handler.messages
    assert message["To"] == "smm@example.kz" and "SMM" in message["Subject"]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "https://otklik.example.kz/reports/smm?since=" in html
    assert "Кезең" in message["Subject"]  # in Kazakh
