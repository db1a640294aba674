"""Saving a brand query or tag rule re-matches history in the background, with progress."""

from __future__ import annotations

from fastapi.testclient import TestClient

from otklik.domain import Filters
from otklik.settings import Settings
from otklik.storage import catalog, jobs, utcnow
from otklik.web.app import create_app
from otklik.web.rematch_jobs import RematchJobs, Target
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
        assert edited.status_code == 200 and edited.json()["rematch"]["state"] == "queued"
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


def test_an_error_in_the_job_is_reported_on_the_page_and_in_the_api(world: WebWorld) -> None:
    ws = world.store.workspaces()[0]
    with world.store.begin() as conn:
        brand = catalog.add_brand(conn, ws.id, "BP", QUERY, True, utcnow())
    broken = Settings(database_url=world.settings.database_url, languages=("zz",))
    runner = RematchJobs(world.store, ws, broken)
    runner.submit(Target("brand", brand.id))
    job = wait_for_rematch(world, "brand", "BP")
    runner.close()
    assert job["state"] == "failed" and "unsupported language codes ['zz']" in job["error"]
    page = world.login("viewer").get("/brands").text
    assert 'data-state="failed"' in page and "Пересчёт истории не удался" in page


def test_a_restarted_server_reports_the_job_it_interrupted(world: WebWorld) -> None:
    ws = world.store.workspaces()[0]
    with world.store.begin() as conn:
        brand = catalog.add_brand(conn, ws.id, "BP", QUERY, True, utcnow())
        record = {"state": "running", "done": 1000, "total": 5000}
        jobs.save_job(conn, f"rematch:{ws.id}:brand:{brand.id}", record)
    with TestClient(create_app(world.settings, world.store)) as restarted:
        listed = restarted.get("/api/v1/brands", headers=world.api("viewer")).json()["items"]
    job = listed[0]["rematch"]
    assert (job["state"], job["done"], job["total"]) == ("interrupted", 1000, 5000)
    assert "save the query again" in job["error"]


def test_removing_a_brand_stops_and_forgets_its_job(world: WebWorld) -> None:
    client = world.login("analyst")
    token = csrf_of(client.get("/brands").text)
    client.post("/brands", data={"name": "BP", "query": QUERY, "csrf": token})
    assert client.post("/brands/delete", data={"name": "BP", "csrf": token}).status_code == 200
    jobs_of_app = world.app.state.web.jobs  # type: ignore[attr-defined]
    assert jobs_of_app.wait_idle(30)
    assert jobs_of_app.records("brand") == {}
    viewer = world.api("viewer")
    assert client.get("/api/v1/brands", headers=viewer).json()["items"] == []
    assert client.get("/api/v1/stats?by=brand", headers=viewer).json()["items"] == []
