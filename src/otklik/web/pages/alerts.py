"""Alerts: rules (add, edit, mute, test, remove) and their delivery log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.domain.alerts import EVERY, KINDS, STYLES
from otklik.domain.filters import ROLES, FilterError
from otklik.errors import InputError, NotFoundError, QueryError
from otklik.services import alerts, catalog
from otklik.services.users import User
from otklik.web.deps import form_user, page_user, render, web
from otklik.web.i18n import translator_of

router = APIRouter()
Analyst = Annotated[User, Depends(form_user("analyst"))]
FILTER_FIELDS = ("brand", "tag", "sentiment", "channel", "language", "role", "q")


def _page(request: Request, user: User, status_code: int = 200, **extra: Any) -> Response:
    state = web(request)
    rules = alerts.rules(state.svc, state.ws)
    context = {
        "rules": rules,
        "log": alerts.log(state.svc, state.ws, limit=50),
        "brands": [b.name for b in catalog.brands(state.svc, state.ws)],
        "tags": [t.name for t in catalog.tags(state.svc, state.ws)],
        "kinds": KINDS,
        "styles": STYLES,
        "everies": EVERY,
        "weekdays": range(7),
        "roles": ROLES,
        **extra,
    }
    return render(request, "alerts.html", context, user=user, status_code=status_code)


@router.get("/alerts")
def alerts_page(
    request: Request, user: Annotated[User, Depends(page_user("analyst"))], edit: str = ""
) -> Response:
    """The rules, the add (or edit) form and the delivery log."""
    kept = None
    if edit:
        state = web(request)
        try:
            kept = _form_of(alerts.get(state.svc, state.ws, edit))
        except NotFoundError:
            kept = None
    return _page(request, user, kept=kept)


def _form_of(rule: Any) -> dict[str, Any]:
    f = rule.filters
    one = {k: (v[0] if isinstance(v, list) and v else v or "") for k, v in f.items()}
    return {
        **{k: one.get(k, "") for k in FILTER_FIELDS},
        "rating_min": f.get("rating_min") or "",
        "rating_max": f.get("rating_max") or "",
        "name": rule.name,
        "old_name": rule.name,
        "kind": rule.kind,
        "emails": "\n".join(
            f"{r.address}:{r.language}" for r in rule.recipients if r.channel == "email"
        ),
        "webhooks": "\n".join(r.address for r in rule.recipients if r.channel == "webhook"),
        "style": next((r.style for r in rule.recipients if r.channel == "webhook"), "json"),
        "at": rule.at_time or "09:00",
        "every": rule.every or "day",
        "weekday": rule.weekday or 0,
        "cap": rule.cap_per_hour,
    }


@router.post("/alerts")
def alert_save(
    request: Request,
    user: Analyst,
    name: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    old_name: Annotated[str, Form()] = "",
    brand: Annotated[str, Form()] = "",
    tag: Annotated[str, Form()] = "",
    sentiment: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    rating_min: Annotated[str, Form()] = "",
    rating_max: Annotated[str, Form()] = "",
    q: Annotated[str, Form()] = "",
    emails: Annotated[str, Form()] = "",
    webhooks: Annotated[str, Form()] = "",
    style: Annotated[str, Form()] = "json",
    at: Annotated[str, Form()] = "09:00",
    every: Annotated[str, Form()] = "day",
    weekday: Annotated[str, Form()] = "0",
    cap: Annotated[int, Form()] = alerts.DEFAULT_CAP,
) -> Response:
    """Add a rule, or edit the one called `old_name`; a refused one comes back with the
    reason and what was typed. A new rule with webhooks shows their signing secret once."""
    state = web(request)
    form = {
        "brand": brand,
        "tag": tag,
        "sentiment": sentiment,
        "channel": channel,
        "language": language,
        "role": role,
        "rating_min": rating_min,
        "rating_max": rating_max,
        "q": q,
    }
    filters = {k: v.strip() for k, v in form.items() if v.strip()}
    try:
        people = alerts.recipients_from(
            state.svc, state.ws, emails.split(), webhooks.split(), style=style
        )
        options: dict[str, Any] = {
            "at": at,
            "every": every,
            "weekday": weekday,
            "cap_per_hour": cap,
        }
        if old_name:
            alerts.edit(
                state.svc,
                state.ws,
                old_name,
                new_name=name,
                kind=kind,
                filters=filters,
                recipients=people,
                **options,
            )
            return RedirectResponse("/alerts", status_code=303)
        rule = alerts.add(state.svc, state.ws, name, kind, filters, people, **options)
    except (InputError, QueryError, FilterError, NotFoundError) as exc:
        tr = translator_of(request, user)
        kept = {
            **form,
            "name": name,
            "old_name": old_name,
            "kind": kind,
            "emails": emails,
            "webhooks": webhooks,
            "style": style,
            "at": at,
            "every": every,
            "weekday": int(weekday) if weekday.isdigit() else 0,
            "cap": cap,
        }
        error = tr.gettext("The alert was not saved; see the details.")
        return _page(request, user, 422, kept=kept, error=error, detail=str(exc))
    secret = rule.secret if any(r.channel == "webhook" for r in rule.recipients) else None
    return _page(request, user, 201, added=rule.name, secret=secret)


@router.post("/alerts/{name}/mute")
def alert_mute(
    request: Request, name: str, _user: Analyst, muted: Annotated[str, Form()] = "1"
) -> Response:
    """Mute or unmute a rule."""
    state = web(request)
    alerts.set_muted(state.svc, state.ws, name, muted == "1")
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{name}/test")
def alert_test(request: Request, name: str, user: Analyst) -> Response:
    """Send a test message to every recipient and show how each went."""
    state = web(request)
    tested = alerts.test(state.svc, state.ws, name)
    return _page(request, user, tested=tested, tested_rule=name)


@router.post("/alerts/{name}/remove")
def alert_remove(request: Request, name: str, _user: Analyst) -> Response:
    """Delete a rule and its log."""
    state = web(request)
    alerts.remove(state.svc, state.ws, name)
    return RedirectResponse("/alerts", status_code=303)
