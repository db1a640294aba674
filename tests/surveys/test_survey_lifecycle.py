"""Closing, reopening and deleting surveys on both databases: a closed survey takes no answers
and holds its due invitations; deleting one with responses takes their mentions out of the
feed and the counts, and campaigns that linked it forget it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from otklik.domain.filters import Filters
from otklik.errors import NotFoundError
from otklik.services import Services, campaigns, imports, invitations, mentions, reports
from otklik.services import surveys as service
from otklik.settings import Settings
from otklik.storage import utcnow
from otklik.storage.schema import source, survey_click, survey_invitation, survey_response
from tests.conftest import Inbox
from tests.storage.test_store import insert, make, rollup_equals_raw


def _with_smtp(svc: Services, port: int) -> None:
    svc.settings = Settings(
        **{
            **svc.settings.model_dump(),
            "smtp_url": f"smtp://127.0.0.1:{port}",
            "smtp_from": "otklik@example.com",
        }
    )


def _rows(svc: Services, table: sa.Table) -> int:
    with svc.store.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_a_closed_survey_takes_no_answers_and_holds_due_invitations_until_reopened(
    svc: Services, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    handler, port = smtp
    _with_smtp(svc, port)
    ws = svc.workspace()
    record = service.add_from_template(svc, ws, "Support", "csat", ["ru", "kk"])
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "email,name,language\ndana@example.kz,Дана,kk\nivan@example.kz,Иван,ru\n", "utf-8"
    )
    timing = invitations.Timing(after_days=0, remind_days=3)
    assert invitations.invite(svc, ws, "Support", contacts, timing).created == 2

    closed = service.close(svc, ws, "Support")
    assert closed.is_closed and service.summary(svc, closed)["state"] == "closed"
    again = service.close(svc, ws, "Support")
    assert again.closed_at == closed.closed_at  # closing twice keeps the first moment
    # Due now, but held: nothing is sent, nothing is skipped, the report counts them.
    assert invitations.send_due(svc, now=utcnow() + timedelta(minutes=1)) == {
        "sent": 0,
        "reminded": 0,
        "skipped": 0,
    }
    assert handler.messages == []
    # Held ones never crowd out an open survey's: with room for one e-mail, it is that one.
    service.add_from_template(svc, ws, "Retro", "team-retro", ["ru"])
    team = tmp_path / "team.csv"
    team.write_text("email\nasel@example.kz\n", "utf-8")
    invitations.invite(svc, ws, "Retro", team, timing)
    one = invitations.send_due(svc, now=utcnow() + timedelta(minutes=1), limit=1)
    assert one["sent"] == 1 and [m["To"] for m in handler.messages] == ["asel@example.kz"]
    held = service.report(svc, ws, "Support")
    assert (held["state"], held["invitations_sent"]) == ("closed", 0)
    assert (held["invitations_waiting"], held["invitations_held"]) == (2, 2)
    assert all(i.skipped is None for i in invitations.list_invitations(svc, ws, "Support"))
    # The record a form or an app loaded before the survey closed is refused as well.
    with pytest.raises(service.SurveyClosed, match="closed"):
        service.respond(svc, ws, record, {"csat": 5}, "ru", "api")
    assert service.report(svc, ws, "Support")["responses"] == 0
    assert svc.store.count(ws, Filters(channel=("survey",))) == 0

    opened = service.reopen(svc, ws, "Support")
    assert not opened.is_closed and service.summary(svc, opened)["closed_at"] is None
    assert service.invitation_counts(svc, opened)["due"] == 2
    sent = invitations.send_due(svc, now=utcnow() + timedelta(minutes=1))
    assert sent == {"sent": 2, "reminded": 0, "skipped": 0}
    assert sorted(m["To"] for m in handler.messages[1:]) == ["dana@example.kz", "ivan@example.kz"]
    service.respond(svc, ws, opened, {"csat": 5}, "ru", "api")
    after = service.report(svc, ws, "Support")
    assert (after["state"], after["responses"], after["invitations_sent"]) == ("open", 1, 2)
    assert (after["invitations_waiting"], after["invitations_held"]) == (0, 0)


def test_a_survey_without_responses_is_deleted_with_its_invitations_and_clicks(
    svc: Services, tmp_path: Path
) -> None:
    ws = svc.workspace()
    record = service.add_from_template(svc, ws, "Test survey", "post-purchase", ["ru"])
    document = service.export_document(svc, ws, "Test survey")
    document["review_links"] = [{"site": "2gis", "url": "https://2gis.kz/almaty/firm/1"}]
    service.import_document(svc, ws, document)
    service.click(svc, record.slug, "2gis")
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("email\nasel@example.kz\n", "utf-8")
    invitations.invite(svc, ws, "Test survey", contacts)

    gone = service.delete(svc, ws, "Test survey")
    assert gone == service.Deletion("Test survey", 0, 0, 1)
    with pytest.raises(NotFoundError):
        service.get(svc, ws, record.id)
    assert service.list_surveys(svc, ws) == []
    assert (_rows(svc, survey_invitation), _rows(svc, survey_click)) == (0, 0)
    # The name and the link are free again.
    fresh = service.add_from_template(svc, ws, "Test survey", "csat", ["ru"])
    assert fresh.slug == record.slug and not fresh.is_closed
    assert service.report(svc, ws, "Test survey")["invitations_waiting"] == 0


def test_a_survey_with_responses_is_deleted_only_when_asked_and_its_mentions_leave_the_counts(
    svc: Services,
) -> None:
    ws = svc.workspace()
    others = insert(svc.store, ws, [make("доставка вовремя", day=1), make("цена выросла", day=2)])
    record = service.add_from_template(svc, ws, "After delivery", "post-purchase", ["ru"])
    kept = service.add_from_template(svc, ws, "Support", "csat", ["ru"])
    given = [
        {"nps": 2, "what_went_wrong": "Курьер опоздал на три дня, очень плохо"},
        {"nps": 10},
        {"nps": 7, "improve": "Упаковка"},
    ]
    outcomes = [service.respond(svc, ws, record, a, "ru", "link") for a in given]
    assert outcomes[0].is_case
    service.respond(svc, ws, kept, {"csat": 4}, "ru", "api")
    assert svc.store.count(ws, Filters()) == 6

    with pytest.raises(service.HasResponses) as refused:
        service.delete(svc, ws, "After delivery")
    assert (refused.value.found.responses, refused.value.found.mentions) == (3, 3)
    assert service.report(svc, ws, "After delivery")["responses"] == 3  # nothing went
    assert svc.store.count(ws, Filters(channel=("survey",))) == 4

    gone = service.delete(svc, ws, "After delivery", with_responses=True)
    assert gone == service.Deletion("After delivery", 3, 3, 0)
    for outcome in outcomes:
        with pytest.raises(NotFoundError):
            svc.store.mention(ws, outcome.mention_id)
    assert _rows(svc, survey_response) == 1
    # The feed, the counts (rollups) and the export agree: the other survey and mentions stay.
    assert svc.store.count(ws, Filters(channel=("survey",))) == 1
    assert svc.store.count(ws, Filters()) == 3
    channels = {r["channel"]: r["count"] for r in svc.store.count_by(ws, Filters(), ["channel"])}
    assert channels == {"vk": 2, "survey": 1}
    for by in (["channel", "sentiment"], ["day"], ["language"], ["rating"]):
        rollup_equals_raw(svc.store, ws, by)
    listed = mentions.export_rows(svc, ws, Filters(channel=("survey",)))
    assert len(listed) == 1 and '"csat": 4' in listed[0]["answers"]
    assert all(svc.store.mention(ws, mid) for mid in others if mid is not None)
    assert service.report(svc, ws, "Support")["responses"] == 1
    # Its source and the runs that took its responses are gone, not left as imports of nothing.
    with svc.store.connect() as conn:
        names = set(conn.execute(sa.select(source.c.name)).scalars())
    assert "survey: After delivery" not in names and "survey: Support" in names
    assert imports.recent_runs(svc, ws) == []


def _spring_campaign(svc: Services) -> Any:
    """Campaign "Spring" over the last three days, linking a partner debrief with one answer
    and a team retro with none; the debrief's record."""
    ws = svc.workspace()
    debrief = service.add_from_template(svc, ws, "Kaspi debrief", "partner-debrief")
    service.add_from_template(svc, ws, "Team retro", "team-retro")
    service.respond(svc, ws, debrief, {"overall": 5, "repeat": "yes"}, "ru", "link")
    start = date.today() - timedelta(days=3)
    campaigns.add_campaign(
        svc, ws, "Spring", start, date.today(), surveys=["Kaspi debrief", "Team retro"]
    )
    return debrief


