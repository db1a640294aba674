"""Campaign, SMM and UTM pages: create a campaign and a goal through the forms, read the
report in Kazakh, download PDF and XLSX with the same numbers, lint pasted links."""

from __future__ import annotations

import html
import io
import re
import time
from datetime import date
from pathlib import Path

import pytest

from otklik.services import Services, posts
from otklik.services import campaigns as camp
from tests.conftest import Inbox
from tests.services.test_campaigns import POSTS, TRAFFIC
from tests.web import test_browser
from tests.web.conftest import WebWorld, build_world, csrf_of

# Chromium on the world's app served on a free loopback port, as the browser tests have it.
base_url = test_browser.base_url
page = test_browser.page


def _import(world: WebWorld, tmp_path: Path) -> None:
    svc = Services.open(world.settings, world.store)
    ws = svc.workspace()
    for name, text, kind in (("p.csv", POSTS, "post"), ("t.csv", TRAFFIC, "traffic")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        posts.import_sheet(svc, ws, tmp_path / name, kind)


def test_campaign_report_page_pdf_and_xlsx(sqlite_world: WebWorld, tmp_path: Path) -> None:
    world = sqlite_world
    _import(world, tmp_path)
    from otklik.services import surveys

    svc = Services.open(world.settings, world.store)
    surveys.add_from_template(svc, svc.workspace(), "Kaspi debrief", "partner-debrief")
    client = world.login("analyst")
    page = client.get("/campaigns")
    assert 'name="surveys"' in page.text
    form = {
        "csrf": csrf_of(page.text),
        "name": "Көктем",
        "starts_on": "2025-03-03",
        "ends_on": "2025-03-09",
        "utm_campaigns": "spring_sale",
        "partners": "Kaspi",
        "surveys": "Kaspi debrief",
    }
    bad = client.post("/campaigns", data={**form, "ends_on": "2025-03-01"})
    assert bad.status_code == 422 and "Көктем" in bad.text
    made = client.post("/campaigns", data=form, follow_redirects=False)
    assert made.status_code == 303
    report_url = made.headers["location"]
    goal = {"csrf": form["csrf"], "metric": "sessions", "target": "150"}
    assert client.post(report_url + "/goals", data=goal).status_code == 200
    client.get("/lang/kk")
    page = client.get(report_url)
    assert page.status_code == 200
    assert "орындалды" in page.text  # the goal is met, in Kazakh
    assert 'data-chart="' in page.text and "Сеанстар" in page.text
    assert "Kaspi" in page.text and "email-body" in page.text
    assert "Серіктес пен команданың жауаптары" in page.text  # the linked debrief's section
    unlinked = client.post(report_url + "/surveys", data={"csrf": form["csrf"]})
    assert 'id="surveys-link"' in unlinked.text
    assert "Серіктес пен команданың жауаптары" not in unlinked.text
    pdf = client.get("/reports/campaign.pdf", params={"name": "Көктем"})
    assert pdf.headers["content-type"] == "application/pdf"
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf.content)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Көктем" in text and "орындалды" in text
    image = document[0].render(scale=1).to_pil().convert("L")
    assert image.getextrema()[0] < 100  # the first page has ink on it
    assert any(
        document[i].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE])
        for i in range(len(document))
    )  # charts are images
    document.close()
    xlsx = client.get("/reports/campaign.xlsx", params={"name": "Көктем"})
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    goals = next(s for s in book.worksheets if s["A1"].value.startswith("Мақсат"))
    row = [c.value for c in goals[3]]
    assert row[1:3] == [150, 200]  # target and actual stored as numbers


