"""services.overview, users, classify and the pipelines a long-lived process keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from otklik.errors import InputError
from otklik.services import Services, catalog, classify, overview, sessions, users
from tests.services.conftest import World


def test_overview_numbers_for_a_period(world: World) -> None:
    catalog.add_brand(world.svc, world.ws, "СДЭК", "СДЭК", False)
    from otklik.services import rematch

    rematch.rematch_brands(world.svc, world.ws, [catalog.brand(world.svc, world.ws, "СДЭК").id])
    now = datetime(2025, 3, 10, tzinfo=UTC)
    data = overview.overview(world.svc, world.ws, date(2025, 3, 2), date(2025, 3, 4), None, now)
    assert data["total"] == 3
    assert data["days"] == ["2025-03-02", "2025-03-03", "2025-03-04"]
    assert {c["name"]: c["count"] for c in data["channels"]} == {
        "appstore": 1,
        "vk": 1,
        "telegram": 1,
    }
    assert [(b["name"], b["total"], b["share"]) for b in data["brands"]] == [("СДЭК", 1, 100.0)]
    assert [r["count"] for r in data["ratings"]] == [0, 0, 0, 1, 1]
    assert data["generated"] == now.isoformat()
    assert overview.period_bounds(7, date(2025, 3, 10)) == (date(2025, 3, 4), date(2025, 3, 10))


def test_users_sign_in_sessions_and_tokens(svc: Services) -> None:
    created = users.first_admin(svc)
    assert created is not None and created[0].role == "admin"
    assert users.first_admin(svc) is None
    anna = users.add_user(svc, "anna@example.com", "analyst", "correct-horse-1")
    with pytest.raises(InputError):
        users.add_user(svc, "bob@example.com", "viewer", "short")
    assert users.authenticate(svc, "anna@example.com", "correct-horse-1") == anna
    assert users.authenticate(svc, "anna@example.com", "wrong-password") is None
    sessions.start_session(svc, "nonce-1", anna.id)
    assert users.session_user(svc, "nonce-1", anna.id) == anna
    assert users.session_user(svc, "nonce-1", created[0].id) is None  # not hers
    assert users.set_role(svc, anna.id, "viewer").role == "viewer"
    assert users.session_user(svc, "nonce-1", anna.id) is None  # a role change ends sessions
    sessions.start_session(svc, "nonce-2", anna.id)
    assert users.session_user(svc, "nonce-2", anna.id) is not None
    sessions.end_session(svc, "nonce-2")
    assert users.session_user(svc, "nonce-2", anna.id) is None
    token_id, token = users.create_token(svc, anna.id, "reports")
    found = users.user_for_token(svc, token)
    assert found is not None and found.email == "anna@example.com"
    users.revoke_token(svc, token_id)
    assert users.user_for_token(svc, token) is None
    assert [(t.id, t.revoked_at is not None) for t in users.tokens(svc)] == [(token_id, True)]
    assert {u.email for u in users.users(svc)} == {created[0].email, "anna@example.com"}
    key = users.secret_key(svc, "first")
    assert users.secret_key(svc, "second") == key == "first"


def test_classify_needs_no_database(tmp_path: Path) -> None:
    from otklik.settings import Settings

    settings = Settings(database_url="sqlite:////nonexistent/dir/x.db", batch_size=1)
    batches = list(classify.classify(settings, ["Доставка опять опоздала", "Great service"]))
    assert [len(b) for b in batches] == [1, 1]
    assert [b[0]["language"] for b in batches] == ["ru", "en"]
    path = tmp_path / "texts.csv"
    path.write_text("body\nhello\n", encoding="utf-8")
    with pytest.raises(classify.MissingColumn):
        list(classify.csv_texts(path, "text"))
    assert list(classify.csv_texts(path, "body")) == ["hello"]


def test_kept_pipeline_is_rebuilt_when_the_catalog_changes(world: World) -> None:
    first = world.svc.pipelines.for_workspace(world.ws)
    assert world.svc.pipelines.for_workspace(world.ws) is first
    catalog.add_tag(world.svc, world.ws, "price", "цена")
    assert world.svc.pipelines.for_workspace(world.ws) is not first
