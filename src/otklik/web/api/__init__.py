"""The JSON API under /api/v1 (bearer tokens), with its OpenAPI document."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from otklik.domain.filters import FilterError
from otklik.errors import ConfigError, InputError, NotFoundError, QueryError
from otklik.web.deps import WebState


def build_api(state: WebState) -> FastAPI:
    """The API application, mounted at /api/v1 by create_app."""
    from otklik.web.api import routes

    api = FastAPI(
        title="Otklik API",
        version="1",
        description="Mentions, counts, brands, tags and imports of the server's workspace. "
        "Authenticate with `Authorization: Bearer TOKEN` (`otklik tokens create EMAIL`).",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.web = state
    api.include_router(routes.router)

    def bad_filter(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FilterError)
        return JSONResponse({"detail": str(exc), "parameter": exc.name}, status_code=422)

    def bad_input(_request: Request, exc: Exception) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    def not_found(_request: Request, exc: Exception) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    api.add_exception_handler(FilterError, bad_filter)
    for kind in (InputError, QueryError, ConfigError):
        api.add_exception_handler(kind, bad_input)
    api.add_exception_handler(NotFoundError, not_found)
    return api
