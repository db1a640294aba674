"""Scheduled reports on the web and in the API: an analyst adds one on the page and the worker
mails it to a real SMTP inbox; removing it stops it; viewers only look; API CRUD with 422s
that name the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from otklik.jobs.worker import Worker
from otklik.storage import utcnow
from otklik.storage.schema import schedule
from tests.conftest import Inbox
from tests.web.conftest import WebWorld, build_world, csrf_of


@pytest.fixture
def mail_world(
    sqlite_url: str, tmp_path: Path, inbox: tuple[Inbox, int]
) -> Iterator[tuple[WebWorld, Inbox]]:
    handler, port = inbox
    options = {
        "smtp_url": f"smtp://127.0.0.1:{port}",
        "smtp_from": "otklik@example.kz",
        "public_url": "https://otklik.example.kz",
        "embedded_worker": False,  # the test runs the worker when the time has come
    }
    for world in build_world(sqlite_url, tmp_path, **options):
        yield world, handler


def _time_comes(world: WebWorld) -> None:
    with world.store.begin() as conn:
        conn.execute(sa.update(schedule).values(next_run_at=utcnow() - timedelta(minutes=1)))


def test_a_schedule_added_on_the_page_is_mailed_and_removing_it_stops_it(
    mail_world: tuple[WebWorld, Inbox],
) -> None:
    world, handler = mail_world
    client = world.login("analyst")
    report = client.get("/reports/smm")
    assert 'href="/reports/schedules?kind=smm"' in report.text
    page = client.get("/reports/schedules?kind=smm")
    assert page.status_code == 200 and "Отчёты по расписанию" in page.text
    form = {
        "csrf": csrf_of(page.text),
        "kind": "smm",
        "every": "week",
        "at": "07:45",
        "to": "cx@example.kz\nnot-an-address",
        "language": "kk",
    }
    refused = client.post("/reports/schedules", data=form)
    assert refused.status_code == 422
    assert "&#39;not-an-address&#39; is not an e-mail" in refused.text
    assert "not-an-address" in refused.text and 'id="schedule-error"' in refused.text
    added = client.post("/reports/schedules", data={**form, "to": "cx@example.kz"})
    assert added.status_code == 200 and 'data-schedule="1" data-status="active"' in added.text
    assert "cx@example.kz" in added.text and "07:45" in added.text

    worker = Worker(world.store, world.settings)
    _time_comes(world)
    worker.run(once=True)
    [message] = handler.messages
    assert message["To"] == "cx@example.kz" and "Кезең" in message["Subject"]  # Kazakh
    listed = client.get("/reports/schedules")
    assert ": отправлено</td>" in listed.text  # the last send, and that it went

    paused = client.post("/reports/schedules/1/pause", data={"csrf": csrf_of(listed.text)})
    assert 'data-schedule="1" data-status="paused"' in paused.text
    resumed = client.post("/reports/schedules/1/resume", data={"csrf": csrf_of(paused.text)})
    assert 'data-schedule="1" data-status="active"' in resumed.text
    removed = client.post("/reports/schedules/1/remove", data={"csrf": csrf_of(resumed.text)})
    assert 'id="schedules-empty"' in removed.text
    _time_comes(world)
    worker.run(once=True)
    assert len(handler.messages) == 1


def test_a_viewer_sees_the_schedules_but_cannot_change_them(sqlite_world: WebWorld) -> None:
    made = sqlite_world.client.post(
        "/api/v1/report-schedules",
        json={"kind": "smm", "every": "week", "to": ["cx@example.kz"]},
        headers=sqlite_world.api("analyst"),
    )
    assert made.status_code == 201, made.text
    client = sqlite_world.login("viewer")
    page = client.get("/reports/schedules")
    assert page.status_code == 200 and "cx@example.kz" in page.text
    assert 'id="schedule-form"' not in page.text and "/pause" not in page.text
    csrf = csrf_of(page.text)
    assert client.post("/reports/schedules/1/pause", data={"csrf": csrf}).status_code == 403
    assert client.post("/reports/schedules/1/remove", data={"csrf": csrf}).status_code == 403
    add = {"csrf": csrf, "kind": "smm", "every": "week", "to": "v@example.kz"}
    assert client.post("/reports/schedules", data=add).status_code == 403
    viewer = sqlite_world.api("viewer")
    api = sqlite_world.client
    assert api.delete("/api/v1/report-schedules/1", headers=viewer).status_code == 403
    listed = api.get("/api/v1/report-schedules", headers=viewer).json()["items"]
    assert [(s["id"], s["status"]) for s in listed] == [(1, "active")]


def test_report_schedules_api_adds_changes_pauses_and_removes(world: WebWorld) -> None:
    client, headers = world.client, world.api("analyst")
    body = {"kind": "brand", "every": "month", "to": ["boss@example.kz"], "at": "08:00"}
    made = client.post("/api/v1/report-schedules", json=body, headers=headers)
    assert made.status_code == 201, made.text
    added = made.json()
    assert (added["kind"], added["every"], added["at"], added["status"]) == (
        "brand",
        "month",
        "08:00",
        "active",
    )
    assert added["next_send_at"].endswith("Z") and "T08:00" in added["next_send_local"]
    sid = added["id"]

    bad_to = client.post(
        "/api/v1/report-schedules", json={**body, "to": ["ok@example.kz", "oops"]}, headers=headers
    )
    assert bad_to.status_code == 422 and bad_to.json()["parameter"] == "to"
    assert "'oops'" in bad_to.json()["detail"]
    bad_every = client.post(
        "/api/v1/report-schedules", json={**body, "every": "day"}, headers=headers
    )
    assert bad_every.status_code == 422 and bad_every.json()["parameter"] == "every"
    bad_at = client.patch(f"/api/v1/report-schedules/{sid}", json={"at": "9am"}, headers=headers)
    assert bad_at.status_code == 422 and bad_at.json()["parameter"] == "at"

    changed = client.patch(
        f"/api/v1/report-schedules/{sid}",
        json={"to": ["cfo@example.kz"], "every": "week", "status": "paused"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    got = client.get(f"/api/v1/report-schedules/{sid}", headers=headers).json()
    assert (got["to"], got["every"], got["status"], got["next_send_at"]) == (
        ["cfo@example.kz"],
        "week",
        "paused",
        None,
    )
    resumed = client.patch(
        f"/api/v1/report-schedules/{sid}", json={"status": "active"}, headers=headers
    )
    assert resumed.json()["status"] == "active" and resumed.json()["next_send_at"]
    assert client.delete(f"/api/v1/report-schedules/{sid}", headers=headers).status_code == 204
    gone = client.delete(f"/api/v1/report-schedules/{sid}", headers=headers)
    assert gone.status_code == 404 and f"id {sid}" in gone.json()["detail"]
    assert client.get("/api/v1/report-schedules", headers=headers).json()["items"] == []
