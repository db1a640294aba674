"""Surveys over HTTP: the public form without JavaScript, the responses API, the editor and
report pages, and e-mail invitations through a real SMTP server sent by the worker."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient

from otklik.jobs.worker import Worker
from otklik.services import Services, campaigns, invitations
from otklik.services import jobs as job_service
from otklik.services import surveys as service
from otklik.settings import Settings
from otklik.storage import utcnow
from otklik.web.app import create_app
from tests.conftest import Inbox
from tests.web.conftest import WebWorld, build_world, csrf_of
from tests.web.test_password_reset import _parts


def _svc(world: WebWorld) -> Services:
    return world.app.state.web.svc  # type: ignore[attr-defined,no-any-return]


def _survey(world: WebWorld, name: str = "After delivery") -> Any:
    svc = _svc(world)
    ws = svc.workspace()
    record = service.add_from_template(svc, ws, name, "post-purchase", ["kk", "ru", "en"])
    document = service.export_document(svc, ws, name)
    document["review_links"] = [
        {"site": "2gis", "url": "https://2gis.kz/almaty/firm/70000001"},
        {"site": "kaspi", "url": "https://kaspi.kz/shop/review/1"},
    ]
    document["assignee"] = "care@example.kz"
    return service.import_document(svc, ws, document)[0] or record


def test_public_form_keeps_answers_with_problems_and_a_promoter_gets_counted_review_links(
    tmp_path: Path, sqlite_url: str
) -> None:
    for world in build_world(sqlite_url, tmp_path, survey_rate_limit=3):
        record = _survey(world)
        client = world.client
        page = client.get(f"/s/{record.slug}", headers={"Accept-Language": "kk-KZ,ru;q=0.8"})
        assert page.status_code == 200 and '<html lang="kk">' in page.text
        assert "Бізді досыңызға немесе әріптесіңізге" in page.text
        assert page.headers["content-security-policy"].count("frame-ancestors 'self' *") == 1
        assert "x-frame-options" not in page.headers
        assert client.get(f"/s/{record.slug}?lang=en").text.count("How likely") == 1

        kept = "Жеткізу баяу, бірақ сапа жақсы"
        bad = client.post(
            f"/s/{record.slug}", data={"lang": "kk", "improve": kept, "category": "nope"}
        )
        assert bad.status_code == 422 and kept in bad.text
        assert 'id="q-nps"' in bad.text and 'aria-invalid="true"' in bad.text
        assert 'role="alert"' in bad.text and '<html lang="kk">' in bad.text

        bot = client.post(f"/s/{record.slug}", data={"lang": "kk", "nps": "2", "website": "x"})
        assert bot.status_code == 200 and 'id="thanks"' in bot.text
        assert service.report(_svc(world), _svc(world).workspace(), record.name)["responses"] == 0

        done = client.post(
            f"/s/{record.slug}", data={"lang": "ru", "nps": "10", "category": "furniture"}
        )
        assert done.status_code == 200 and 'id="thanks"' in done.text
        assert f"/s/{record.slug}/review/2gis" in done.text and "Kaspi" in done.text
        go = client.get(f"/s/{record.slug}/review/2gis", follow_redirects=False)
        assert go.status_code == 303
        assert go.headers["location"] == "https://2gis.kz/almaty/firm/70000001"
        found = service.report(_svc(world), _svc(world).workspace(), record.name)
        assert found["responses"] == 1 and found["review_clicks"] == {"2gis": 1}
        # The limit per address counts every try (3 here), kept in the database.
        limited = client.post(f"/s/{record.slug}", data={"lang": "ru", "nps": "9"})
        assert limited.status_code == 429 and 'id="limited"' in limited.text


def test_switching_language_keeps_what_was_typed_and_stores_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    for world in build_world(sqlite_url, tmp_path, survey_rate_limit=2):
        record = _survey(world)
        client = world.client
        typed = "Курьер опоздал на два дня & не позвонил"
        answers = {"lang": "ru", "nps": "3", "what_went_wrong": typed, "category": "furniture"}
        for code, phrase in (("kk", "Сізге не ұнамады?"), ("en", "What went wrong?")):
            page = client.post(f"/s/{record.slug}", data={**answers, "switch_lang": code})
            assert page.status_code == 200 and f'<html lang="{code}">' in page.text
            assert phrase in page.text and 'role="alert"' not in page.text
            assert f'<input type="hidden" name="lang" value="{code}">' in page.text
            assert typed.replace("&", "&amp;") in page.text
            assert re.search(r'name="nps" value="3"\s+checked', page.text)
            assert re.search(r'name="category" value="furniture"\s+checked', page.text)
            assert f'name="switch_lang" value="{code}" lang="{code}" aria-current="true"' in (
                page.text
            )
        # A problem comes back in the language the form was sent in, not the survey's first.
        problem = client.post(f"/s/{record.slug}", data={**answers, "nps": "", "lang": "en"})
        assert problem.status_code == 422
        assert '<html lang="en">' in problem.text and "Please answer this question." in problem.text
        # Switches neither store an answer nor spend the address's tries (the limit is 2).
        assert service.report(_svc(world), _svc(world).workspace(), record.name)["responses"] == 0
        done = client.post(f"/s/{record.slug}", data={**answers, "lang": "en"})
        assert done.status_code == 200 and 'id="thanks"' in done.text
        found = service.report(_svc(world), _svc(world).workspace(), record.name)
        assert found["responses"] == 1
        # A language the survey does not offer keeps the page's own.
        odd = client.post(f"/s/{record.slug}", data={**answers, "switch_lang": "de"})
        assert odd.status_code == 200 and '<html lang="ru">' in odd.text


def test_responses_api_answers_201_with_the_mention_or_422_naming_the_question(
    sqlite_world: WebWorld,
) -> None:
    record = _survey(sqlite_world)
    client, headers = sqlite_world.client, sqlite_world.api("viewer")
    url = f"/api/v1/surveys/{record.id}/responses"
    wrong = client.post(url, json={"answers": {"nps": 12}, "language": "kk"}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["question"] == "nps"
    unknown = client.post(url, json={"answers": {"nps": 5, "zzz": 1}}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["question"] == "zzz"
    assert client.post(url, json={"answers": {"nps": 5}}).status_code == 401
    sad = {"nps": 2, "what_went_wrong": "Тапсырыс екі апта бойы келмеді, қолдау жауап бермеді"}
    made = client.post(
        url,
        json={"answers": sad, "language": "kk", "contact": {"email": "a@example.kz"}},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    mention = client.get(f"/api/v1/mentions/{made.json()['mention_id']}", headers=headers).json()
    assert mention["channel"] == "survey" and mention["answers"] == sad
    assert mention["status"] == "new" and mention["assignee"] == "care@example.kz"
    assert mention["language"] == "kk"
    listed = client.get("/api/v1/surveys", headers=headers).json()["items"]
    assert [(s["id"], s["slug"]) for s in listed] == [(record.id, record.slug)]
    feed = client.get("/api/v1/mentions?channel=survey", headers=headers).json()["items"]
    assert feed[0]["answers"] == sad
    shown = sqlite_world.login("viewer").get(f"/mentions/{made.json()['mention_id']}").text
    assert 'id="survey-answers"' in shown and "Что пошло не так?" in shown  # the page is in ru


def test_editor_report_and_exports_speak_each_language(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("analyst")
    page = client.get("/surveys")
    made = client.post(
        "/surveys/new",
        data={
            "csrf": csrf_of(page.text),
            "name": "Support",
            "template": "csat",
            "languages": ["kk", "ru"],
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    edit_url = made.headers["location"]
    editor = client.get(edit_url)
    assert editor.status_code == 200 and 'name="q0-text-kk"' in editor.text
    fields = re.findall(r'name="([^"]+)" value="([^"]*)"', editor.text)
    # Checkboxes as a browser sends them: only the ticked ones (the CSAT question is required).
    form: dict[str, Any] = {k: v for k, v in fields if not k.endswith(("-delete", "-required"))}
    form["q0-required"] = "1"
    form.update(
        {
            "csrf": csrf_of(editor.text),
            "q0-kind": "csat",
            "q1-kind": "ces",
            "q2-kind": "text",
            "q3-kind": "text",
            "languages": ["kk", "ru"],
            "q0-text-kk": "",
            "q3-id": "extra",
            "q3-text-ru": "Ещё?",
        }
    )
    refused = client.post(edit_url, data=form)
    assert refused.status_code == 422
    assert "questions[0].text.kk: missing" in refused.text
    assert "questions[3].text.kk: missing" in refused.text, re.findall(
        r"<li>(.*?)</li>", refused.text
    )
    form.update({"q0-text-kk": "Көмекке ризасыз ба?", "q3-text-kk": "Тағы?"})
    saved = client.post(edit_url, data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    survey_id = int(edit_url.split("/")[2])
    svc = _svc(sqlite_world)
    document = service.export_document(svc, svc.workspace(), "Support")
    assert document["questions"][0]["text"]["kk"] == "Көмекке ризасыз ба?"
    assert [q["id"] for q in document["questions"]] == ["csat", "ces", "comment", "extra"]
    service.respond(
        svc,
        svc.workspace(),
        service.get(svc, svc.workspace(), survey_id),
        {"csat": 5, "extra": "=1+1"},
        "ru",
        "link",
    )
    for code, word in (("kk", "Сауалнамалар"), ("ru", "Опросы"), ("en", "Surveys")):
        client.get(f"/lang/{code}")
        report = client.get(f"/surveys/{survey_id}")
        assert report.status_code == 200 and word in report.text
        assert 'id="kpi-csat"' in report.text
    report_page = client.get(f"/surveys/{survey_id}")
    upload = (
        "email,name,language,delivered,category\n"
        "asel@example.kz,Асель,kk,2030-05-01,furniture\n"
        "bad,X,ru,2030-05-01,\n"
    )
    planned = client.post(
        f"/surveys/{survey_id}/invite",
        data={
            "csrf": csrf_of(report_page.text),
            "date_column": "delivered",
            "category_days": "Furniture=14",
        },
        files={"file": ("orders.csv", upload.encode(), "text/csv")},
    )
    assert planned.status_code == 200 and 'id="invited"' in planned.text
    assert "not an e-mail address: &#39;bad&#39;" in planned.text  # the rejected row, row 3
    sent_at = re.search(r'id="invited"[^<]*', planned.text)
    # Furniture: 14 days after 1 May, at 10:00 in the workspace's zone, in the page's language.
    assert (
        sent_at and "rejected rows: 1." in sent_at.group(0) and "5/15/30, 10:00" in sent_at.group(0)
    )
    sheet = client.get(f"/surveys/{survey_id}/responses.csv")
    lines = sheet.content.decode("utf-8-sig").splitlines()
    # Headers in the page's language (English last), else the survey's first language (ru).
    assert lines[0].split(",")[5:] == [
        "How satisfied are you with the help you received?",
        "How easy was it to get your issue resolved?",
        "Is there anything else you would like to tell us?",
        "Ещё?",
    ]
    assert lines[1].endswith(",5,,,'=1+1")
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get(f"/surveys/{survey_id}/responses.xlsx").content))
    rows = list(book["responses"].iter_rows(values_only=True))
    assert rows[0][5] == lines[0].split(",")[5] and rows[1][5:] == (5, None, None, "'=1+1")


def _mailing_app(world: WebWorld, port: int) -> tuple[Any, Settings]:
    """The world's app (and its settings) with e-mail through the loopback SMTP server and no
    embedded worker."""
    settings = Settings(
        **{
            **world.settings.model_dump(),
            "smtp_url": f"smtp://127.0.0.1:{port}",
            "smtp_from": "otklik@example.com",
            "public_url": "http://testserver",
            "embedded_worker": False,
        }
    )
    return create_app(settings, world.store), settings


def test_invitations_reach_smtp_when_due_with_a_link_that_works_once(
    sqlite_world: WebWorld,
    inbox: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    handler, port = inbox
    app, settings = _mailing_app(sqlite_world, port)
    svc = app.state.web.svc
    ws = svc.workspace()
    record = _survey(sqlite_world)
    day = (utcnow() - timedelta(days=5)).date().isoformat()
    contacts = tmp_path / "orders.csv"
    contacts.write_text(
        "email,name,language,delivered,category,city\n"
        f"aigerim@example.kz,Айгерім,kk,{day},electronics,Алматы\n"
        f"boris@example.kz,Борис,ru,{day},Furniture,Астана\n"
        f"not-an-address,X,ru,{day},electronics,Астана\n",
        encoding="utf-8",
    )
    timing = invitations.Timing(
        after_days=3, date_column="delivered", category_days={"furniture": 14}
    )
    planned = invitations.invite(svc, ws, record.name, contacts, timing)
    assert planned.created == 2 and [b.row for b in planned.rejected] == [4]
    assert planned.report is not None and "not-an-address" in planned.report.read_text()

    job_service.enqueue(svc, ws, "send_invitations", {})
    assert Worker(sqlite_world.store, settings).run_one()
    assert [m["To"] for m in handler.messages] == ["aigerim@example.kz"]
    message = handler.messages[0]
    assert message["Subject"] == "Сатып алуыңыз қалай өтті?"
    text = _parts(message)["plain"]
    link = re.search(r"http://testserver(/s/\S+\?t=\S+)", text)
    stop = re.search(r"http://testserver(/s/unsubscribe/\S+)", text)
    assert link and stop
    with TestClient(app) as client:
        form = client.get(link.group(1))
        assert form.status_code == 200 and '<html lang="kk">' in form.text
        token = link.group(1).split("?t=")[1]
        answer = {"lang": "kk", "t": token, "nps": "4", "what_went_wrong": "Қорап жыртылған"}
        assert 'id="thanks"' in client.post(f"/s/{record.slug}", data=answer).text
        assert 'id="used"' in client.get(link.group(1)).text
        assert 'id="used"' in client.post(f"/s/{record.slug}", data=answer).text
        found = service.report(svc, ws, record.name, by=["city"])
        assert found["responses"] == 1 and found["breakdowns"]["city"][0]["value"] == "Алматы"
        assert found["response_rate"] == 100.0

        # Furniture waits 14 days; the one who answered gets no reminder.
        assert invitations.send_due(svc, now=utcnow() + timedelta(days=8))["sent"] == 0
        later = invitations.send_due(svc, now=utcnow() + timedelta(days=20))
        assert later == {"sent": 1, "reminded": 0, "skipped": 0}
        assert handler.messages[-1]["To"] == "boris@example.kz"
        boris = _parts(handler.messages[-1])["plain"]
        assert "Здравствуйте, Борис!" in boris or "Борис" in boris
        out = re.search(r"http://testserver(/s/unsubscribe/\S+)", boris)
        assert out and client.get(out.group(1)).status_code == 200
        assert client.post(out.group(1)).status_code == 200
    again = invitations.invite(svc, ws, record.name, contacts, timing)
    assert (again.created, again.recent, again.unsubscribed) == (0, 1, 1)


def test_a_closed_survey_shows_a_closed_page_and_refuses_the_form_and_the_api_until_reopened(
    sqlite_world: WebWorld,
) -> None:
    record = _survey(sqlite_world)
    svc = _svc(sqlite_world)
    client, api = sqlite_world.client, sqlite_world.api("viewer")
    answer = {"lang": "ru", "nps": "9", "category": "furniture"}
    responses = f"/api/v1/surveys/{record.id}/responses"
    viewer = sqlite_world.login("viewer")
    refused = viewer.post(
        f"/surveys/{record.id}/close", data={"csrf": csrf_of(viewer.get("/surveys").text)}
    )
    assert refused.status_code == 403 and not service.get(svc, svc.workspace(), record.id).is_closed
    client.post("/logout", data={"csrf": csrf_of(client.get("/surveys").text)})
    analyst = sqlite_world.login("analyst")
    editor = analyst.get(f"/surveys/{record.id}/edit")
    assert (
        'id="state-open"' in editor.text and f'action="/surveys/{record.id}/close"' in editor.text
    )
    closed = analyst.post(
        f"/surveys/{record.id}/close", data={"csrf": csrf_of(editor.text)}, follow_redirects=False
    )
    assert closed.status_code == 303
    editor = analyst.get(f"/surveys/{record.id}/edit")
    assert 'id="state-closed"' in editor.text and "Открыть опрос снова" in editor.text
    listed = analyst.get("/surveys").text
    assert re.search(r'class="survey-state">Закрыт с \d', listed)
    assert 'id="closed"' in analyst.get(f"/surveys/{record.id}").text  # the report says so
    state = client.get("/api/v1/surveys", headers=api).json()["items"][0]
    assert state["state"] == "closed" and state["closed_at"].endswith("Z")

    # The link and the widget: the page in the respondent's language, 410, no form.
    for asked, headers, phrase in (
        ("", {"Accept-Language": "kk-KZ,ru;q=0.8"}, "Бұл сауалнама жабық"),
        ("?lang=ru", {}, "Этот опрос закрыт"),
        ("?embed=1&lang=en", {}, "This survey is closed"),
    ):
        page = client.get(f"/s/{record.slug}{asked}", headers=headers)
        assert page.status_code == 410 and phrase in page.text and 'id="closed"' in page.text
        assert "<form" not in page.text and page.headers["cache-control"] == "no-store"
    assert 'class="survey embed"' in page.text and '<html lang="en">' in page.text
    posted = client.post(f"/s/{record.slug}", data={**answer, "lang": "kk"})
    assert posted.status_code == 410 and "Бұл сауалнама жабық" in posted.text
    by_app = client.post(responses, json={"answers": {"nps": 9}}, headers=api)
    assert by_app.status_code == 409 and "is closed" in by_app.json()["detail"]
    assert service.report(svc, svc.workspace(), record.name)["responses"] == 0

    analyst.post(f"/surveys/{record.id}/reopen", data={"csrf": csrf_of(editor.text)})
    form = client.get(f"/s/{record.slug}?lang=ru")
    assert form.status_code == 200 and 'id="survey-form"' in form.text
    assert 'id="thanks"' in client.post(f"/s/{record.slug}", data=answer).text
    assert client.post(responses, json={"answers": {"nps": 9}}, headers=api).status_code == 201
    assert service.report(svc, svc.workspace(), record.name)["responses"] == 2


def test_the_worker_holds_a_closed_surveys_due_invitations_and_sends_them_once_reopened(
    sqlite_world: WebWorld, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    handler, port = inbox
    app, settings = _mailing_app(sqlite_world, port)
    svc = app.state.web.svc
    ws = svc.workspace()
    record = _survey(sqlite_world)
    contacts = tmp_path / "orders.csv"
    contacts.write_text("email,name,language\naigerim@example.kz,Айгерім,kk\n", "utf-8")
    timing = invitations.Timing(after_days=0)
    assert invitations.invite(svc, ws, record.name, contacts, timing).created == 1
    service.close(svc, ws, record.name)

    worker = Worker(sqlite_world.store, settings)
    job_service.enqueue(svc, ws, "send_invitations", {})
    assert worker.run_one()
    while worker.run_one():  # the invitations' schedule may queue one of its own
        pass
    assert handler.messages == []
    (waiting,) = invitations.list_invitations(svc, ws, record.name)
    assert waiting.sent_at is None and waiting.skipped is None and waiting.error is None
    page = sqlite_world.login("analyst").get(f"/surveys/{record.id}")
    assert 'id="closed"' in page.text and "срок уже наступил: 1" in page.text

    service.reopen(svc, ws, record.name)
    job_service.enqueue(svc, ws, "send_invitations", {})
    assert worker.run_one()
    assert [m["To"] for m in handler.messages] == ["aigerim@example.kz"]
    with TestClient(app) as client:
        link = re.search(r"http://testserver(/s/\S+\?t=\S+)", _parts(handler.messages[0])["plain"])
        assert link and client.get(link.group(1)).status_code == 200


def test_deleting_asks_first_when_responses_would_go_and_campaign_pages_still_render(
    sqlite_world: WebWorld,
) -> None:
    svc = _svc(sqlite_world)
    ws = svc.workspace()
    empty = service.add_from_template(svc, ws, "Test", "csat", ["ru"])
    record = _survey(sqlite_world)
    for nps in (2, 10):
        service.respond(svc, ws, record, {"nps": nps}, "ru", "link")
    campaigns.add_campaign(
        svc, ws, "Весна", date.today() - timedelta(days=2), date.today(), surveys=[record.name]
    )
    client, api = sqlite_world.login("analyst"), sqlite_world.api("viewer")
    editor = client.get(f"/surveys/{empty.id}/edit")
    gone = client.post(
        f"/surveys/{empty.id}/delete", data={"csrf": csrf_of(editor.text)}, follow_redirects=False
    )
    assert gone.status_code == 303 and gone.headers["location"] == "/surveys"
    assert client.get(f"/surveys/{empty.id}/edit").status_code == 404

    editor = client.get(f"/surveys/{record.id}/edit")
    asked = client.post(f"/surveys/{record.id}/delete", data={"csrf": csrf_of(editor.text)})
    assert asked.status_code == 200 and 'id="delete-confirm"' in asked.text
    assert "В опросе 2 ответа." in asked.text and "2 созданных ими упоминания" in asked.text
    assert service.report(svc, ws, record.name)["responses"] == 2  # nothing went yet
    survey_mentions = "/api/v1/mentions?channel=survey"
    assert len(client.get(survey_mentions, headers=api).json()["items"]) == 2
    by_channel = "/api/v1/stats?by=channel"
    counts = {i["channel"]: i["count"] for i in client.get(by_channel, headers=api).json()["items"]}
    assert counts["survey"] == 2
    done = client.post(
        f"/surveys/{record.id}/delete",
        data={"csrf": csrf_of(asked.text), "with_responses": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get(f"/surveys/{record.id}").status_code == 404
    assert client.get(survey_mentions, headers=api).json()["items"] == []
    counts = {i["channel"]: i["count"] for i in client.get(by_channel, headers=api).json()["items"]}
    assert "survey" not in counts and sum(counts.values()) == 4  # the seed CSV's stay
    page = client.get(f"/campaigns/{quote('Весна')}")
    assert page.status_code == 200 and record.name not in page.text
    assert client.get("/reports/campaign.xlsx", params={"name": "Весна"}).status_code == 200


def test_the_api_closes_reopens_and_deletes_a_survey_only_with_with_responses(
    sqlite_world: WebWorld,
) -> None:
    svc = _svc(sqlite_world)
    record = _survey(sqlite_world)
    service.respond(svc, svc.workspace(), record, {"nps": 9}, "ru", "api")
    client, analyst = sqlite_world.client, sqlite_world.api("analyst")
    base = f"/api/v1/surveys/{record.id}"
    assert client.post(f"{base}/close", headers=sqlite_world.api("viewer")).status_code == 403
    closed = client.post(f"{base}/close", headers=analyst)
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert client.post(f"{base}/reopen", headers=analyst).json()["state"] == "open"
    refused = client.delete(base, headers=analyst)
    assert refused.status_code == 409 and refused.json()["parameter"] == "with_responses"
    assert "has responses (1)" in refused.json()["detail"]
    deleted = client.delete(f"{base}?with_responses=true", headers=analyst)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {
        "deleted": record.name,
        "responses": 1,
        "mentions": 1,
        "invitations": 0,
    }
    assert client.get(base, headers=analyst).status_code == 404


def test_the_widgets_state_says_open_or_closed_to_the_surveys_sites_only(
    sqlite_world: WebWorld,
) -> None:
    svc, client = _svc(sqlite_world), sqlite_world.client
    ws = svc.workspace()
    anywhere = _survey(sqlite_world)
    shop = "https://shop.example.kz"
    document = service.export_document(svc, ws, anywhere.name)
    document.update(name="On the shop", slug="on-the-shop", allow_origins=[shop])
    only_shop = service.import_document(svc, ws, document)[0]

    state = client.get(f"/s/{anywhere.slug}/state", headers={"Origin": "https://a.example"})
    assert state.status_code == 200 and state.json() == {"open": True}
    assert state.headers["access-control-allow-origin"] == "*"
    assert state.headers["cache-control"] == "no-store"
    mine = client.get(f"/s/{only_shop.slug}/state", headers={"Origin": shop})
    assert mine.json() == {"open": True} and mine.headers["access-control-allow-origin"] == shop
    other = client.get(f"/s/{only_shop.slug}/state", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers

    service.close(svc, ws, anywhere.name)
    closed = client.get(f"/s/{anywhere.slug}/state")
    assert closed.status_code == 200 and closed.json() == {"open": False}
    assert closed.headers["cache-control"] == "no-store"
    service.reopen(svc, ws, anywhere.name)
    assert client.get(f"/s/{anywhere.slug}/state").json() == {"open": True}

    unknown = client.get("/s/no-such-survey/state")
    assert unknown.status_code == 404 and unknown.json() == {"open": False}
    assert unknown.headers["access-control-allow-origin"] == "*"
