"""API routes for alert rules: list, add, change, test, delivery log, mute."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from otklik.services import alerts
from otklik.services.users import User
from otklik.web.api.responses import COMMON_RESPONSES, NOT_FOUND, Name
from otklik.web.deps import api_user, web

router = APIRouter(responses=COMMON_RESPONSES)
Analyst = Annotated[User, Depends(api_user("analyst"))]


class EmailIn(BaseModel):
    """An e-mail recipient and the language the letters are written in."""

    address: str = Field(max_length=320)
    language: str | None = Field(None, description="kk, ru or en (default: the workspace's).")


class WebhookIn(BaseModel):
    """A webhook recipient and its payload style."""

    url: str = Field(max_length=1000)
    style: str = Field("json", description='json (ours), slack or telegram ({"text": …}).')


class AlertIn(BaseModel):
    """An alert rule: a saved filter, a kind and recipients."""

    name: Name
    kind: str = Field(description="instant, digest or spike.")
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="The feed's filters: brand, tag, sentiment, channel, source, language, "
        "role, rating_min, rating_max, q.",
    )
    emails: list[EmailIn] = Field(default_factory=list, max_length=100)
    webhooks: list[WebhookIn] = Field(default_factory=list, max_length=20)
    at: str | None = Field(None, description="Digest: HH:MM in the workspace's time zone.")
    every: str | None = Field(None, description="Digest: day or week.")
    weekday: int | str | None = Field(
        None,
        description="Weekly digest: the weekday, 0 (Monday) to 6 (Sunday) or its English name "
        "(default Monday).",
    )
    cap_per_hour: int = Field(alerts.DEFAULT_CAP, ge=1, le=10_000)


@router.get("/alerts")
def list_alerts(request: Request, _user: Analyst) -> dict[str, Any]:
    """The workspace's alert rules."""
    state = web(request)
    return {"items": [r.to_dict() for r in alerts.rules(state.svc, state.ws)]}


@router.post("/alerts", status_code=201)
def add_alert(request: Request, body: AlertIn, _user: Analyst) -> dict[str, Any]:
    """Add a rule. The answer carries `secret` once: webhooks are signed with it in
    `X-Otklik-Signature: sha256=<hex HMAC-SHA256 of the body>`."""
    state = web(request)
    people = []
    for e in body.emails:
        suffix = f":{e.language}" if e.language else ""
        people += alerts.recipients_from(state.svc, state.ws, [e.address + suffix], [])
    for h in body.webhooks:
        people += alerts.recipients_from(state.svc, state.ws, [], [h.url], style=h.style)
    rule = alerts.add(
        state.svc,
        state.ws,
        body.name,
        body.kind,
        body.filters,
        people,
        at=body.at,
        every=body.every,
        weekday=body.weekday,
        cap_per_hour=body.cap_per_hour,
    )
    return {**rule.to_dict(), "secret": rule.secret}


class AlertChange(BaseModel):
    """What to change; fields left out stay as they are."""

    name: Name | None = Field(None, description="A new name (the log and secret stay).")
    kind: str | None = Field(None, description="instant, digest or spike.")
    filters: dict[str, Any] | None = Field(
        None,
        description="Filters to replace, each by name; a null or empty value drops that filter.",
    )
    emails: list[EmailIn] | None = Field(
        None, max_length=100, description="All the new e-mail recipients."
    )
    webhooks: list[WebhookIn] | None = Field(
        None, max_length=20, description="All the new webhooks."
    )
    at: str | None = Field(None, description="Digest: HH:MM in the workspace's time zone.")
    every: str | None = Field(None, description="Digest: day or week.")
    weekday: int | str | None = Field(
        None, description="Weekly digest: 0 (Monday) to 6 (Sunday) or its English name."
    )
    cap_per_hour: int | None = Field(None, ge=1, le=10_000)


@router.patch("/alerts/{name}", responses=NOT_FOUND)
def change_alert(request: Request, name: str, body: AlertChange, _user: Analyst) -> dict[str, Any]:
    """Change a rule: only the fields given; 422 names the field at fault (`parameter`)."""
    state = web(request)
    emails = None
    if body.emails is not None:
        emails = [e.address + (f":{e.language}" if e.language else "") for e in body.emails]
    hooks = None
    if body.webhooks is not None:
        hooks = [
            alerts.recipients_from(state.svc, state.ws, [], [h.url], style=h.style)[0]
            for h in body.webhooks
        ]
    rule = alerts.change(
        state.svc,
        state.ws,
        name,
        new_name=body.name,
        kind=body.kind,
        filters=body.filters,
        emails=emails,
        webhooks=hooks,
        at=body.at,
        every=body.every,
        weekday=body.weekday,
        cap_per_hour=body.cap_per_hour,
    )
    return rule.to_dict()


@router.post("/alerts/{name}/test", responses=NOT_FOUND)
def test_alert(request: Request, name: str, _user: Analyst) -> dict[str, Any]:
    """Send a test message to every recipient now; each delivery's status and error."""
    state = web(request)
    return {"items": [d.to_dict() for d in alerts.test(state.svc, state.ws, name)]}


@router.get("/alerts/log", responses=NOT_FOUND)
def alert_log(
    request: Request,
    _user: Analyst,
    rule: Annotated[str | None, Query(description="One rule's name.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The delivery log, newest first: `status` is sent, failed, retrying or summarised."""
    state = web(request)
    return {"items": [d.to_dict() for d in alerts.log(state.svc, state.ws, rule, limit)]}


@router.post("/alerts/{name}/mute", responses=NOT_FOUND)
def mute_alert(request: Request, name: str, _user: Analyst, muted: bool = True) -> dict[str, Any]:
    """Mute (or with `muted=false` unmute) a rule."""
    state = web(request)
    return alerts.set_muted(state.svc, state.ws, name, muted).to_dict()
