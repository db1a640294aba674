"""Campaigns and surveys together: NPS/CSAT goals scored from answers, the partner's and
the team's answers in the campaign report, its renderings and the partner e-mail."""

from __future__ import annotations

import io
import math
from datetime import date, datetime

import pytest

from otklik.errors import InputError
from otklik.services import Services, campaigns, partner_email, reports
from otklik.services import surveys as service

START, END, TODAY = date(2025, 3, 3), date(2025, 3, 9), date(2025, 4, 1)


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2025, 3, day, hour, 0)


def test_nps_goal_equals_a_hand_count_and_too_few_csat_is_not_judged(svc: Services) -> None:
    ws = svc.workspace()
    nps_survey = service.add_from_template(svc, ws, "After delivery", "post-purchase")
    csat_survey = service.add_from_template(svc, ws, "Support", "csat")
    answers = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]
    for i, value in enumerate(answers):
        service.respond(svc, ws, nps_survey, {"nps": value}, "ru", "api", at=_at(4 + i % 5))
    # Outside the goal's period: a day before the campaign and a day after its deadline.
    service.respond(svc, ws, nps_survey, {"nps": 0}, "ru", "api", at=_at(2, 23))
    service.respond(svc, ws, nps_survey, {"nps": 0}, "ru", "api", at=_at(10, 1))
    for value in (5, 5, 4):
        service.respond(svc, ws, csat_survey, {"csat": value}, "ru", "api", at=_at(5))
    campaigns.add_campaign(svc, ws, "Spring", START, END)
    campaigns.add_goal(svc, ws, "Spring", "nps", 15.0)
    campaigns.add_goal(svc, ws, "Spring", "csat", 80.0)

    goals = {g["metric"]: g for g in reports.campaign_report(svc, ws, "Spring", TODAY)["goals"]}
    # By hand: 5 promoters, 2 passives, 3 detractors of 10; NPS = 100 × (5 − 3) / 10 = 20;
    # the score's variance p + d − (p − d)² = 0.5 + 0.3 − 0.04 = 0.76.
    half = 1.959963984540054 * math.sqrt(0.76 / 10) * 100
    nps = goals["nps"]
    assert (nps["actual"], nps["responses"], nps["status"]) == (20.0, 10, "met")
    assert nps["ci"] == [pytest.approx(20 - half, abs=0.05), pytest.approx(20 + half, abs=0.05)]
    assert nps["gap"] == pytest.approx(5.0)
    csat = goals["csat"]
    assert (csat["actual"], csat["responses"], csat["status"]) == (None, 3, "too_few")
    assert csat["progress"] is None and csat["ci"] is None

    # Linking a survey without an NPS question keeps the workspace's NPS surveys in use;
    # a survey that is not there is refused by name.
    with pytest.raises(InputError, match="Nope"):
        campaigns.link_surveys(svc, ws, "Spring", ["Nope"])
    found = campaigns.link_surveys(svc, ws, "Spring", ["Support"])
    assert [r.name for r in campaigns.scored_surveys(svc, ws, found, "nps")] == ["After delivery"]
    assert [r.name for r in campaigns.scored_surveys(svc, ws, found, "csat")] == ["Support"]


def test_campaign_report_shows_the_partners_answers_in_every_rendering(svc: Services) -> None:
    from openpyxl import load_workbook

    ws = svc.workspace()
    debrief = service.add_from_template(svc, ws, "Kaspi debrief", "partner-debrief")
    given = [
        ({"overall": 5, "worked": "Отличная акция, спасибо, очень довольны!", "repeat": "yes"}, 11),
        ({"overall": 4, "improve": "Курьеры опаздывали, были жалобы.", "repeat": "maybe"}, 12),
        ({"overall": 3, "repeat": "yes"}, 30),  # after the after-period: left out
    ]
    for answers, day in given:
        service.respond(svc, ws, debrief, answers, "ru", "link", at=_at(day))
    campaigns.add_campaign(svc, ws, "Spring", START, END, partners=["Kaspi"])
    assert campaigns.campaign(svc, ws, "Spring").surveys == ()
    assert reports.campaign_report(svc, ws, "Spring", TODAY)["answers"] == []
    campaigns.link_surveys(svc, ws, "Spring", ["Kaspi debrief"])

    data = reports.campaign_report(svc, ws, "Spring", TODAY)
    (section,) = data["answers"]
    assert (section["survey"], section["responses"]) == ("Kaspi debrief", 2)
    questions = {q["id"]: q for q in section["questions"]}
    assert (questions["overall"]["mean"], questions["overall"]["answered"]) == (4.5, 2)
    assert {c["option"]: c["count"] for c in questions["repeat"]["counts"]} == {
        "yes": 1,
        "maybe": 1,
        "no": 0,
    }
    (quote,) = questions["worked"]["quotes"]
    assert quote["text"].startswith("Отличная акция") and quote["day"] == "2025-03-11"
    assert quote["sentiment"] in ("positive", "neutral", "negative")

    page = reports.render(data, "html", "en", ws.timezone).decode()
    assert (
        "The partner&#39;s and the team&#39;s answers" in page or "partner's and the team" in page
    )
    assert "Отличная акция" in page and "Yes — 1; Maybe — 1; No — 0" in page
    book = load_workbook(io.BytesIO(reports.render(data, "xlsx", "kk", ws.timezone)))
    cells = [
        c for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    ]
    assert "Курьеры опаздывали, были жалобы." in cells and 4.5 not in cells  # mean is in text
    assert any(isinstance(c, str) and "4,5" in c for c in cells)
    assert reports.render(data, "pdf", "kk", ws.timezone)[:4] == b"%PDF"
    _subject, body = partner_email.draft(data, "ru", ws.timezone)
    assert "4,5" in body and "Отличная акция" in body