def test_uploaded_posts_are_imported_by_a_job_and_the_smm_page_shows_them(
    sqlite_world: WebWorld,
) -> None:
    world = sqlite_world
    client = world.login("analyst")
    page = client.get("/campaigns")
    sent = client.post(
        "/campaigns/import",
        data={"csrf": csrf_of(page.text), "kind": "post"},
        files={"file": ("posts.csv", POSTS.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/jobs"
    deadline = time.monotonic() + 60
    while True:
        items = client.get("/api/v1/jobs", headers=world.api("analyst")).json()["items"]
        job = next(j for j in items if j["kind"] == "sheet_import")
        if job["status"] not in ("queued", "running"):
            break
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert job["status"] == "done" and job["result"]["added"] == 5
    page = client.get("/reports/smm", params={"since": "2025-03-03", "until": "2025-03-09"})
    assert page.status_code == 200 and "section-heatmap" in page.text
    built = client.get(
        "/utm",
        params={
            "url": "https://a.kz/?x=1#f",
            "source": "VK",
            "medium": "social",
            "campaign": "Spring Sale",
        },
    )
    assert (
        "https://a.kz/?x=1&amp;utm_source=vk&amp;utm_medium=social&amp;utm_campaign=spring_sale#f"
        in built.text
    )
    links = (
        "https://a.kz/?utm_source=Vk\nhttps://a.kz/?utm_source=vk\nhttps://a.kz/?utm_source=vk\n"
    )
    linted = client.post("/utm/lint", data={"csrf": csrf_of(built.text), "links": links})
    assert "<code>vk</code> ×2, <code>Vk</code> ×1" in linted.text


@pytest.mark.browser
def test_campaign_report_draws_its_charts_in_chromium(
    sqlite_world: WebWorld, tmp_path: Path, page: object
) -> None:
    _import(sqlite_world, tmp_path)
    svc = Services.open(sqlite_world.settings, sqlite_world.store)
    ws = svc.workspace()
    camp.add_campaign(
        svc, ws, "Көктем", date(2025, 3, 3), date(2025, 3, 9), utm_campaigns=["spring_sale"]
    )
    camp.add_goal(svc, ws, "Көктем", "sessions", 150)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    test_browser._login(page, "viewer")
    page.goto("/lang/kk?next=/campaigns")  # type: ignore[attr-defined]
    page.click("#campaigns a")  # type: ignore[attr-defined]
    page.wait_for_selector("#section-heatmap .chart .main-svg")  # type: ignore[attr-defined]
    assert page.locator("#section-goals").inner_text().count("орындалды") == 1  # type: ignore[attr-defined]
    drawn = page.locator("[data-chart] .main-svg").count()  # type: ignore[attr-defined]
    assert drawn >= 5 and errors == []


def test_api_lists_campaigns_and_gives_a_report(sqlite_world: WebWorld, tmp_path: Path) -> None:
    world = sqlite_world
    _import(world, tmp_path)
    svc = Services.open(world.settings, world.store)
    camp.add_campaign(svc, svc.workspace(), "Spring", date(2025, 3, 3), date(2025, 3, 9))
    headers = world.api("viewer")
    listed = world.client.get("/api/v1/campaigns", headers=headers).json()["items"]
    assert [(c["name"], c["from"]) for c in listed] == [("Spring", "2025-03-03")]
    smm = world.client.get(
        "/api/v1/reports/smm",
        params={"since": "2025-03-03", "until": "2025-03-09"},
        headers=headers,
    ).json()
    assert smm["posts"] == 4 and smm["by_format"]
    missing = world.client.get("/api/v1/reports/campaign", params={"name": "x"}, headers=headers)
    assert missing.status_code == 404
    backwards = world.client.get(
        "/api/v1/reports/brand",
        params={"since": "2025-03-09", "until": "2025-03-01"},
        headers=headers,
    )
    assert backwards.status_code == 422


def test_partner_email_is_drafted_in_russian_and_sent(
    sqlite_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    for world in build_world(
        sqlite_url, tmp_path, smtp_url=f"smtp://127.0.0.1:{port}", smtp_from="otklik@example.kz"
    ):
        _import(world, tmp_path)
        svc = Services.open(world.settings, world.store)
        camp.add_campaign(
            svc,
            svc.workspace(),
            "Весна",
            date(2025, 3, 3),
            date(2025, 3, 9),
            utm_campaigns=["spring_sale"],
        )
        camp.add_goal(svc, svc.workspace(), "Весна", "sessions", 150)
        client = world.login("analyst")
        page = client.get("/campaigns/Весна", params={"email_lang": "ru"})
        body = re.search(r'<textarea id="email-body"[^>]*>([^<]*)</textarea>', page.text)
        assert body is not None and "Спасибо за нашу совместную кампанию" in body.group(1)
        sent = client.post(
            "/campaigns/Весна/email",
            data={
                "csrf": csrf_of(page.text),
                "to": "partner@kaspi.example",
                "lang": "ru",
                "subject": "Итоги",
                "body": html.unescape(body.group(1)) + "\nP.S. <b>",
            },
        )
        assert "email-sent" in sent.text
        [message] = handler.messages
        assert message["To"] == "partner@kaspi.example"
        text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Сеансы: 200 при цели 150 (выполнена)" in text
        assert "&lt;b&gt;" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]
