"""Invitations on both databases: planned from a contacts file, sent over SMTP when due, one
answer per personal link, opt-outs and the quiet period respected."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from otklik.errors import InputError
from otklik.services import Services, invitations
from otklik.services import surveys as service
from otklik.settings import Settings
from otklik.storage import utcnow
from tests.surveys.conftest import Inbox


def test_invitations_are_sent_when_due_answered_once_and_never_repeated(
    svc: Services, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    handler, port = smtp
    svc.settings = Settings(
        **{
            **svc.settings.model_dump(),
            "smtp_url": f"smtp://127.0.0.1:{port}",
            "smtp_from": "otklik@example.com",
        }
    )
    ws = svc.workspace()
    record = service.add_from_template(svc, ws, "Support", "csat", ["ru", "kk"])
    now = utcnow()
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "Email,Имя,Язык,Дата,City\n"
        "dana@example.kz,Дана,kk,2030-01-10,Шымкент\n"
        "ivan@example.kz,Иван,ru,2030-01-10,Алматы\n"
        "ivan@example.kz,Иван,ru,2030-01-11,Алматы\n"
        "olga@example.kz,Ольга,fr,2030-01-10,Алматы\n"
        "max@example.kz,Max,en,not a date,Алматы\n",
        encoding="utf-8",
    )
    timing = invitations.Timing(after_days=2, remind_days=3)
    planned = invitations.invite(svc, ws, "Support", contacts, timing, now=now)
    assert planned.created == 2
    assert [(b.row, b.field) for b in planned.rejected] == [(4, "Email"), (5, "Язык"), (6, "Дата")]

    assert invitations.send_due(svc, now=now) == {"sent": 0, "reminded": 0, "skipped": 0}
    first = invitations.send_due(svc, now=planned.first_send_at)
    assert first == {"sent": 2, "reminded": 0, "skipped": 0}
    assert sorted(m["To"] for m in handler.messages) == ["dana@example.kz", "ivan@example.kz"]
    assert {(m["Content-Language"], m["Subject"]) for m in handler.messages} == {
        ("kk", "Қолдау қызметімізді бағалаңыз"),
        ("ru", "Оцените нашу поддержку"),
    }

    sent = {i.email: i for i in invitations.list_invitations(svc, ws, "Support")}
    dana = sent["dana@example.kz"]
    assert dana.language == "kk" and dana.fields["city"] == "Шымкент"
    service.respond(svc, ws, record, {"csat": 1}, "kk", "invitation", invitation=dana)
    with pytest.raises(InputError, match="already been used"):
        service.respond(svc, ws, record, {"csat": 5}, "kk", "invitation", invitation=dana)
    invitations.unsubscribe(svc, sent["ivan@example.kz"].token)

    later = invitations.send_due(svc, now=planned.first_send_at + timedelta(days=4))
    assert later == {"sent": 0, "reminded": 0, "skipped": 1}
    assert len(handler.messages) == 2
    report = service.report(svc, ws, "Support", by=["city"])
    assert report["csat_responses"] == 1 and report["response_rate"] == 50.0
    assert report["breakdowns"]["city"] == [
        {
            "value": "Шымкент",
            **{k: report[k] for k in report if k.startswith(("csat", "ces"))},
            "responses": 1,
        }
    ]

    again = invitations.invite(svc, ws, "Support", contacts, timing, now=now + timedelta(days=30))
    assert (again.created, again.recent, again.unsubscribed) == (0, 1, 1)
