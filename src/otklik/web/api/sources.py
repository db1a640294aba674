"""API routes for sources: list, add, poll now, and the webhook that takes pushed items."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from otklik import signing
from otklik.services import jobs
from otklik.services import sources as service
from otklik.services.users import User
from otklik.web.api.responses import COMMON_RESPONSES, NOT_FOUND, ErrorBody, Name, RecordId
from otklik.web.deps import api_user, web

router = APIRouter(responses=COMMON_RESPONSES)
Viewer = Annotated[User, Depends(api_user("viewer"))]
Analyst = Annotated[User, Depends(api_user("analyst"))]


class SourceIn(BaseModel):
    """A new source; which fields count depends on `kind`."""

    kind: Literal["rss", "webhook", "imap", "telegram"]
    name: Name
    url: str | None = Field(None, max_length=2000, description="rss: the feed's address.")
    every: str | None = Field(None, max_length=20, description="15m, 2h, 1d (polled kinds).")
    host: str | None = Field(None, max_length=255, description="imap: the server.")
    port: int | None = Field(None, ge=1, le=65535, description="imap: the port.")
    user: str | None = Field(None, max_length=320, description="imap: the login.")
    password: str | None = Field(None, max_length=1000, description="imap: the password.")
    folder: str | None = Field(None, max_length=200, description="imap: the folder (INBOX).")
    security: Literal["ssl", "starttls", "none"] | None = Field(None, description="imap.")
    channel: str | None = Field(None, max_length=200, description="telegram: the channel.")
    depth: int | None = Field(None, ge=1, le=100, description="telegram: pages on first poll.")


@router.get("/sources")
def list_sources(request: Request, _user: Viewer) -> dict[str, Any]:
    """Feeds, webhooks, mailboxes and channels with their health: `last_run_at`,
    `last_status` (ok, not_modified, error), `items_total`, `last_error`, `next_run_at`."""
    state = web(request)
    found = service.sources(state.svc, state.ws)
    return {"items": [service.source_dict(state.svc, s) for s in found]}


@router.post("/sources", status_code=201)
def add_source(request: Request, body: SourceIn, _user: Analyst) -> dict[str, Any]:
    """Add a source. A polled one is polled at once (`job_id`) and then on its schedule; a
    webhook's answer carries its `webhook_url` and `secret`, shown this once."""
    state = web(request)
    options = body.model_dump(exclude={"kind", "name"})
    added = service.add(state.svc, state.ws, body.kind, body.name, **options)
    if state.worker is not None and added.job_id is not None:
        state.worker.wake()
    return {
        "source": service.source_dict(state.svc, added.source),
        "secret": added.secret,
        "webhook_url": added.webhook_url,
        "job_id": added.job_id,
    }


@router.post(
    "/sources/{source_id}/run",
    status_code=202,
    responses={**NOT_FOUND, 409: {"model": ErrorBody, "description": "A webhook: not polled"}},
)
def run_source(request: Request, source_id: RecordId, _user: Analyst) -> dict[str, Any]:
    """Poll a feed, mailbox or channel now, in the background: the queued job (see
    `/jobs/{id}`)."""
    state = web(request)
    found = service.source_by_id(state.svc, state.ws, source_id)
    job_id = service.queue_poll(state.svc, state.ws, found)
    if job_id is None:
        raise HTTPException(409, f"source {found.name!r} is a webhook: it is pushed to, not polled")
    if state.worker is not None:
        state.worker.wake()
    return {"job": jobs.job_dict(jobs.job(state.svc, state.ws, job_id))}


class PushedItem(BaseModel):
    """One pushed item: mention fields by name; `text` is required."""

    text: str
    external_id: str | None = None
    title: str | None = None
    url: str | None = None
    author: str | None = None
    published_at: str | None = None
    rating: float | None = None
    channel: str | None = None
    language: str | None = None


_ITEM = PushedItem.model_json_schema()
_PUSH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [
                    _ITEM,
                    {
                        "type": "object",
                        "required": ["items"],
                        "properties": {"items": {"type": "array", "items": _ITEM}},
                    },
                ]
            }
        }
    },
}


def _error(detail: str, status: int) -> Response:
    return JSONResponse({"detail": detail, "parameter": None, "errors": []}, status)


@router.post(
    "/sources/{source_id}/items",
    responses={
        **NOT_FOUND,
        409: {"model": ErrorBody, "description": "The source is paused"},
        413: {"model": ErrorBody, "description": "The body is over OTKLIK_WEBHOOK_MAX_BYTES"},
    },
    openapi_extra={"requestBody": _PUSH_BODY},
)
async def push_items(request: Request, source_id: RecordId) -> Response:
    """Take items pushed to a webhook source: one item as a JSON object or
    `{"items": [...]}`. Authenticated by `X-Otklik-Signature: sha256=<HMAC-SHA256 of the
    body keyed by the source's secret>` or by an API token (analyst or admin). Answers per
    item (by `position`, from 1): `accepted`, `updated`, `duplicate` (same `external_id`,
    same text) or `rejected` with `field` and `reason`. A body that is not JSON (400), over
    the size limit (413) or badly signed (401) stores nothing."""
    state = web(request)
    limit = state.settings.webhook_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return _error(f"the body is over {limit} bytes; send fewer items per request", 413)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return _error(f"the body is over {limit} bytes; send fewer items per request", 413)
    has_token = "authorization" in request.headers
    if has_token:
        api_user("analyst")(request)  # 401/403 for a bad token
    try:
        result = await run_in_threadpool(
            service.push,
            state.svc,
            state.ws,
            source_id,
            bytes(body),
            signature=request.headers.get(signing.HEADER),
            has_token=has_token,
        )
    except service.SignatureError as exc:
        return _error(str(exc), 401)
    except service.BodyError as exc:
        return _error(str(exc), 400)
    except service.PausedError as exc:
        return _error(str(exc), 409)
    counts = {s: result.count(s) for s in ("accepted", "updated", "duplicate", "rejected")}
    return JSONResponse({**counts, "items": result.items})
