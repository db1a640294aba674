"""What the API declares in its OpenAPI document: error bodies, statuses, bounded parameters.

Every error the API returns has one shape, `ErrorBody`, whether it comes from FastAPI's own
validation, a bad filter or a missing record, so the document and the answers agree.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from otklik.domain.filters import ROLES
from otklik.domain.mention import SENTIMENTS

# The largest id the databases store (a signed 64-bit integer); anything above is no id of ours.
MAX_ID = 2**63 - 1
CASE_STATUSES = ("new", "in_progress", "resolved", "ignored")


class FieldError(BaseModel):
    """One bad field: where it is, what is wrong, and the kind of problem."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """An error: what went wrong, the parameter at fault (when one is), and each bad field."""

    detail: str
    parameter: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# Statuses any route may answer; routes add what is theirs (404, 413) with `responses=`.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("The request could not be read (a malformed body or form)"),
    401: _error("No bearer token, or one that is unknown or revoked"),
    403: _error("The token's user has a role that may not do this"),
    405: _error("The path does not take this method"),
    422: _error("A parameter or body field is invalid; `parameter` names a bad filter"),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _error("No such record in this workspace")}
TOO_LARGE: dict[int | str, dict[str, Any]] = {413: _error("The upload is larger than allowed")}

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="A record's id")]
Cursor = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="The `next_cursor` of the previous page",
    ),
]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]


def one_of(values: tuple[str, ...], description: str) -> Any:
    """A repeatable query parameter whose items are declared as `values` (commas also split)."""
    return Query(
        description=description,
        json_schema_extra={"items": {"type": "string", "enum": list(values)}},
    )


SENTIMENT_QUERY = one_of(SENTIMENTS, "positive, neutral or negative (repeatable).")
STATUS_QUERY = one_of(CASE_STATUSES, "new, in_progress, resolved, ignored.")
ROLE_QUERY = one_of(ROLES, "The brand's role: main, passing or comparison (repeatable).")


def validation_failed(_request: Request, exc: Exception) -> Response:
    """FastAPI's validation errors in the API's one error shape (422)."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldError(
            loc=[p for p in e.get("loc", ()) if isinstance(p, str | int)],
            msg=str(e.get("msg", "")),
            type=str(e.get("type", "")),
        )
        for e in exc.errors()
    ]
    first = errors[0] if errors else None
    parameter = str(first.loc[-1]) if first and first.loc else None
    detail = "; ".join(f"{'.'.join(str(p) for p in e.loc)}: {e.msg}" for e in errors)
    body = ErrorBody(detail=detail or "invalid request", parameter=parameter, errors=errors)
    return JSONResponse(jsonable_encoder(body), status_code=422)


def error_body(detail: str, status_code: int, parameter: str | None = None) -> Response:
    """An `ErrorBody` response."""
    return JSONResponse({"detail": detail, "parameter": parameter, "errors": []}, status_code)