def test_a_campaign_that_linked_a_deleted_survey_forgets_it_and_still_reports(
    svc: Services,
) -> None:
    ws = svc.workspace()
    _spring_campaign(svc)
    assert reports.campaign_report(svc, ws, "Spring", date.today())["answers"][0]["responses"] == 1

    service.delete(svc, ws, "Kaspi debrief", with_responses=True)
    assert campaigns.campaign(svc, ws, "Spring").surveys == ("Team retro",)
    report = reports.campaign_report(svc, ws, "Spring", date.today())
    assert [s["survey"] for s in report["answers"]] == ["Team retro"]
    # The campaign's surveys can be edited again without the deleted name in the way.
    campaigns.link_surveys(svc, ws, "Spring", ["Team retro"])


def test_a_campaign_follows_a_renamed_survey(svc: Services) -> None:
    ws = svc.workspace()
    debrief = _spring_campaign(svc)
    start = date.today() - timedelta(days=3)
    campaigns.add_campaign(svc, ws, "Autumn", start, date.today(), surveys=["Team retro"])

    document = service.export_document(svc, ws, "Kaspi debrief")
    service.save(svc, ws, {**document, "name": "Kaspi debrief, spring"}, debrief.id)
    assert campaigns.campaign(svc, ws, "Spring").surveys == ("Kaspi debrief, spring", "Team retro")
    assert campaigns.campaign(svc, ws, "Autumn").surveys == ("Team retro",)
    report = reports.campaign_report(svc, ws, "Spring", date.today())
    answers = {s["survey"]: s["responses"] for s in report["answers"]}
    assert answers == {"Kaspi debrief, spring": 1, "Team retro": 0}
