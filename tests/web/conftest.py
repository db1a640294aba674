"""A web app over a real database, with one user per role and their API tokens."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from otklik.search_terms import open_store
from otklik.services.passwords import hash_password
from otklik.settings import Settings
from otklik.storage import Store, utcnow
from otklik.storage import users as accounts
from otklik.web.app import create_app

STAGES = ("normalise", "language", "dedupe")
PASSWORD = "correct-horse-1"
CSV = (
    "text,date,channel,rating,author\n"
    "Быстрая Почта опять задержала посылку на 5 дней,2025-03-01 10:00,review,1,Анна\n"
    "BystroPost delivered on time! Great courier,2025-03-02 11:00,appstore,5,Kate\n"
    "<script>alert(1)</script> и <b>x</b> доставка,2025-03-03 12:00,vk,,Hacker\n"
    "Сәлемдеме бір күнде жеткізілді рахмет,2025-03-04 09:30,telegram,,Айгерім\n"
    ",2025-03-05 09:30,vk,,Empty\n"
)


@dataclass
class WebWorld:
    """The app, its store and the tokens of an admin, an analyst and a viewer."""

    app: object
    client: TestClient
    store: Store
    settings: Settings
    tokens: dict[str, str]

    def api(self, role: str) -> dict[str, str]:
        """Headers that authenticate as the user with `role`."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def login(self, role: str) -> TestClient:
        """The client, signed in as the user with `role` through the login form."""
        page = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={
                "email": f"{role}@example.com",
                "password": PASSWORD,
                "csrf": csrf_of(page.text),
                "next": "/",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return self.client


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def wait_for_rematch(
    world: WebWorld, kind: str, name: str, timeout: float = 60.0
) -> dict[str, Any]:
    """Poll the API until the brand's or tag's (`kind`) re-match has finished; its record."""
    deadline = time.monotonic() + timeout
    while True:
        items = world.client.get(f"/api/v1/{kind}s", headers=world.api("viewer")).json()["items"]
        job = next(i for i in items if i["name"] == name)["rematch"]
        if job is not None and job["state"] not in ("queued", "running"):
            return dict(job)
        assert time.monotonic() < deadline, f"re-matching {kind} {name!r} is still {job}"
        time.sleep(0.05)


def build_world(url: str, tmp_path: Path, **overrides: Any) -> Iterator[WebWorld]:
    """Initialise the database, add users and tokens, import a small CSV, build the app."""
    store = open_store(url)  # as the app opens it: q speaks the query language
    store.init()
    # A Russian-speaking team's server: pages default to Russian unless the user or the
    # browser picks another language.
    settings = Settings(
        database_url=url,
        stages=STAGES,
        secret_key="test-secret-key",
        upload_dir=tmp_path / "uploads",
        **{"language": "ru", **overrides},
    )
    tokens = {}
    with store.begin() as conn:
        for role in ("admin", "analyst", "viewer"):
            user = accounts.add_user(
                conn, f"{role}@example.com", role, hash_password(PASSWORD), utcnow()
            )
            tokens[role] = accounts.create_token(conn, user.id, "tests", utcnow())[1]
    app = create_app(settings, store)
    with TestClient(app) as client:
        world = WebWorld(app, client, store, settings, tokens)
        path = tmp_path / "seed.csv"
        path.write_text(CSV, encoding="utf-8")
        with path.open("rb") as fh:
            response = client.post(
                "/api/v1/imports",
                headers=world.api("analyst"),
                files={"file": ("seed.csv", fh, "text/csv")},
            )
        assert response.status_code == 201, response.text
        yield world
    store.close()


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[WebWorld]:
    """The web world on SQLite and on PostgreSQL."""
    yield from build_world(db_url, tmp_path)


@pytest.fixture
def sqlite_world(sqlite_url: str, tmp_path: Path) -> Iterator[WebWorld]:
    """The web world on SQLite only (page tests)."""
    yield from build_world(sqlite_url, tmp_path)


def serve(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
