"""The webhook source over HTTP: signed or token pushes taken per item, bad signatures,
bodies that are not JSON and bodies over the limit refused with nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from otklik import signing
from tests.web.conftest import WebWorld, build_world


@pytest.fixture
def hook_world(db_url: str, tmp_path: Path) -> Iterator[WebWorld]:
    """The web world with a 2 000-byte webhook limit and no embedded worker."""
    yield from build_world(db_url, tmp_path, webhook_max_bytes=2000, embedded_worker=False)


def _mention_count(world: WebWorld) -> int:
    got = world.client.get("/api/v1/mentions?limit=200", headers=world.api("viewer"))
    return len(got.json()["items"])


def _add_webhook(world: WebWorld) -> tuple[str, str]:
    added = world.client.post(
        "/api/v1/sources",
        json={"kind": "webhook", "name": "helpdesk"},
        headers=world.api("analyst"),
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["webhook_url"].endswith(f"/api/v1/sources/{body['source']['id']}/items")
    return f"/api/v1/sources/{body['source']['id']}/items", body["secret"]


def _signed(secret: str, payload: object) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return body, {signing.HEADER: signing.sign(secret, body), "Content-Type": "application/json"}


def test_signed_push_is_taken_per_item_and_is_idempotent(hook_world: WebWorld) -> None:
    world, client = hook_world, hook_world.client
    path, secret = _add_webhook(world)
    before = _mention_count(world)
    items = {
        "items": [
            {"external_id": "T-1", "text": "Курьер нагрубил, посылка помята", "rating": 1},
            {"external_id": "T-2", "text": "", "title": "пустой"},
            {"external_id": "T-3", "text": "Всё пришло вовремя", "published_at": "вчера?"},
        ]
    }
    body, headers = _signed(secret, items)
    first = client.post(path, content=body, headers=headers)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert [i["status"] for i in answer["items"]] == ["accepted", "rejected", "rejected"]
    assert answer["items"][1]["field"] == "text" and answer["items"][1]["reason"]
    assert answer["items"][2]["field"] == "published_at"
    assert _mention_count(world) == before + 1

    again = client.post(path, content=body, headers=headers).json()
    assert again["items"][0]["status"] == "duplicate" and again["duplicate"] == 1

    one, headers = _signed(secret, {"external_id": "T-1", "text": "Курьер нагрубил, коробка"})
    assert client.post(path, content=one, headers=headers).json()["updated"] == 1
    token = client.post(
        path, json={"external_id": "T-9", "text": "Through a token"}, headers=world.api("analyst")
    )
    assert token.json()["accepted"] == 1
    assert _mention_count(world) == before + 2
    run = path.replace("/items", "/run")
    assert client.post(run, headers=world.api("analyst")).status_code == 409  # not polled
    assert client.post(run, headers=world.api("viewer")).status_code == 403
    listed = client.get("/api/v1/sources", headers=world.api("viewer")).json()["items"]
    assert listed[0]["items_total"] == 2 and listed[0]["last_status"] == "ok"


def test_bad_signature_bad_json_and_big_body_store_nothing(hook_world: WebWorld) -> None:
    world, client = hook_world, hook_world.client
    path, secret = _add_webhook(world)
    before = _mention_count(world)
    body, headers = _signed(secret, {"external_id": "X", "text": "Подпись не та"})
    forged = {**headers, signing.HEADER: signing.sign("not-the-secret", body)}
    assert client.post(path, content=body, headers=forged).status_code == 401
    assert client.post(path, content=body).status_code == 401
    bad = client.post(
        path,
        content=b"{not json",
        headers=_signed(secret, {})[1] | {signing.HEADER: signing.sign(secret, b"{not json")},
    )
    assert bad.status_code == 400 and "not JSON" in bad.json()["detail"]
    huge, headers = _signed(secret, {"items": [{"text": "x" * 100}] * 30})
    assert client.post(path, content=huge, headers=headers).status_code == 413
    assert _mention_count(world) == before
    assert (
        client.post("/api/v1/sources/999/items", content=body, headers=headers).status_code == 404
    )


def test_sources_page_adds_a_webhook_showing_its_secret_once_in_each_language(
    sqlite_world: WebWorld,
) -> None:
    from tests.web.conftest import csrf_of

    client = sqlite_world.login("analyst")
    page = client.get("/sources")
    assert page.status_code == 200 and "Источники" in page.text  # the server speaks Russian
    added = client.post(
        "/sources", data={"csrf": csrf_of(page.text), "kind": "webhook", "name": "crm"}
    )
    assert added.status_code == 200
    secret = added.text.split('id="webhook-secret-value">')[1].split("<")[0]
    assert len(secret) > 30 and "Сохраните секрет сейчас" in added.text
    again = client.get("/sources")
    assert secret not in again.text and 'data-source="crm"' in again.text
    refused = client.post(
        "/sources",
        data={"csrf": csrf_of(again.text), "kind": "rss", "name": "x", "url": "ftp://nope"},
    )
    assert refused.status_code == 422 and "ftp://nope" in refused.text
    mailbox = {"kind": "imap", "name": "mail", "host": "127.0.0.1", "port": "9", "login": "desk"}
    imap = client.post(
        "/sources",
        data={"csrf": csrf_of(again.text), **mailbox, "password": "pw", "security": "none"},
        follow_redirects=False,
    )
    assert imap.status_code == 303
    assert "desk @ 127.0.0.1 / INBOX" in client.get("/sources").text
    for code, words in {"kk": ("Дереккөздер", "вебхук"), "en": ("Sources", "webhook")}.items():
        client.get(f"/lang/{code}?next=/sources")
        shown = client.get("/sources").text
        assert all(w in shown for w in words), code
