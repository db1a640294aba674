"""Saving a brand query or tag rule re-matches history in the background, with progress."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient

from otklik.domain import Filters
from otklik.jobs.worker import Worker
from otklik.services.jobs import rematch_key
from otklik.storage import catalog, jobqueue, utcnow
from otklik.web.app import create_app
from tests.web.conftest import WebWorld, csrf_of, wait_for_rematch

QUERY = 'BystroPost OR "Быстрая Почта"'


def _brand_count(world: WebWorld, name: str) -> int:
    ws = world.store.workspaces()[0]
    return world.store.count(ws, Filters(brand=(name,)))


def test_saved_query_is_matched_in_the_background_and_reports_progress(world: WebWorld) -> None:
    client = world.login("analyst")
    token = csrf_of(client.get("/brands").text)
    saved = client.post("/brands", data={"name": "BP", "query": "BystroPost", "csrf": token})
    assert saved.status_code == 200  # the page comes back at once, the job goes on
    job = wait_for_rematch(world, "brand", "BP")
    assert (job["state"], job["matched"], job["done"], job["total"], job["error"]) == (
        "done",
        1,
        4,
        4,
        None,
    )
    assert _brand_count(world, "BP") == 1
    form = {"old_name": "BP", "name": "BP", "query": QUERY, "csrf": token}
    client.post("/brands", data=form)
    assert wait_for_rematch(world, "brand", "BP")["matched"] == 2
    feed = client.get("/api/v1/mentions?brand=BP", headers=world.api("viewer")).json()["items"]
    assert len(feed) == 2
    page = client.get("/brands").text
    assert 'data-state="done"' in page and "История пересчитана: найдено в 2 упоминаниях" in page
    lines = client.get("/rematch?kind=brand").json()["items"]
    assert [(line["state"], line["matched"]) for line in lines] == [("done", 2)]


def test_a_newer_change_wins_over_the_one_still_running(world: WebWorld) -> None:
    headers = world.api("analyst")
    body = {"name": "BP", "query": "BystroPost"}
    assert world.client.post("/api/v1/brands", json=body, headers=headers).status_code == 201
    for query in ("Почта", "доставка", QUERY):  # each supersedes the one before
        edited = world.client.put(
            "/api/v1/brands/BP", json={**body, "query": query}, headers=headers
        )
        # A job still queued takes the newer query; the embedded worker may have claimed it.
        assert edited.status_code == 200
        assert edited.json()["rematch"]["state"] in ("queued", "running")
    assert wait_for_rematch(world, "brand", "BP")["matched"] == 2
    assert _brand_count(world, "BP") == 2


def test_renaming_in_the_form_keeps_the_brand_and_its_mentions(world: WebWorld) -> None:
    client = world.login("analyst")
    token = csrf_of(client.get("/brands").text)
    client.post("/brands", data={"name": "BP", "query": QUERY, "own": "1", "csrf": token})
    before = wait_for_rematch(world, "brand", "BP")
    form = {"old_name": "BP", "name": "Быстрая Почта", "query": QUERY, "own": "1", "csrf": token}
    assert client.post("/brands", data=form).status_code == 200
    brands = client.get("/api/v1/brands", headers=world.api("viewer")).json()["items"]
    assert [(b["name"], b["own"], b["rematch"]) for b in brands] == [
        ("Быстрая Почта", True, before)
    ]
    assert _brand_count(world, "Быстрая Почта") == 2  # renamed, not matched again
    taken = client.post(
        "/brands", data={"name": "Other", "query": "other", "csrf": token}, follow_redirects=True
    )
    assert taken.status_code == 200
    clash = {**form, "old_name": "Other", "name": "Быстрая Почта", "query": "other"}
    refused = client.post("/brands", data=clash)
    assert refused.status_code == 422 and "another brand already has that name" in refused.text


def test_tag_renamed_and_rule_changed_through_the_api_keeps_peoples_tags(world: WebWorld) -> None:
    headers = world.api("analyst")
    made = world.client.post(
        "/api/v1/tags", json={"name": "сроки", "query": "задержала"}, headers=headers
    )
    assert made.status_code == 201
    assert wait_for_rematch(world, "tag", "сроки")["matched"] == 1
    ws = world.store.workspaces()[0]
    page, _ = world.store.mentions(ws, Filters(channel=("appstore",)))
    with world.store.begin() as conn:
        catalog.set_person_tag(conn, ws.id, page[0].mention.id or 0, "сроки", True, "a", utcnow())
    renamed = world.client.put(
        "/api/v1/tags/сроки", json={"name": "доставка", "query": "доставка"}, headers=headers
    )
    assert renamed.status_code == 200 and renamed.json()["id"] == made.json()["id"]
    assert wait_for_rematch(world, "tag", "доставка")["matched"] == 1
    tagged, _ = world.store.mentions(ws, Filters(tag=("доставка",)))
    assert sorted(r.mention.author.name or "" for r in tagged) == ["Hacker", "Kate"]
    clash = world.client.post("/api/v1/tags", json={"name": "x"}, headers=headers)
    assert clash.status_code == 201
    refused = world.client.put("/api/v1/tags/x", json={"name": "доставка"}, headers=headers)
    assert refused.status_code == 422 and "already has that name" in refused.json()["detail"]


def _stop_embedded_worker(world: WebWorld) -> None:
    state = world.app.state.web  # type: ignore[attr-defined]
    state.worker.stop(timeout=30)
    state.worker = None


def test_an_error_in_the_job_is_reported_on_the_page_and_in_the_api(world: WebWorld) -> None:
    _stop_embedded_worker(world)
    ws = world.store.workspaces()[0]
    with world.store.begin() as conn:
        brand = catalog.add_brand(conn, ws.id, "BP", QUERY, True, utcnow())
        jobqueue.enqueue(
            conn,
            ws.id,
            "rematch_brand",
            {"brand_id": brand.id},
            utcnow(),
            dedupe_key=rematch_key("brand", brand.id),
            max_attempts=1,
        )
    broken = world.settings.model_copy(
        update={"stages": ("normalise", "language"), "languages": ("zz",)}
    )
    assert Worker(world.store, broken).run_one()
    job = wait_for_rematch(world, "brand", "BP")
    assert job["state"] == "failed" and "unsupported language codes ['zz']" in job["error"]
    page = world.login("viewer").get("/brands").text
    assert 'data-state="failed"' in page and "Пересчёт истории не удался" in page


def test_a_job_left_running_by_a_dead_server_is_finished_by_the_next(world: WebWorld) -> None:
    _stop_embedded_worker(world)
    ws = world.store.workspaces()[0]
    with world.store.begin() as conn:
        brand = catalog.add_brand(conn, ws.id, "BP", QUERY, True, utcnow())
        jobqueue.enqueue(
            conn,
            ws.id,
            "rematch_brand",
            {"brand_id": brand.id},
            utcnow(),
            dedupe_key=rematch_key("brand", brand.id),
        )
    # Claimed by a server that died at once: its lease has run out.
    dead = jobqueue.claim(world.store.engine, "dead-server", utcnow(), timedelta(milliseconds=1))
    assert dead is not None and dead.status == "running"
    with TestClient(create_app(world.settings, world.store)):
        job = wait_for_rematch(world, "brand", "BP")
    assert (job["state"], job["matched"], job["error"]) == ("done", 2, None)
    with world.store.connect() as conn:
        finished = jobqueue.get_job(conn, dead.id)
    assert (finished.attempts, finished.lease_owner) == (2, None)


def test_removing_a_brand_stops_and_forgets_its_job(world: WebWorld) -> None:
    client = world.login("analyst")
    token = csrf_of(client.get("/brands").text)
    client.post("/brands", data={"name": "BP", "query": QUERY, "csrf": token})
    assert client.post("/brands/delete", data={"name": "BP", "csrf": token}).status_code == 200
    deadline = time.monotonic() + 30
    while True:
        with world.store.connect() as conn:
            active = jobqueue.list_jobs(conn, statuses=("queued", "running"))
        if not active:
            break
        assert time.monotonic() < deadline, active
        time.sleep(0.05)
    viewer = world.api("viewer")
    assert client.get("/api/v1/brands", headers=viewer).json()["items"] == []
    assert client.get("/api/v1/stats?by=brand", headers=viewer).json()["items"] == []
