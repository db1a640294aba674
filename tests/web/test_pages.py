"""Server-rendered pages: sign-in, CSRF, roles, escaping, case work, exports, language."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from otklik.storage import catalog, utcnow
from otklik.web.auth import PRE_SESSION_COOKIE, SESSION_COOKIE
from tests.web.conftest import PASSWORD, WebWorld, csrf_of, wait_for_rematch


def overview_data(client: Any, **params: str) -> dict[str, Any]:
    """The numbers the overview page embeds for its charts."""
    html = client.get("/", params=params).text
    found = re.search(
        r'<script type="application/json" id="overview-data">(.*?)</script>', html, re.S
    )
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _mention_id(world: WebWorld, text_part: str) -> int:
    body = world.client.get("/api/v1/mentions", headers=world.api("viewer")).json()
    return next(int(m["id"]) for m in body["items"] if text_part in m["text"])


def test_pages_redirect_to_login_without_a_session(sqlite_world: WebWorld) -> None:
    for path in ("/", "/mentions", "/import", "/brands", "/users", "/mentions/1"):
        response = sqlite_world.client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_login_sets_a_httponly_samesite_session_cookie(sqlite_world: WebWorld) -> None:
    client = sqlite_world.client
    page = client.get("/login")
    assert "Добро пожаловать в Otklik" in page.text  # one language per page
    response = client.post(
        "/login",
        follow_redirects=False,
        data={
            "email": "Analyst@Example.com",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if SESSION_COOKIE in h)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/").status_code == 200


def test_login_without_csrf_token_is_refused(sqlite_world: WebWorld) -> None:
    client = sqlite_world.client
    client.get("/login")
    response = client.post(
        "/login", data={"email": "admin@example.com", "password": PASSWORD, "csrf": "forged"}
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_login_attempts_are_rate_limited(sqlite_world: WebWorld) -> None:
    client = sqlite_world.client
    token = csrf_of(client.get("/login").text)
    codes = [
        client.post(
            "/login", data={"email": "viewer@example.com", "password": "wrong-one", "csrf": token}
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    limited = client.post(
        "/login", data={"email": "viewer@example.com", "password": PASSWORD, "csrf": token}
    )
    assert limited.status_code == 429
    assert "Слишком много попыток" in limited.text or "Too many" in limited.text
    assert int(limited.headers["retry-after"]) > 0
    other = client.post(
        "/login",
        follow_redirects=False,
        data={"email": "admin@example.com", "password": PASSWORD, "csrf": token},
    )
    assert other.status_code == 303


def test_forms_without_the_session_csrf_token_change_nothing(sqlite_world: WebWorld) -> None:
    pre_token = csrf_of(sqlite_world.client.get("/login").text)  # before the session: wrong
    client = sqlite_world.login("analyst")
    mid = _mention_id(sqlite_world, "задержала")
    for token in ("", "forged", pre_token):
        response = client.post(
            f"/mentions/{mid}", data={"action": "case", "status": "resolved", "csrf": token}
        )
        assert response.status_code == 403
    assert sqlite_world.store.mention(sqlite_world.store.workspaces()[0], mid).status == "new"


def test_analyst_works_a_case_from_the_mention_page(sqlite_world: WebWorld) -> None:
    world = sqlite_world
    ws = world.store.workspaces()[0]
    with world.store.begin() as conn:
        catalog.add_tag(conn, ws.id, "сроки", None, utcnow())
    client = world.login("analyst")
    mid = _mention_id(world, "задержала")
    page = client.get(f"/mentions/{mid}")
    token = csrf_of(page.text)
    for data in (
        {"action": "sentiment", "sentiment": "negative"},
        {"action": "tag_add", "tag": "сроки"},
        {"action": "note", "body": "Проверить склад"},
        {"action": "reply", "body": "Извините за задержку"},
        {"action": "case", "status": "resolved", "assignee": "anna@example.com"},
    ):
        response = client.post(
            f"/mentions/{mid}", data={**data, "csrf": token}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
    record = world.store.mention(ws, mid)
    assert (record.status, record.assignee, record.tags) == (
        "resolved",
        "anna@example.com",
        ["сроки"],
    )
    assert record.analysis.sentiment == "negative" and record.first_response_at is not None
    notes = world.store.notes(ws, mid)
    assert [(n["kind"], n["author"]) for n in notes] == [
        ("note", "analyst@example.com"),
        ("reply", "analyst@example.com"),
    ]
    page = client.get(f"/mentions/{mid}").text
    assert "Проверить склад" in page and "Извините за задержку" in page
    assert "ответа ещё нет" not in page and "no reply yet" not in page


def test_viewer_sees_no_forms_and_cannot_post(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("viewer")
    mid = _mention_id(sqlite_world, "задержала")
    page = client.get(f"/mentions/{mid}")
    assert page.status_code == 200 and 'name="action"' not in page.text
    token = csrf_of(page.text)  # the logout form's token
    refused = [
        client.post(
            f"/mentions/{mid}", data={"action": "case", "status": "resolved", "csrf": token}
        ),
        client.post("/brands", data={"name": "X", "query": "x", "csrf": token}),
        client.post("/tags", data={"name": "x", "csrf": token}),
        client.post(
            "/users",
            data={"email": "e@x.io", "role": "admin", "password": "12345678", "csrf": token},
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert client.get("/import").status_code == 403
    assert client.get("/users").status_code == 403
    assert sqlite_world.store.mention(sqlite_world.store.workspaces()[0], mid).status == "new"


def test_markup_in_user_text_is_shown_as_text(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("viewer")
    mid = _mention_id(sqlite_world, "<script>")
    for html in (client.get("/mentions").text, client.get(f"/mentions/{mid}").text):
        assert "<script>alert(1)</script>" not in html
        assert "<b>x</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_feed_keeps_filters_in_the_url_and_pages(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("viewer")
    page = client.get("/mentions?channel=review&channel=vk").text
    rows = re.findall(r'<tr class="mention" data-id="(\d+)"', page)
    assert len(rows) == 2
    assert "channel=review&amp;channel=vk" in page  # export links keep the view
    bad = client.get("/mentions?sentiment=happy")
    assert bad.status_code == 422 and "sentiment" in bad.text
    flagged = client.get("/mentions?complaint=no&question=yes").text
    assert re.findall(r'<tr class="mention"', flagged) == []  # nothing here asks a question
    assert re.search(r'<option value="yes" selected>', flagged)


def test_export_has_tags_brands_and_case_fields(sqlite_world: WebWorld) -> None:
    world = sqlite_world
    client = world.login("analyst")
    mid = _mention_id(world, "задержала")
    token = csrf_of(client.get(f"/mentions/{mid}").text)
    client.post(
        f"/mentions/{mid}",
        data={
            "action": "case",
            "status": "in_progress",
            "assignee": "anna@example.com",
            "csrf": token,
        },
    )
    as_csv = client.get("/mentions/export.csv?channel=review")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    # headers in the reader's language; the values stay codes a script can compare
    assert {"Теги", "Бренды", "Статус", "Ответственный", "Первый ответ"} <= set(rows[0])
    assert (rows[0]["Статус"], rows[0]["Ответственный"]) == ("in_progress", "anna@example.com")
    as_xlsx = client.get("/mentions/export.xlsx")
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("ID", "Опубликовано", "Канал") and len(values) == 5
    dangerous = [v for row in values for v in row if isinstance(v, str) and v.startswith("=")]
    assert dangerous == []


def test_a_view_too_big_to_download_at_once_is_written_by_a_job(
    sqlite_world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from otklik.services import mentions

    monkeypatch.setattr(mentions, "WEB_INLINE_ROWS", 2)  # the seed has 4 mentions
    client = sqlite_world.login("viewer")
    page = client.get("/mentions/export.csv?since=2025-01-01")
    assert page.status_code == 200 and 'id="export-prepare"' in page.text
    assert re.search(r'id="export-total">[^<]*4', page.text)
    bad = client.post("/mentions/export.csv", data={"csrf": "forged"})
    assert bad.status_code == 403
    queued = client.post(
        "/mentions/export.csv?since=2025-01-01",
        data={"csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert queued.status_code == 303 and queued.headers["location"].startswith("/jobs#job-")
    job_id = int(queued.headers["location"].rsplit("-", 1)[1])
    deadline = time.monotonic() + 60
    while f'href="/jobs/{job_id}/download"' not in (jobs := client.get("/jobs").text):
        assert time.monotonic() < deadline, jobs
        time.sleep(0.1)
    got = client.get(f"/jobs/{job_id}/download")
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert len(rows) == 4 and "Теги" in rows[0]  # headers in the reader's language
    assert client.get(f"/jobs/{job_id + 1}/download").status_code == 404
    assert client.get("/mentions/export.csv?channel=vk").status_code == 200  # small: at once


def test_overview_renders_chart_data_with_feed_links(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("viewer")
    data = overview_data(client, since="2025-03-01", until="2025-03-31")
    assert data["total"] == 4
    assert {c["name"] for c in data["channels"]} == {"review", "appstore", "vk", "telegram"}
    assert all(c["url"].startswith("/mentions?") for c in data["channels"])
    assert sum(sum(s["counts"]) for s in data["volume"]) == 4
    assert data["tags"] == []  # no tags yet, for all brands or one
    one_brand = overview_data(client, since="2025-03-01", until="2025-03-31", brand="X")
    tags = {"tags": one_brand["tags"]}
    assert tags == {"tags": []}
    ratings = {"ratings": data["ratings"]}
    assert [r["count"] for r in ratings["ratings"]] == [1, 0, 0, 0, 1]
    assert ratings["ratings"][0]["url"].startswith("/mentions?")
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert client.get("/vendor/plotly.min.js").headers["content-type"].startswith("text/javascript")


def test_language_switch_is_remembered(sqlite_world: WebWorld) -> None:
    client = sqlite_world.client
    assert "Войти" in client.get("/login").text
    client.get("/lang/en?next=/login")
    assert "Sign in" in client.get("/login").text
    client.get("/lang/ru")
    assert "Войти" in client.get("/login").text


def test_admin_creates_a_token_shown_once_and_revokes_it(sqlite_world: WebWorld) -> None:
    world = sqlite_world
    client = world.login("admin")
    page = client.get("/users")
    token = csrf_of(page.text)
    client.post(
        "/users",
        data={
            "email": "new@example.com",
            "role": "viewer",
            "password": "long-enough-1",
            "csrf": token,
        },
    )
    assert "new@example.com" in client.get("/users").text
    from otklik.storage import users as accounts

    with world.store.connect() as conn:
        new = accounts.user_by_email(conn, "new@example.com")
    assert new is not None and new.role == "viewer" and new.password_hash.startswith("$argon2")
    shown = client.post(f"/users/{new.id}/tokens", data={"name": "bi", "csrf": token}).text
    secret = re.search(r'<code class="token">([^<]+)</code>', shown)
    assert secret
    headers = {"Authorization": f"Bearer {secret.group(1)}"}
    assert client.get("/api/v1/mentions", headers=headers).status_code == 200
    assert secret.group(1) not in client.get("/users").text
    with world.store.connect() as conn:
        token_id = next(t.id for t in accounts.list_tokens(conn) if t.name == "bi")
    client.post(f"/tokens/{token_id}/revoke", data={"csrf": token})
    assert client.get("/api/v1/mentions", headers=headers).status_code == 401


def test_import_from_the_browser_links_rejected_rows(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("analyst")
    token = csrf_of(client.get("/import").text)
    body = "text,date\nновый отзыв,2025-04-01\n,2025-04-02\n".encode()
    page = client.post(
        "/import",
        data={"csrf": token, "channel": "review"},
        files={"file": ("new.csv", body, "text/csv")},
    )
    assert page.status_code == 200
    assert re.search(r'id="rows-imported">1<', page.text)
    link = re.search(r'id="rejected-link" href="([^"]+)"', page.text)
    assert link
    rejected = client.get(link.group(1)).content.decode("utf-8-sig")
    assert rejected.splitlines()[0] == "row,field,reason,raw" and len(rejected.splitlines()) == 2


def test_import_page_names_the_sheets_read_and_skipped(
    sqlite_world: WebWorld, tmp_path: Path
) -> None:
    from tests.ingest.test_sheets import write_workbook

    client = sqlite_world.login("analyst")
    token = csrf_of(client.get("/import").text)
    body = write_workbook(tmp_path / "book.xlsx").read_bytes()
    page = client.post("/import", data={"csrf": token}, files={"file": ("book.xlsx", body)})
    assert page.status_code == 200
    read = re.search(r'id="sheets-read">[^:]+: ([^<]+)<', page.text)
    assert read and read.group(1) == "March, April"
    skipped = re.findall(r'class="sheet-skipped">[^:]+: ([^<]+)<', page.text)
    assert skipped == ["Notes (другие столбцы: Комментарий, Кто)", "Empty (пустой)"]


def test_pages_name_the_time_zone_and_show_local_times(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("viewer")
    for path in ("/", "/mentions"):
        label = re.search(r'id="timezone"[^>]*>([^<]+)<', client.get(path).text)
        assert label and label.group(1) == "Часовой пояс: UTC", path
    feed = client.get("/mentions").text
    # CLDR date and time in the workspace zone, the zone named in the column header
    assert "01.03.2025, 10:00" in feed and '<span class="muted">UTC</span>' in feed


def test_brand_and_tag_pages_save_queries_and_preview_matches(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("analyst")
    token = csrf_of(client.get("/brands").text)
    response = client.post(
        "/brands",
        data={
            "name": "Быстрая Почта",
            "own": "1",
            "csrf": token,
            "query": 'BystroPost OR "Быстрая Почта"',
        },
    )
    assert response.status_code == 200 and "BystroPost OR" in response.text
    preview = client.get("/preview", params={"q": 'BystroPost OR "Быстрая Почта"'}).json()
    assert len(preview["items"]) == 2
    viewer = sqlite_world.api("viewer")
    # stored mentions are matched again in the background when a brand is saved
    assert wait_for_rematch(sqlite_world, "brand", "Быстрая Почта")["matched"] == 2
    in_brand = client.get("/api/v1/mentions?brand=Быстрая Почта", headers=viewer).json()["items"]
    assert len(in_brand) == 2
    client.post("/tags", data={"name": "доставка", "query": "доставка OR delivered", "csrf": token})
    assert "доставка" in client.get("/tags").text
    assert wait_for_rematch(sqlite_world, "tag", "доставка")["state"] == "done"
    tagged = client.get("/api/v1/mentions?tag=доставка", headers=viewer).json()["items"]
    assert len(tagged) == 2
    top = overview_data(client, since="2025-03-01", until="2025-03-31", brand="Быстрая Почта")[
        "tags"
    ]
    assert [(t["name"], t["count"], t["change"]) for t in top] == [("доставка", 1, None)]
    ws = sqlite_world.store.workspaces()[0]
    with sqlite_world.store.connect() as conn:
        assert [t.query for t in catalog.list_tags(conn, ws.id)] == ["доставка OR delivered"]
    assert PRE_SESSION_COOKIE  # the login page's cookie name is part of the contract


def test_signing_out_ends_the_session_even_if_the_cookie_is_kept(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("viewer")
    kept = next(c for c in client.cookies.jar if c.name == SESSION_COOKIE)
    assert kept.value and client.get("/", follow_redirects=False).status_code == 200
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    # put it back under the domain it was issued for, so the next sign-in replaces it instead
    # of sending two cookies of the same name, which the server would read in either order
    client.cookies.set(SESSION_COOKIE, kept.value or "", domain=kept.domain, path=kept.path)
    assert client.get("/", follow_redirects=False).status_code == 303
    again = sqlite_world.login("viewer")  # a new sign-in works at once
    assert again.get("/", follow_redirects=False).status_code == 200


def test_a_time_zone_changed_elsewhere_shows_without_a_restart(
    sqlite_world: WebWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from otklik.services import Services, zones
    from otklik.web import deps

    monkeypatch.setattr(deps, "WORKSPACE_TTL_S", 0.0)
    client = sqlite_world.login("viewer")
    assert "UTC" in client.get("/mentions").text
    other = Services.open(sqlite_world.settings)  # as `otklik workspace set-timezone` does
    zones.set_timezone(other, other.workspace(), "Asia/Almaty")
    other.store.close()
    assert "Asia/Almaty" in client.get("/mentions").text
