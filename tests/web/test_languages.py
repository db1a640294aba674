"""The page language: the user's stored setting, then the browser, then the workspace default;
refused forms come back in that language with what the user typed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from otklik.services import users as accounts
from otklik.services.context import Services
from tests.web.conftest import PASSWORD, WebWorld, csrf_of


def _sign_in(client: TestClient, role: str) -> None:
    page = client.get("/login")
    data = {"email": f"{role}@example.com", "password": PASSWORD, "csrf": csrf_of(page.text)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303


def test_language_comes_from_user_then_browser_then_workspace(sqlite_world: WebWorld) -> None:
    app = sqlite_world.app
    with TestClient(app) as plain:
        assert '<html lang="ru">' in plain.get("/login").text  # the workspace default
    with TestClient(app, headers={"Accept-Language": "kk-KZ,ru;q=0.5"}) as kazakh:
        assert "Құпиясөзді ұмыттыңыз ба?" in kazakh.get("/login").text
        _sign_in(kazakh, "viewer")
        kazakh.get("/lang/en?next=/")
        still = kazakh.get("/", follow_redirects=False)  # a new language is no sign-out
        assert still.status_code == 200 and '<html lang="en">' in still.text
    svc = Services.open(sqlite_world.settings, sqlite_world.store)
    stored = accounts.user_by_email(svc, "viewer@example.com")
    assert stored is not None and stored.language == "en"
    # A new browser that prefers Kazakh: the user's setting wins once signed in.
    with TestClient(app, headers={"Accept-Language": "kk"}) as elsewhere:
        assert '<html lang="kk">' in elsewhere.get("/login").text
        _sign_in(elsewhere, "viewer")
        overview = elsewhere.get("/")
        assert '<html lang="en">' in overview.text and "Share of voice" in overview.text


def test_a_refused_brand_query_comes_back_with_what_was_typed(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("analyst")
    token = csrf_of(client.get("/brands").text)
    form = {"name": "Новый бренд", "query": '"BystroPost AND (', "own": "1", "csrf": token}
    refused = client.post("/brands", data=form)
    assert refused.status_code == 422
    assert "Запрос не удалось разобрать" in refused.text
    assert 'value="Новый бренд"' in refused.text
    assert 'value="&#34;BystroPost AND ("' in refused.text


def test_a_date_typed_in_the_users_format_filters_the_feed(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("viewer")
    feed = client.get("/mentions?since=02.03.2025&until=03.03.2025")
    assert feed.status_code == 200 and feed.text.count('class="mention"') == 2
    assert 'placeholder="дд.мм.гггг"' in feed.text and 'value="02.03.2025"' in feed.text
    bad = client.get("/mentions?since=32.13.2025")
    assert bad.status_code == 422 and "Вводите даты в формате поля" in bad.text
    assert 'value="32.13.2025"' in bad.text


def test_a_binary_upload_comes_back_on_the_import_page(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("analyst")
    page = client.get("/import", headers={"Accept-Language": "kk"})
    token = csrf_of(page.text)
    refused = client.post(
        "/import",
        data={"csrf": token, "source": "фото", "channel": "maps"},
        files={"file": ("photo.csv", bytes(range(256)) * 64, "text/csv")},
    )
    assert refused.status_code == 422
    assert "photo.csv" in refused.text and 'id="import-error"' in refused.text
    assert 'value="фото"' in refused.text and '<option value="maps" selected>' in refused.text
