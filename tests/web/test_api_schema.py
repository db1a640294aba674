"""A bounded schemathesis run against /api/v1: no server error, no response outside the spec."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.web.conftest import WebWorld

EXAMPLES = 12  # per operation: bounded, so the whole run stays well under a minute
# Server errors and answers outside the document fail the run. Not these two heuristics: the
# query language, dates and comma lists accept and refuse more than JSON Schema can say, so a
# schema-valid `q` may still be refused (422) and `sentiment=positive,negative` is accepted.
NOT_CHECKED = [positive_data_acceptance, negative_data_rejection]


def _failures_of(world: WebWorld, role: str) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.app)
    headers = world.api(role)
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)

        try:
            check()
        except (FailureGroup, AssertionError) as failure:
            found.append(f"{operation.label}: {failure}")
    return found


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_api_answers_every_generated_request_as_its_spec_says(
    sqlite_world: WebWorld, role: str
) -> None:
    assert _failures_of(sqlite_world, role) == []


def test_ids_and_cursors_beyond_the_database_range_are_refused_not_crashed(
    sqlite_world: WebWorld,
) -> None:
    import base64

    client, headers = sqlite_world.client, sqlite_world.api("analyst")
    huge = 2**63
    for path in (f"/api/v1/mentions/{huge}", f"/api/v1/imports/{huge}/rejected.csv"):
        response = client.get(path, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["parameter"] in ("mention_id", "run_id")
    assert client.get("/api/v1/mentions/999999", headers=headers).status_code == 404
    cursor = base64.urlsafe_b64encode(f"2025-01-01T00:00:00|{huge}".encode()).decode()
    refused = client.get("/api/v1/mentions", params={"cursor": cursor.rstrip("=")}, headers=headers)
    assert refused.status_code == 422 and "cursor" in refused.json()["detail"]


def test_the_document_declares_the_error_shape_the_api_answers_with(
    sqlite_world: WebWorld,
) -> None:
    spec = sqlite_world.client.get("/api/v1/openapi.json").json()
    patch = spec["paths"]["/mentions/{mention_id}"]["patch"]
    assert {"401", "403", "404", "422"} <= set(patch["responses"])
    declared = patch["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert declared.endswith("/ErrorBody")
    body = sqlite_world.client.patch(
        "/api/v1/mentions/1", json={"sentiment": 5}, headers=sqlite_world.api("analyst")
    ).json()
    assert set(body) == {"detail", "parameter", "errors"} and body["parameter"] == "sentiment"
