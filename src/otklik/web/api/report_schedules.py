"""API routes for scheduled report e-mails: list, add, read, change (pause, resume), remove."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from otklik.services import report_schedules as service
from otklik.services.users import User
from otklik.web.api.responses import COMMON_RESPONSES, NOT_FOUND, RecordId
from otklik.web.deps import api_user, web

router = APIRouter(responses=COMMON_RESPONSES)
Viewer = Annotated[User, Depends(api_user("viewer"))]
Analyst = Annotated[User, Depends(api_user("analyst"))]
Every = Literal["week", "month"]
Language = Literal["ru", "kk", "en"]
Recipients = Annotated[list[Annotated[str, Field(max_length=320)]], Field(max_length=50)]
At = Annotated[str, Field(max_length=5, description="HH:MM in the workspace's time zone.")]


class ReportScheduleIn(BaseModel):
    """A report to e-mail every week (Mondays) or month (the 1st)."""

    kind: Literal["smm", "brand", "campaign"]
    campaign: str | None = Field(None, max_length=200, description="campaign: its name.")
    brand: str | None = Field(None, max_length=200, description="brand: one brand (else all).")
    every: Every
    to: Recipients = Field(description="E-mail addresses.")
    at: At = "09:00"
    language: Language = Field("en", description="The e-mail's language.")


class ReportScheduleChange(BaseModel):
    """What to change; fields left out stay as they are."""

    to: Recipients | None = Field(None, description="All the new recipients.")
    at: At | None = None
    every: Every | None = None
    language: Language | None = None
    status: Literal["active", "paused"] | None = Field(
        None, description="paused: send nothing; active: resume from the next send time."
    )


@router.get("/report-schedules")
def list_report_schedules(request: Request, _user: Viewer) -> dict[str, Any]:
    """The workspace's report schedules: `next_send_at` (UTC; `next_send_local` in the
    workspace's zone; null while paused), `last_sent_at` and `last_outcome` (sent, failed),
    `status` (active, paused)."""
    state = web(request)
    return {"items": [s.to_dict() for s in service.schedules(state.svc, state.ws)]}


@router.post("/report-schedules", status_code=201)
def add_report_schedule(request: Request, body: ReportScheduleIn, _user: Analyst) -> dict[str, Any]:
    """Schedule a report; 422 names the field at fault (`parameter`)."""
    state = web(request)
    added = service.add(
        state.svc,
        state.ws,
        body.kind,
        body.every,
        body.to,
        campaign=body.campaign,
        brand=body.brand,
        language=body.language,
        at_time=body.at,
    )
    return added.to_dict()


@router.get("/report-schedules/{schedule_id}", responses=NOT_FOUND)
def get_report_schedule(request: Request, schedule_id: RecordId, _user: Viewer) -> dict[str, Any]:
    """One report schedule."""
    state = web(request)
    return service.get(state.svc, state.ws, schedule_id).to_dict()


@router.patch("/report-schedules/{schedule_id}", responses=NOT_FOUND)
def change_report_schedule(
    request: Request, schedule_id: RecordId, body: ReportScheduleChange, _user: Analyst
) -> dict[str, Any]:
    """Change recipients, time, `every` or language; pause or resume with `status`."""
    state = web(request)
    svc, ws = state.svc, state.ws
    found = service.get(svc, ws, schedule_id)
    if body.to is not None or body.at or body.every or body.language:
        found = service.change(
            svc,
            ws,
            schedule_id,
            to=body.to,
            at_time=body.at,
            every=body.every,
            language=body.language,
        )
    if body.status == "paused" and not found.is_paused:
        found = service.pause(svc, ws, schedule_id)
    elif body.status == "active" and found.is_paused:
        found = service.resume(svc, ws, schedule_id)
    return found.to_dict()


@router.delete("/report-schedules/{schedule_id}", status_code=204, responses=NOT_FOUND)
def remove_report_schedule(request: Request, schedule_id: RecordId, _user: Analyst) -> Response:
    """Remove a report schedule for good."""
    state = web(request)
    service.remove(state.svc, state.ws, schedule_id)
    return Response(status_code=204)
