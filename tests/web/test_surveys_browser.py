"""Surveys in Chromium: answering in Kazakh on the public link, and through the widget on a
page of another origin."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from otklik.services import Services
from otklik.services import surveys as service
from tests.conftest import need_real_part
from tests.web.conftest import WebWorld, serve
from tests.web.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser


def _svc(world: WebWorld) -> Services:
    return world.app.state.web.svc  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def served(sqlite_world: WebWorld) -> Iterator[str]:
    """The app on a free loopback port (uvicorn in a thread)."""
    yield from serve(sqlite_world.app)


@pytest.fixture
def chromium() -> Iterator[Any]:
    """A headless Chromium (skips on a machine without it unless CI=true)."""
    if not os.path.exists(CHROMIUM):
        need_real_part(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A shop's site on another loopback origin: the folder it serves, and its origin."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    other = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{other.server_address[1]}"
    other.shutdown()
    other.server_close()


def _survey(world: WebWorld, allow: list[str]) -> Any:
    svc = _svc(world)
    ws = svc.workspace()
    service.add_from_template(svc, ws, "After delivery", "post-purchase", ["kk", "ru", "en"])
    document = service.export_document(svc, ws, "After delivery")
    document["review_links"] = [{"site": "2gis", "url": "https://2gis.kz/almaty/firm/1"}]
    document["allow_origins"] = allow
    return service.import_document(svc, ws, document)[0]


def test_a_customer_answers_in_kazakh_on_the_public_link(
    sqlite_world: WebWorld, served: str, chromium: Any
) -> None:
    from playwright.sync_api import expect

    record = _survey(sqlite_world, [])
    context = chromium.new_context(locale="kk-KZ", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{served}/s/{record.slug}")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("#q-nps legend")).to_contain_text("Бізді досыңызға")
    # The detractors' question appears only once the score calls for it.
    expect(page.locator("#q-what_went_wrong")).to_be_hidden()
    page.locator("#q-nps label.pick", has_text="3").click()
    expect(page.locator("#q-what_went_wrong")).to_be_visible()
    page.fill("#i-what_went_wrong", "Тапсырыс бір аптаға кешікті, курьер хабарласпады")
    page.get_by_label("Жиһаз").check()
    # Switching language midway keeps every answer; the switch shows above the title.
    switch = page.locator("nav.survey-langs")
    assert switch.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]  # type: ignore[index]
    switch.get_by_role("button", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#q-what_went_wrong legend")).to_contain_text("Что пошло не так?")
    expect(page.locator("#i-what_went_wrong")).to_have_value(
        "Тапсырыс бір аптаға кешікті, курьер хабарласпады"
    )
    expect(page.locator("#q-nps input[value='3']")).to_be_checked()
    expect(page.get_by_label("Мебель")).to_be_checked()
    page.locator("nav.survey-langs").get_by_role("button", name="Қазақша").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("#q-what_went_wrong")).to_be_visible()
    page.get_by_role("button", name="Жауаптарды жіберу").click()
    expect(page.locator("#thanks")).to_have_text("Рахмет!")
    context.close()

    svc = _svc(sqlite_world)
    found = service.responses_of(svc, record)
    assert [(r.language, r.via, r.nps, r.is_case) for r in found] == [("kk", "link", 3, True)]
    assert found[0].answers["category"] == "furniture"


def test_the_widget_opens_the_survey_on_a_page_of_another_origin(
    sqlite_world: WebWorld, served: str, chromium: Any, host: tuple[Path, str]
) -> None:
    from playwright.sync_api import expect

    site, origin = host
    record = _survey(sqlite_world, [origin])
    (site / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Shop</title></head><body>"
        "<h1>Дүкен</h1>"
        f'<script src="{served}/static/otklik-widget.js" data-survey="{record.slug}" '
        'data-lang="kk" async></script></body></html>',
        encoding="utf-8",
    )
    page = chromium.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{origin}/index.html")
    page.locator(".otklik-widget-button").click()
    frame = page.frame_locator("iframe.otklik-widget-frame")
    frame.locator("#q-nps label.pick", has_text="10").click()
    frame.get_by_role("button", name="Жауаптарды жіберу").click()
    expect(frame.locator("#thanks")).to_have_text("Рахмет!")
    expect(frame.locator("a.review-link")).to_have_attribute(
        "href", f"/s/{record.slug}/review/2gis"
    )
    page.close()
    found = service.responses_of(_svc(sqlite_world), record)
    assert [(r.language, r.via, r.nps, r.is_case) for r in found] == [("kk", "widget", 10, False)]


def test_the_widget_shows_its_button_only_while_the_survey_is_open(
    sqlite_world: WebWorld, served: str, chromium: Any, host: tuple[Path, str]
) -> None:
    from playwright.sync_api import expect

    site, origin = host
    record = _survey(sqlite_world, [origin])
    svc = _svc(sqlite_world)
    for slug in (record.slug, "no-such-survey"):
        (site / f"{slug}.html").write_text(
            "<!doctype html><html><head><meta charset='utf-8'><title>Shop</title></head><body>"
            "<h1>Дүкен</h1>"
            f'<script src="{served}/static/otklik-widget.js" data-survey="{slug}" '
            'data-lang="kk"></script></body></html>',
            encoding="utf-8",
        )
    page = chromium.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{origin}/{record.slug}.html")
    expect(page.locator(".otklik-widget-button")).to_have_text("Пікір қалдыру")

    service.close(svc, svc.workspace(), record.name)
    for slug in (record.slug, "no-such-survey"):
        with page.expect_response(lambda r: r.url.endswith("/state")) as asked:
            page.goto(f"{origin}/{slug}.html")
        assert asked.value.status in (200, 404)
        page.wait_for_timeout(500)  # the answer has come; give the script time to act on it
        expect(page.locator("h1")).to_have_text("Дүкен")
        expect(page.locator(".otklik-widget-button")).to_have_count(0)
    assert errors == []
    page.close()
