"""Sign-in limits and sessions live in the database: two app instances (two processes, two
machines) over one database see the same ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from otklik.search_terms import open_store
from otklik.services.passwords import hash_password
from otklik.storage import users as accounts
from otklik.web.app import create_app
from otklik.web.auth import SESSION_COOKIE
from tests.web.conftest import PASSWORD, WebWorld, csrf_of


@pytest.fixture
def second(world: WebWorld) -> Iterator[TestClient]:
    """Another app instance over the same database, with its own engine."""
    store = open_store(world.settings.database_url)
    settings = world.settings.model_copy(update={"embedded_worker": False})
    with TestClient(create_app(settings, store)) as client:
        yield client
    store.close()


def _login(client: TestClient, password: str) -> int:
    token = csrf_of(client.get("/login").text)
    form = {"email": "viewer@example.com", "password": password, "csrf": token, "next": "/"}
    return client.post("/login", data=form, follow_redirects=False).status_code


def test_the_login_limit_holds_across_app_instances(world: WebWorld, second: TestClient) -> None:
    for _ in range(5):
        assert _login(world.client, "wrong-password") == 401
    assert _login(second, "wrong-password") == 429
    assert _login(second, PASSWORD) == 429  # even the right password waits
    limited = second.post(
        "/login",
        data={
            "email": "viewer@example.com",
            "password": PASSWORD,
            "csrf": csrf_of(second.get("/login").text),
        },
        follow_redirects=False,
    )
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 200


def test_a_session_begun_on_one_instance_ends_on_every_instance(
    world: WebWorld, second: TestClient
) -> None:
    assert _login(world.client, PASSWORD) == 303
    cookie = world.client.cookies.get(SESSION_COOKIE)
    assert cookie
    second.cookies.set(SESSION_COOKIE, cookie)
    assert second.get("/", follow_redirects=False).status_code == 200
    token = csrf_of(second.get("/").text)
    assert second.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert world.client.get("/", follow_redirects=False).status_code == 303


def test_a_changed_password_or_removed_user_drops_their_sessions(
    world: WebWorld, second: TestClient
) -> None:
    assert _login(world.client, PASSWORD) == 303
    second.cookies.set(SESSION_COOKIE, world.client.cookies.get(SESSION_COOKIE) or "")
    assert second.get("/", follow_redirects=False).status_code == 200
    with world.store.begin() as conn:
        user = accounts.user_by_email(conn, "viewer@example.com")
        assert user is not None
        accounts.update_user(conn, user.id, password_hash=hash_password("another-pass-1"))
    assert second.get("/", follow_redirects=False).status_code == 303
    assert world.client.get("/", follow_redirects=False).status_code == 303
    assert _login(second, "another-pass-1") == 303
    with world.store.begin() as conn:
        accounts.update_user(conn, user.id, is_active=False)
    assert second.get("/", follow_redirects=False).status_code == 303
