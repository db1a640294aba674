"""Password reset: a link from an admin shown once, a link by e-mail through a real SMTP server
on loopback (in the user's language, HTML and plain text), each link working once."""

from __future__ import annotations

import re
from email.message import Message

import pytest
from fastapi.testclient import TestClient

from otklik.services import resets
from otklik.services.context import Services
from otklik.settings import Settings
from otklik.web.app import create_app
from tests.conftest import Inbox
from tests.web.conftest import PASSWORD, WebWorld, csrf_of


def _login_works(client: TestClient, address: str, password: str) -> bool:
    page = client.get("/login")
    data = {"email": address, "password": password, "csrf": csrf_of(page.text), "next": "/"}
    return client.post("/login", data=data, follow_redirects=False).status_code == 303


def _parts(message: Message) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_subtype()] = payload.decode(
                part.get_content_charset() or "utf-8"
            )
    return found


def test_reset_link_by_email_arrives_in_the_users_language_and_works_once(
    sqlite_world: WebWorld, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    settings = Settings(
        **{
            **sqlite_world.settings.model_dump(),
            "smtp_url": f"smtp://127.0.0.1:{port}",
            "smtp_from": "otklik@example.com",
        }
    )
    app = create_app(settings, sqlite_world.store)
    with TestClient(app, headers={"Accept-Language": "kk"}) as client:
        page = client.get("/password/forgot")
        assert "Сілтеме жіберу" in page.text  # the form, in Kazakh
        sent = client.post(
            "/password/forgot", data={"email": "viewer@example.com", "csrf": csrf_of(page.text)}
        )
        assert "жаңа құпиясөз орнату сілтемесі жіберілді" in sent.text
        client.post(
            "/password/forgot", data={"email": "nobody@example.com", "csrf": csrf_of(page.text)}
        )
        assert len(handler.messages) == 1  # nothing goes to an unknown address
        message = handler.messages[0]
        assert message["To"] == "viewer@example.com"
        assert message["Subject"] == "Otklik үшін жаңа құпиясөз"
        parts = _parts(message)
        assert set(parts) == {"plain", "html"}
        assert "Сәлеметсіз бе!" in parts["plain"] and "Сәлеметсіз бе!" in parts["html"]
        found = re.search(r"http://testserver(/password/reset\?token=[\w.\-]+)", parts["plain"])
        assert found and found.group(1) in parts["html"]
        link = found.group(1)

        form = client.get(link)
        assert form.status_code == 200 and "viewer@example.com" in form.text
        token = link.split("token=")[1]
        done = client.post(
            "/password/reset",
            data={"token": token, "password": "a-new-secret-2", "csrf": csrf_of(form.text)},
        )
        assert done.status_code == 200 and "Құпиясөз орнатылды" in done.text
        assert _login_works(client, "viewer@example.com", "a-new-secret-2")
        assert not _login_works(client, "viewer@example.com", PASSWORD)

        again = client.get(link)
        assert again.status_code == 400 and "Бұл сілтеме бұрын қолданылған" in again.text
        replay = client.post(
            "/password/reset",
            data={
                "token": token,
                "password": "another-one-3",
                "csrf": csrf_of(client.get("/login").text),
            },
        )
        assert replay.status_code == 400
        assert _login_works(client, "viewer@example.com", "a-new-secret-2")


def test_admin_gets_a_reset_link_shown_once_that_works_once(sqlite_world: WebWorld) -> None:
    admin = sqlite_world.login("admin")
    users = admin.get("/users")
    analyst_id = re.search(
        r'action="/users/(\d+)/reset"[^<]*<input[^>]*>\s*<button[^>]*data-email="analyst@example.com"',
        users.text,
    )
    assert analyst_id
    shown = admin.post(f"/users/{analyst_id.group(1)}/reset", data={"csrf": csrf_of(users.text)})
    link = re.search(
        r'<code class="token">http://testserver(/password/reset\?token=[^<]+)</code>', shown.text
    )
    assert link and "analyst@example.com" in shown.text
    assert "reset?token=" not in admin.get("/users").text  # shown once

    with TestClient(sqlite_world.app) as visitor:
        form = visitor.get(link.group(1))
        token = link.group(1).split("token=")[1]
        short = visitor.post(
            "/password/reset",
            data={"token": token, "password": "short", "csrf": csrf_of(form.text)},
        )
        assert short.status_code == 422 and "не короче 8 символов" in short.text
        visitor.post(
            "/password/reset",
            data={"token": token, "password": "analyst-new-1", "csrf": csrf_of(form.text)},
        )
        assert _login_works(visitor, "analyst@example.com", "analyst-new-1")
        assert visitor.get(link.group(1)).status_code == 400


def test_a_reset_link_expires(sqlite_world: WebWorld) -> None:
    svc = Services.open(sqlite_world.settings, sqlite_world.store)
    user = next(u for u in __import__("otklik.services.users", fromlist=["users"]).users(svc))
    token = resets.reset_token(svc, user, now=1_000_000.0)
    assert resets.reset_user(svc, token, now=1_000_000.0 + 3600).id == user.id
    with pytest.raises(resets.ResetTokenError, match="expired"):
        resets.reset_user(svc, token, now=1_000_000.0 + 25 * 3600)
    with pytest.raises(resets.ResetTokenError, match="not valid"):
        resets.reset_user(svc, token[:-2] + "xx")


def test_without_smtp_the_forgot_page_says_whom_to_ask(sqlite_world: WebWorld) -> None:
    page = sqlite_world.client.get("/password/forgot", headers={"Accept-Language": "en"})
    assert "Ask an administrator" in page.text and "otklik users passwd" in page.text
