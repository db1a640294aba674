"""The Alerts page and API: add (with the secret shown once), refuse a bad filter, mute, test,
the delivery log; in the user's language."""

from __future__ import annotations

from tests.web.conftest import WebWorld, csrf_of


def test_alerts_page_adds_mutes_tests_and_logs_in_russian(sqlite_world: WebWorld) -> None:
    client = sqlite_world.login("analyst")
    page = client.get("/alerts")
    assert page.status_code == 200 and "Уведомления" in page.text
    form = {
        "csrf": csrf_of(page.text),
        "name": "жалобы",
        "kind": "instant",
        "sentiment": "negative",
        "q": "доставка AND (",
        "emails": "boss@example.com:kk",
        "webhooks": "http://127.0.0.1:9/hook",
        "style": "telegram",
        "cap": "3",
    }
    refused = client.post("/alerts", data=form)
    assert refused.status_code == 422 and 'id="alert-error"' in refused.text
    assert "boss@example.com:kk" in refused.text  # what was typed stays
    added = client.post("/alerts", data={**form, "q": "доставка"})
    assert added.status_code == 201 and 'id="alert-secret"' in added.text
    assert 'data-alert="жалобы" data-muted="no"' in added.text
    csrf = csrf_of(added.text)
    muted = client.post("/alerts/жалобы/mute", data={"csrf": csrf, "muted": "1"})
    assert 'data-alert="жалобы" data-muted="yes"' in muted.text
    tested = client.post("/alerts/жалобы/test", data={"csrf": csrf})
    assert 'id="alert-tested"' in tested.text
    assert "OTKLIK_SMTP_URL" in tested.text  # why the e-mail could not go
    assert 'id="alert-log"' in tested.text and "повтор отправки" in tested.text
    edit = client.get("/alerts", params={"edit": "жалобы"})
    assert "Изменить уведомление" in edit.text and 'value="жалобы"' in edit.text
    assert "boss@example.com:kk" in edit.text
    kazakh = client.get("/lang/kk", params={"next": "/alerts"})
    assert "Хабарландырулар" in kazakh.text and "қайта жіберілуде" in kazakh.text


def test_alerts_api_adds_lists_tests_and_logs(sqlite_world: WebWorld) -> None:
    client, headers = sqlite_world.client, sqlite_world.api("analyst")
    body = {
        "name": "wave",
        "kind": "spike",
        "filters": {"sentiment": ["negative"]},
        "emails": [{"address": "ops@example.com", "language": "en"}],
    }
    made = client.post("/api/v1/alerts", json=body, headers=headers)
    assert made.status_code == 201 and len(made.json()["secret"]) > 30
    bad = client.post(
        "/api/v1/alerts", json={**body, "name": "x", "kind": "often"}, headers=headers
    )
    assert bad.status_code == 422 and "kind" in bad.json()["detail"]
    listed = client.get("/api/v1/alerts", headers=headers).json()["items"]
    assert [(r["name"], r["kind"]) for r in listed] == [("wave", "spike")]
    assert "secret" not in listed[0]
    tested = client.post("/api/v1/alerts/wave/test", headers=headers).json()["items"]
    assert [(d["recipient"], d["status"]) for d in tested] == [("ops@example.com", "failed")]
    log = client.get("/api/v1/alerts/log", params={"rule": "wave"}, headers=headers).json()
    assert [d["kind"] for d in log["items"]] == ["test"]
    viewer = client.get("/api/v1/alerts", headers=sqlite_world.api("viewer"))
    assert viewer.status_code == 403


def test_a_weekly_digest_gets_its_weekday_on_the_page_and_through_the_api(
    sqlite_world: WebWorld,
) -> None:
    client = sqlite_world.login("analyst")
    page = client.get("/alerts")
    assert '<option value="2" >Среда</option>' in page.text  # day names in the user's language
    form = {
        "csrf": csrf_of(page.text),
        "name": "по средам",
        "kind": "digest",
        "emails": "boss@example.com:ru",
        "at": "10:00",
        "every": "week",
        "weekday": "2",
    }
    added = client.post("/alerts", data=form)
    assert added.status_code == 201 and '<span data-weekday="2">Среда</span>' in added.text
    edit = client.get("/alerts", params={"edit": "по средам"})
    assert '<option value="2" selected>Среда</option>' in edit.text
    client.post("/alerts", data={**form, "old_name": "по средам", "weekday": "5"})
    kazakh = client.get("/lang/kk", params={"next": "/alerts"})
    assert '<span data-weekday="5">Сенбі</span>' in kazakh.text

    api, headers = sqlite_world.client, sqlite_world.api("analyst")
    body = {"name": "fri", "kind": "digest", "every": "week", "weekday": "friday"}
    body["emails"] = [{"address": "a@example.com"}]
    made = api.post("/api/v1/alerts", json=body, headers=headers)
    assert made.status_code == 201 and made.json()["weekday"] == 4
    listed = {
        r["name"]: r["weekday"] for r in api.get("/api/v1/alerts", headers=headers).json()["items"]
    }
    assert listed == {"fri": 4, "по средам": 5}
    bad = api.post("/api/v1/alerts", json={**body, "name": "x", "weekday": 9}, headers=headers)
    assert bad.status_code == 422 and "not a weekday" in bad.json()["detail"]


def test_the_api_changes_only_the_given_fields_of_an_alert(sqlite_world: WebWorld) -> None:
    client, headers = sqlite_world.client, sqlite_world.api("analyst")
    body = {
        "name": "wave",
        "kind": "instant",
        "filters": {"sentiment": ["negative"], "q": "доставка"},
        "emails": [{"address": "ops@example.com", "language": "en"}],
        "cap_per_hour": 4,
    }
    assert client.post("/api/v1/alerts", json=body, headers=headers).status_code == 201
    change = {
        "name": "волна",
        "filters": {"q": None, "brand": []},
        "webhooks": [{"url": "https://hooks.example.com/x", "style": "slack"}],
        "kind": "digest",
        "every": "week",
        "weekday": "tuesday",
        "at": "08:30",
    }
    changed = client.patch("/api/v1/alerts/wave", json=change, headers=headers)
    assert changed.status_code == 200, changed.text
    rule = changed.json()
    assert (rule["name"], rule["kind"], rule["filters"]) == (
        "волна",
        "digest",
        {"sentiment": ["negative"]},
    )
    assert rule["recipients"] == [
        {"channel": "email", "address": "ops@example.com", "language": "en"},
        {"channel": "webhook", "address": "https://hooks.example.com/x", "style": "slack"},
    ]
    assert (rule["every"], rule["weekday"], rule["at"], rule["cap_per_hour"]) == (
        "week",
        1,
        "08:30",
        4,
    )
    listed = client.get("/api/v1/alerts", headers=headers).json()["items"]
    assert [r["name"] for r in listed] == ["волна"]
    bad = client.patch("/api/v1/alerts/волна", json={"at": "25:00"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["parameter"] == "at"
    bad = client.patch("/api/v1/alerts/волна", json={"cap_per_hour": 0}, headers=headers)
    assert bad.status_code == 422 and bad.json()["parameter"] == "cap_per_hour"
    bad = client.patch(
        "/api/v1/alerts/волна", json={"emails": [{"address": "nobody"}]}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["parameter"] == "emails"
    missing = client.patch("/api/v1/alerts/nope", json={"cap_per_hour": 2}, headers=headers)
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
    viewer = client.patch("/api/v1/alerts/волна", json={}, headers=sqlite_world.api("viewer"))
    assert viewer.status_code == 403
