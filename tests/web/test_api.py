"""The JSON API on SQLite and PostgreSQL: auth, roles, filters, paging, case work, imports."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from otklik.domain.filters import Filters
from otklik.storage import users as accounts
from otklik.storage import utcnow
from tests.web.conftest import WebWorld, build_world


def test_api_refuses_requests_without_a_live_token(world: WebWorld) -> None:
    client = world.client
    missing = client.get("/api/v1/mentions")
    assert missing.status_code == 401
    assert "Bearer" in missing.json()["detail"]
    assert (
        client.get("/api/v1/mentions", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    with world.store.begin() as conn:
        token_id = accounts.list_tokens(conn)[-1].id  # oldest: the admin's
        accounts.revoke_token(conn, token_id, utcnow())
    assert client.get("/api/v1/mentions", headers=world.api("admin")).status_code == 401
    assert client.get("/api/v1/mentions", headers=world.api("viewer")).status_code == 200


def test_token_is_stored_only_as_its_hash(world: WebWorld) -> None:
    import sqlalchemy as sa

    with world.store.connect() as conn:
        stored = [r[0] for r in conn.execute(sa.text("SELECT token_hash FROM api_token"))]
    assert world.tokens["viewer"] not in stored
    assert accounts.hash_token(world.tokens["viewer"]) in stored


def test_openapi_document_lists_the_routes(world: WebWorld) -> None:
    doc = world.client.get("/api/v1/openapi.json").json()
    for path in ("/mentions", "/mentions/{mention_id}", "/stats", "/brands", "/tags", "/imports"):
        assert path in doc["paths"]


def test_viewer_reads_but_may_not_change_anything(world: WebWorld) -> None:
    client, headers = world.client, world.api("viewer")
    items = client.get("/api/v1/mentions", headers=headers).json()["items"]
    mid = items[0]["id"]
    assert client.get(f"/api/v1/mentions/{mid}", headers=headers).status_code == 200
    refused = [
        client.patch(f"/api/v1/mentions/{mid}", json={"status": "resolved"}, headers=headers),
        client.post("/api/v1/brands", json={"name": "X", "query": "x"}, headers=headers),
        client.post("/api/v1/tags", json={"name": "x"}, headers=headers),
        client.post("/api/v1/imports", files={"file": ("a.csv", b"text\nhi\n")}, headers=headers),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert "viewer" in refused[0].json()["detail"]
    assert world.store.mention(world.store.workspaces()[0], mid).status == "new"


def test_bad_filter_gets_422_naming_the_parameter_and_allowed_values(world: WebWorld) -> None:
    response = world.client.get("/api/v1/mentions?sentiment=happy", headers=world.api("viewer"))
    assert response.status_code == 422
    body = response.json()
    assert body["parameter"] == "sentiment"
    assert "happy" in body["detail"] and "positive, neutral, negative" in body["detail"]
    bad_date = world.client.get("/api/v1/mentions?since=yesterday", headers=world.api("viewer"))
    assert bad_date.status_code == 422 and bad_date.json()["parameter"] == "since"
    bad_by = world.client.get("/api/v1/stats?by=colour", headers=world.api("viewer"))
    assert bad_by.status_code == 422 and "colour" in bad_by.json()["detail"]


def test_mentions_page_through_with_cursor_newest_first(world: WebWorld) -> None:
    seen: list[dict[str, object]] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        body = world.client.get(
            "/api/v1/mentions", params=params, headers=world.api("viewer")
        ).json()
        seen.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 4 and len({m["id"] for m in seen}) == 4
    dates = [str(m["published_at"]) for m in seen]
    assert dates == sorted(dates, reverse=True)


def test_filters_in_query_parameters_narrow_the_list(world: WebWorld) -> None:
    get = lambda q: world.client.get(f"/api/v1/mentions?{q}", headers=world.api("viewer")).json()  # noqa: E731
    assert {m["channel"] for m in get("channel=review&channel=appstore")["items"]} == {
        "review",
        "appstore",
    }
    assert [m["rating"] for m in get("rating_min=4")["items"]] == [5.0]
    assert [m["language"] for m in get("language=kk")["items"]] == ["kk"]
    assert len(get("since=2025-03-02&until=2025-03-03")["items"]) == 2
    # These stages flag nothing: every mention is "not a complaint", none is one.
    assert len(get("complaint=no")["items"]) == 4 and get("complaint=yes")["items"] == []
    assert {m["is_question"] for m in get("question=no")["items"]} == {False}
    bad = world.client.get("/api/v1/mentions?complaint=maybe", headers=world.api("viewer"))
    assert bad.status_code == 422 and "complaint" in bad.text


def test_analyst_patches_case_tags_and_sentiment(world: WebWorld) -> None:
    client, headers = world.client, world.api("analyst")
    assert client.post("/api/v1/tags", json={"name": "сроки"}, headers=headers).status_code == 201
    mid = client.get("/api/v1/mentions?channel=review", headers=headers).json()["items"][0]["id"]
    response = client.patch(
        f"/api/v1/mentions/{mid}",
        json={
            "status": "in_progress",
            "assignee": "anna@example.com",
            "sentiment": "negative",
            "tags_add": ["сроки"],
            "reply": "Извините, разбираемся",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    ws = world.store.workspaces()[0]
    record = world.store.mention(ws, mid)
    assert (record.status, record.assignee) == ("in_progress", "anna@example.com")
    assert record.analysis.sentiment == "negative"
    assert record.analysis.sentiment_source == "person"
    assert record.tags == ["сроки"]
    assert record.first_response_at is not None
    assert [c.corrected_by for c in world.store.corrections(ws)] == ["analyst@example.com"]
    assert response.json()["notes"][0]["body"] == "Извините, разбираемся"
    closed = client.patch(
        f"/api/v1/mentions/{mid}",
        json={"status": "resolved", "assignee": None, "tags_remove": ["сроки"]},
        headers=headers,
    ).json()
    assert (closed["status"], closed["assignee"], closed["tags"]) == ("resolved", None, [])
    assert closed["resolved_at"] is not None


def test_patch_with_bad_values_is_refused_clearly(world: WebWorld) -> None:
    client, headers = world.client, world.api("analyst")
    mid = client.get("/api/v1/mentions", headers=headers).json()["items"][0]["id"]
    bad_status = client.patch(f"/api/v1/mentions/{mid}", json={"status": "done"}, headers=headers)
    assert bad_status.status_code == 422 and "status must be one of" in bad_status.json()["detail"]
    unknown_tag = client.patch(
        f"/api/v1/mentions/{mid}", json={"tags_add": ["nope"]}, headers=headers
    )
    assert unknown_tag.status_code == 404 and "nope" in unknown_tag.json()["detail"]
    assert client.get("/api/v1/mentions/999999", headers=headers).status_code == 404


def test_stats_count_by_day_and_sentiment(world: WebWorld) -> None:
    body = world.client.get("/api/v1/stats?by=day&by=channel", headers=world.api("viewer")).json()
    assert body["by"] == ["day", "channel"]
    assert {(r["day"], r["channel"], r["count"]) for r in body["items"]} == {
        ("2025-03-01", "review", 1),
        ("2025-03-02", "appstore", 1),
        ("2025-03-03", "vk", 1),
        ("2025-03-04", "telegram", 1),
    }


def test_brands_and_tags_are_listed_and_added(world: WebWorld) -> None:
    client, headers = world.client, world.api("analyst")
    made = client.post(
        "/api/v1/brands",
        headers=headers,
        json={"name": "Быстрая Почта", "query": 'BystroPost OR "Быстрая Почта"', "own": True},
    )
    assert made.status_code == 201
    assert (
        client.post(
            "/api/v1/tags", json={"name": "доставка", "query": "доставка"}, headers=headers
        ).status_code
        == 201
    )
    brands = client.get("/api/v1/brands", headers=world.api("viewer")).json()["items"]
    assert [(b["name"], b["own"]) for b in brands] == [("Быстрая Почта", True)]
    tags = client.get("/api/v1/tags", headers=world.api("viewer")).json()["items"]
    assert [(t["name"], t["query"]) for t in tags] == [("доставка", "доставка")]
    duplicate = client.post("/api/v1/tags", json={"name": "доставка"}, headers=headers)
    assert duplicate.status_code == 422
    broken = client.post(
        "/api/v1/brands", json={"name": "Y", "query": '"unclosed'}, headers=headers
    )
    assert broken.status_code == 422 and "position" in broken.json()["detail"]


def test_import_reports_counts_and_rejected_rows(world: WebWorld) -> None:
    body = b"text,date\nfirst good row,2025-04-01\n,2025-04-02\nsecond good row,not a date\n"
    response = world.client.post(
        "/api/v1/imports",
        headers=world.api("analyst"),
        files={"file": ("more.csv", body, "text/csv")},
    )
    assert response.status_code == 201
    result = response.json()
    assert (result["rows_read"], result["imported"], result["rejected"]) == (3, 1, 2)
    rejected = world.client.get(result["rejected_rows"], headers=world.api("analyst"))
    rows = list(csv.DictReader(io.StringIO(rejected.content.decode("utf-8-sig"))))
    assert [r["row"] for r in rows] == ["3", "4"]
    assert rows[0]["field"] == "text"
    ws = world.store.workspaces()[0]
    assert world.store.count(ws, Filters(source=("more.csv",))) == 1


def test_import_of_a_workbook_names_its_sheets(world: WebWorld, tmp_path: Path) -> None:
    from tests.ingest.test_sheets import write_workbook

    body = write_workbook(tmp_path / "book.xlsx").read_bytes()
    response = world.client.post(
        "/api/v1/imports", headers=world.api("analyst"), files={"file": ("book.xlsx", body)}
    )
    assert response.status_code == 201
    result = response.json()
    assert result["sheets"] == ["March", "April"]
    assert result["skipped_sheets"] == [
        {"name": "Notes", "reason": "different columns", "columns": ["Комментарий", "Кто"]},
        {"name": "Empty", "reason": "empty", "columns": []},
    ]
    assert (result["imported"], result["rejected"]) == (3, 1)


def test_import_of_unknown_file_kind_is_refused(world: WebWorld) -> None:
    response = world.client.post(
        "/api/v1/imports",
        headers=world.api("analyst"),
        files={"file": ("x.exe", b"MZ", "application/octet-stream")},
    )
    assert response.status_code == 422 and "CSV" in response.json()["detail"]


def test_a_big_upload_answers_202_with_the_job_that_imports_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    # The world seeds itself with a small upload; a bigger one goes to the background.
    built = build_world(sqlite_url, tmp_path, background_upload_bytes=1500)
    try:
        _big_upload(next(built), tmp_path)
    finally:
        built.close()


def _big_upload(world: WebWorld, tmp_path: Path) -> None:
    headers = world.api("analyst")
    body = "text,rating\n" + "".join(
        f"Отзыв номер {n}: курьер опоздал,{1 + n % 5}\n" for n in range(30)
    )
    sent = world.client.post(
        "/api/v1/imports", files={"file": ("big.csv", body.encode())}, headers=headers
    )
    assert sent.status_code == 202, sent.text
    job_id = sent.json()["job"]["id"]
    deadline = time.monotonic() + 60
    while (job := world.client.get(f"/api/v1/jobs/{job_id}", headers=headers).json())["status"] in (
        "queued",
        "running",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert (job["kind"], job["status"], job["result"]["imported"]) == ("import", "done", 30)
    listed = world.client.get("/api/v1/mentions?limit=100", headers=headers).json()["items"]
    assert len(listed) == 30 + 4  # beside the world's own four
    assert list((tmp_path / "uploads").iterdir()) == []
