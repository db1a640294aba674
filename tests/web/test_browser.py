"""The web UI in Chromium: sign in, import, filter, correct a sentiment, close a case."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import need_real_part
from tests.web.conftest import CSV, PASSWORD, WebWorld, serve

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(sqlite_world: WebWorld) -> Iterator[str]:
    """The world's app served by uvicorn in a thread on a free loopback port."""
    yield from serve(sqlite_world.app)


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    """A Chromium page (skips on a machine without Chromium unless CI=true)."""
    if not os.path.exists(CHROMIUM):
        need_real_part(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(base_url=base_url, locale="ru-RU")
        tab = context.new_page()
        tab.set_default_timeout(15000)
        yield tab
        context.close()
        browser.close()


def _login(page: object, role: str) -> None:
    page.goto("/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", f"{role}@example.com")  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit] >> text=Войти")  # type: ignore[attr-defined]
    page.wait_for_url("**/")  # type: ignore[attr-defined]


def test_analyst_imports_filters_corrects_and_closes_a_case(page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, "analyst")
    expect(page.locator("#kpi-total")).to_be_visible()

    upload = tmp_path / "reviews.csv"
    upload.write_text(
        CSV.replace("2025-03", "2025-05") + "Курьер Пакетон опоздал,2025-05-06 08:00,maps,2,Олег\n",
        encoding="utf-8",
    )
    page.goto("/import")
    page.set_input_files("#import-file", str(upload))
    page.click("#import-submit")
    expect(page.locator("#rows-imported")).to_have_text("5")
    expect(page.locator("#rows-rejected")).to_have_text("1")
    expect(page.locator("#rejected-link")).to_be_visible()

    page.goto("/mentions")
    page.select_option("select[name=channel]", "maps")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/mentions?*channel=maps*")
    rows = page.locator("#feed tr.mention")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Курьер Пакетон опоздал")

    rows.first.locator("a").first.click()
    page.wait_for_url("**/mentions/*")
    page.select_option("#sentiment-select", "negative")
    page.click("#save-sentiment")
    expect(page.locator("#sentiment")).to_have_text("негатив")
    page.select_option("#status-select", "resolved")
    page.fill("input[name=assignee]", "anna@example.com")
    page.click("#save-case")
    expect(page.locator("#case-status")).to_have_text("решено")
    expect(page.locator("#case-assignee")).to_have_text("anna@example.com")

    page.goto("/mentions?status=resolved")
    expect(page.locator("#feed tr.mention")).to_have_count(1)


def test_markup_in_mentions_is_shown_as_text_in_the_browser(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _login(page, "viewer")
    page.goto("/mentions?q=alert")
    row = page.locator("#feed tr.mention").first
    expect(row).to_contain_text("<script>alert(1)</script>")
    expect(row).to_contain_text("<b>x</b>")
    assert page.locator("#feed b:text-is('x')").count() == 0
    row.locator("a").first.click()
    expect(page.locator("#mention-text")).to_contain_text("<script>alert(1)</script> и <b>x</b>")
    assert dialogs == []
    expect(page.locator("#save-case")).to_have_count(0)  # a viewer gets no forms


def test_overview_charts_link_to_the_filtered_feed(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _login(page, "viewer")
    page.goto("/?since=2025-03-01&until=2025-03-31")
    expect(page.locator("#chart-channels .main-svg").first).to_be_visible()
    expect(page.locator("#chart-ratings .bars .point")).to_have_count(5)  # fetched after load
    expect(page.locator("#top-tags-empty")).to_be_visible()
    bar = page.locator("#chart-channels .bars .point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y - 5)
    page.mouse.move(x, y, steps=3)  # Plotly clicks the point it last hovered
    page.mouse.click(x, y)
    page.wait_for_url("**/mentions?*channel=*")
    expect(page.locator("#feed tr.mention")).to_have_count(1)


def test_language_switch_in_the_browser(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/login")
    page.click("#language-switch a[lang=en]")
    expect(page.locator("h1")).to_have_text("Sign in")
    page.reload()
    expect(page.locator("h1")).to_have_text("Sign in")


def test_brand_page_shows_rematch_progress_until_done(page: object, sqlite_world: WebWorld) -> None:
    from playwright.sync_api import Page, expect

    from otklik.services.jobs import rematch_key
    from otklik.storage import jobqueue, utcnow

    assert isinstance(page, Page)
    _login(page, "analyst")
    page.goto("/brands")
    page.fill("#brand-add input[name=name]", "BP")
    page.fill("#brand-add input[name=query]", 'BystroPost OR "Быстрая Почта"')
    page.click("#brand-add button[type=submit]")
    line = page.locator('.rematch[data-kind="brand"]')
    expect(line).to_have_text("История пересчитана: найдено в 2 упоминаниях")

    # The line follows the job while it runs (here a worker of the test's own).
    state = sqlite_world.app.state.web  # type: ignore[attr-defined]
    state.worker.stop(timeout=30)
    ws = sqlite_world.store.workspaces()[0]
    brand_id = int(line.get_attribute("data-id") or 0)
    with sqlite_world.store.begin() as conn:
        jobqueue.enqueue(
            conn,
            ws.id,
            "rematch_brand",
            {"brand_id": brand_id},
            utcnow(),
            dedupe_key=rematch_key("brand", brand_id),
        )
    job = jobqueue.claim(sqlite_world.store.engine, "test", utcnow(), timedelta(seconds=60))
    assert job is not None
    with sqlite_world.store.begin() as conn:
        jobqueue.report(conn, job.id, "test", done=1000, total=4000)
    page.reload()
    expect(line).to_have_text("История: пересчитано 1000 из 4000 упоминаний")
    with sqlite_world.store.begin() as conn:
        jobqueue.finish(conn, job.id, "test", "done", utcnow(), result={"matched": 7})
    expect(line).to_have_text("История пересчитана: найдено в 7 упоминаниях")
    expect(line).to_have_attribute("data-state", "done")
