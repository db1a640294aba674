"""Campaign, SMM and UTM pages: create a campaign and a goal through the forms, read the
report in Kazakh, download PDF and XLSX with the same numbers, lint pasted links."""

from __future__ import annotations

import io
from pathlib import Path

from otklik.services import Services, posts
from tests.services.test_campaigns import POSTS, TRAFFIC
from tests.web.conftest import WebWorld, csrf_of


def _import(world: WebWorld, tmp_path: Path) -> None:
    svc = Services.open(world.settings, world.store)
    ws = svc.workspace()
    for name, text, kind in (("p.csv", POSTS, "post"), ("t.csv", TRAFFIC, "traffic")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        posts.import_sheet(svc, ws, tmp_path / name, kind)


def test_campaign_report_page_pdf_and_xlsx(sqlite_world: WebWorld, tmp_path: Path) -> None:
    world = sqlite_world
    _import(world, tmp_path)
    client = world.login("analyst")
    page = client.get("/campaigns")
    form = {
        "csrf": csrf_of(page.text),
        "name": "Көктем",
        "starts_on": "2025-03-03",
        "ends_on": "2025-03-09",
        "utm_campaigns": "spring_sale",
        "partners": "Kaspi",
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


def test_smm_page_and_utm_lint(sqlite_world: WebWorld, tmp_path: Path) -> None:
    world = sqlite_world
    _import(world, tmp_path)
    client = world.login("viewer")
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
