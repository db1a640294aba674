"""Every page in Kazakh, Russian and English in Chromium: signed in, language switched, each
page walked; no visible word from another language's catalog and no English month name."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need_real_part
from tests.web.conftest import PASSWORD, WebWorld, serve
from tests.web.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser

MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b"
)
# Visible text of the page, without what users wrote (mention texts, names, queries, e-mails).
VISIBLE_TEXT = """() => {
  const skip = `script, style, pre, code, textarea, td.text, .mention-text, .badge, .who,
    #preview-list, #top-tags a, select[name=brand] option, select[name=tag] option,
    #mention-head, #notes div, .logo, .langs, input`;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest(skip)) continue;
    // text marked as another language (a language's own name) is meant to be foreign
    const marked = parent.closest("[lang]");
    if (marked && marked !== document.documentElement
        && marked.getAttribute("lang") !== document.documentElement.lang) continue;
    if (parent.closest("option")) { out.push(text); continue; }
    if (parent.getClientRects().length === 0) continue;
    const style = getComputedStyle(parent);
    if (style.visibility === "hidden" || style.display === "none") continue;
    out.push(text);
  }
  document.querySelectorAll("[placeholder], [aria-label], [title]").forEach((el) => {
    if (el.closest(".langs")) return;
    ["placeholder", "aria-label", "title"].forEach((name) => {
      const value = el.getAttribute(name);
      if (value && !/^[A-Za-z"]+ OR /.test(value) && !/[*"]/.test(value)) out.push(value.trim());
    });
  });
  return out;
}"""


def _catalog_strings() -> dict[str, dict[str, str]]:
    """msgid → {language: the string shown} for every message (plural forms included)."""
    from otklik.i18n.maintenance import load

    table: dict[str, dict[str, str]] = {}
    for language in ("kk", "ru", "en"):
        for message in load(language):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for index, text in enumerate(strings):
                key = f"{ids[0]}|{index}"
                table.setdefault(key, {})[language] = text
    return table


def _foreign_patterns(language: str) -> list[tuple[str, re.Pattern[str]]]:
    """Strings of the other languages that differ from this language's, as patterns."""
    patterns = []
    for shown in _catalog_strings().values():
        mine = shown.get(language, "")
        for other, text in shown.items():
            if other == language or text == mine or len(text) < 3 or text in mine:
                continue
            parts = re.split(r"%\(\w+\)[sdr]", text)
            body = ".+?".join(re.escape(p) for p in parts)
            literal = sum(len(p.strip()) for p in parts)
            if literal < 3 or (len(parts) > 1 and literal < 8):  # too little to tell apart
                continue
            patterns.append((text, re.compile(rf"(?<![\w@.]){body}(?![\w@])")))
    return patterns


@pytest.fixture
def served(sqlite_world: WebWorld) -> Iterator[str]:
    """The world's app on a free loopback port."""
    yield from serve(sqlite_world.app)


@pytest.fixture
def browser() -> Iterator[object]:
    """Chromium (skips on a machine without it unless CI=true)."""
    if not os.path.exists(CHROMIUM):
        need_real_part(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def _check(page: object, language: str, where: str, patterns: list) -> list[str]:  # type: ignore[type-arg]
    texts: list[str] = page.evaluate(VISIBLE_TEXT)  # type: ignore[attr-defined]
    problems = []
    assert page.locator("html").get_attribute("lang") == language  # type: ignore[attr-defined]
    for text in texts:
        for source, pattern in patterns:
            if pattern.search(text):
                problems.append(f"{where}: {text!r} holds {source!r}, not {language}")
        if language != "en" and MONTHS.search(text):
            problems.append(f"{where}: English month name in {text!r}")
    return problems


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_page_speaks_the_chosen_language(
    browser: object, served: str, language: str, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    # The browser asks for another language: the switch must win over Accept-Language.
    other = {"kk": "en-US", "ru": "en-US", "en": "ru-RU"}[language]
    context = browser.new_context(base_url=served, locale=other)
    page = context.new_page()
    page.set_default_timeout(15000)
    shots = Path(os.environ.get("OTKLIK_SCREENSHOTS", tmp_path))
    patterns = _foreign_patterns(language)
    problems: list[str] = []

    def visit(where: str, url: str | None = None) -> None:
        if url is not None:
            page.goto(url)
        page.wait_for_load_state("networkidle")
        problems.extend(_check(page, language, where, patterns))
        # Nothing runs off a laptop's 1280-pixel window, however long the words get.
        wider = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if wider > 0:
            problems.append(f"{where}: the page is {wider}px wider than the window")
        page.screenshot(path=str(shots / f"{language}-{where}.png"), full_page=True)

    page.goto("/login")
    page.click(f"#language-switch a[lang={language}]")
    visit("login")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/")

    page.goto("/?since=2025-03-01&until=2025-03-31")
    expect(page.locator("#chart-volume .xtick text").first).to_be_visible()
    visit("overview")
    ticks = page.locator("#chart-volume .xtick text").all_text_contents()
    assert ticks and all(t.strip() for t in ticks)
    axis = page.locator("#chart-volume .xaxislayer-above").bounding_box()
    chart = page.locator("#chart-volume .main-svg").first.bounding_box()
    assert axis is not None and chart is not None
    assert axis["y"] + axis["height"] <= chart["y"] + chart["height"]  # nothing clipped

    visit("feed", "/mentions?language=ru&language=kk&since=01.01.2025")
    page.select_option("select[name=channel]", "review")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**channel=review**")
    visit("feed-filtered")
    page.locator("#feed tr.mention a").first.click()
    page.wait_for_url("**/mentions/*")
    visit("mention")

    bad = tmp_path / "img_0042.csv"  # a file name no catalog string matches
    bad.write_bytes(bytes(range(256)) * 64)
    page.goto("/import")
    page.fill("#import-source", "my-source")
    page.select_option("#import-channel", "maps")
    page.set_input_files("#import-file", str(bad))
    page.click("#import-submit")
    expect(page.locator("#import-error")).to_be_visible()
    expect(page.locator("#import-source")).to_have_value("my-source")
    expect(page.locator("#import-channel")).to_have_value("maps")
    visit("import-bad-file")

    page.goto("/brands")  # a brand whose history is matched again: a job to list
    page.fill("#brand-add input[name=name]", "BP")
    page.fill("#brand-add input[name=query]", "BystroPost")
    page.click("#brand-add button[type=submit]")
    expect(page.locator('.rematch[data-state="done"]')).to_have_count(1)
    for where in (
        "brands",
        "tags",
        "users",
        "jobs",
        "sources",
        "surveys",
        "campaigns",
        "utm",
        "alerts",
        "reports/schedules",
    ):
        visit(where, f"/{where}")
    context.close()
    assert problems == []


def test_api_docs_render_without_leaving_the_server(browser: object, served: str) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=served)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Otklik API")
    assert requested and all(url.startswith(served) for url in requested), requested
    context.close()
