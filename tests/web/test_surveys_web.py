"""Surveys over HTTP: the public form without JavaScript, the responses API, the editor and
report pages, and e-mail invitations through a real SMTP server sent by the worker."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from otklik.jobs.worker import Worker
from otklik.services import Services, invitations
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


def test_invitations_reach_smtp_when_due_with_a_link_that_works_once(
    sqlite_world: WebWorld,
    inbox: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    handler, port = inbox
    settings = Settings(
        **{
            **sqlite_world.settings.model_dump(),
            "smtp_url": f"smtp://127.0.0.1:{port}",
            "smtp_from": "otklik@example.com",
            "public_url": "http://testserver",
            "embedded_worker": False,
        }
    )
    app = create_app(settings, sqlite_world.store)
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
