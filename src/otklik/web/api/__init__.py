"""The JSON API under /api/v1 (bearer tokens), with its OpenAPI document."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from otklik.domain.filters import FilterError
from otklik.errors import ConfigError, InputError, NotFoundError, QueryError
from otklik.web.api.responses import error_body, validation_failed
from otklik.web.deps import WebState


def build_api(state: WebState) -> FastAPI:
    """The API application, mounted at /api/v1 by create_app."""
    from otklik.web.api import alerts, report_schedules, reports, routes, sources

    api = FastAPI(
        title="Otklik API",
        version="1",
        description="Mentions, counts, brands, tags and imports of the server's workspace. "
        "Authenticate with `Authorization: Bearer TOKEN` (`otklik tokens create EMAIL`). "
        "Times are ISO 8601 in UTC with a `Z`; days (`by=day`, date-only `since`/`until`) are "
        "the workspace's time zone's.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.web = state
    api.include_router(routes.router)
    api.include_router(sources.router)
    api.include_router(reports.router)
    api.include_router(alerts.router)
    api.include_router(report_schedules.router)

    def bad_filter(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FilterError)
        return error_body(str(exc), 422, exc.name)

    def bad_input(_request: Request, exc: Exception) -> Response:
        return error_body(str(exc), 422, getattr(exc, "field", None))

    def not_found(_request: Request, exc: Exception) -> Response:
        return error_body(str(exc), 404)

    api.add_exception_handler(RequestValidationError, validation_failed)
    api.add_exception_handler(FilterError, bad_filter)
    for kind in (InputError, QueryError, ConfigError):
        api.add_exception_handler(kind, bad_input)
    api.add_exception_handler(NotFoundError, not_found)
    return api
