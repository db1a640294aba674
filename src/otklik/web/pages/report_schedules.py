"""Scheduled report e-mails: the workspace's list, and (analysts and admins) add, pause,
resume and remove; viewers see the list only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.errors import InputError
from otklik.i18n import LANGUAGES
from otklik.services import campaigns as camp
from otklik.services import catalog, report_schedules, reports
from otklik.services.users import User
from otklik.web.auth import may
from otklik.web.deps import form_user, page_user, render, web
from otklik.web.i18n import language_of, translator_of

router = APIRouter()
Analyst = Annotated[User, Depends(form_user("analyst"))]
PAGE = "/reports/schedules"


def _page(request: Request, user: User, status_code: int = 200, **extra: Any) -> Response:
    state = web(request)
    context = {
        "schedules": report_schedules.schedules(state.svc, state.ws),
        "campaigns": [c.name for c in camp.campaigns(state.svc, state.ws)],
        "brands": [b.name for b in catalog.brands(state.svc, state.ws)],
        "kinds": reports.KINDS,
        "everies": report_schedules.EVERY,
        "mail_languages": LANGUAGES,
        "can_edit": may(user.role, "analyst"),
        "kept": {},
        **extra,
    }
    return render(request, "report_schedules.html", context, user=user, status_code=status_code)


@router.get(PAGE)
def schedules_page(
    request: Request,
    user: Annotated[User, Depends(page_user("viewer"))],
    campaign: str = "",
    kind: str = "",
) -> Response:
    """The scheduled reports and, for analysts, the form to add one (pre-filled from a
    campaign or report page's link)."""
    kept = {"kind": kind or ("campaign" if campaign else "smm"), "campaign": campaign}
    return _page(request, user, kept=kept)


@router.post(PAGE)
def schedule_add(
    request: Request,
    user: Analyst,
    kind: Annotated[str, Form()],
    to: Annotated[str, Form()],
    every: Annotated[str, Form()] = "week",
    at: Annotated[str, Form()] = "09:00",
    campaign: Annotated[str, Form()] = "",
    brand: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
) -> Response:
    """Add a schedule; a refused one comes back with the reason and what was typed."""
    state = web(request)
    try:
        added = report_schedules.add(
            state.svc,
            state.ws,
            kind,
            every,
            report_schedules.parse_recipients(to),
            campaign=campaign if kind == "campaign" else None,
            brand=brand if kind == "brand" else None,
            language=language or language_of(request, user),
            at_time=at,
        )
    except InputError as exc:
        tr = translator_of(request, user)
        kept = {
            "kind": kind,
            "campaign": campaign,
            "brand": brand,
            "every": every,
            "at": at,
            "to": to,
            "language": language,
        }
        error = tr.gettext("The report schedule was not saved; see the details.")
        return _page(request, user, 422, kept=kept, error=error, detail=str(exc))
    if state.worker is not None:
        state.worker.wake()
    return RedirectResponse(f"{PAGE}?added={added.id}#schedule-{added.id}", status_code=303)


@router.post(PAGE + "/{schedule_id}/pause")
def schedule_pause(request: Request, schedule_id: int, _user: Analyst) -> Response:
    """Pause a schedule: nothing is sent until it is resumed."""
    state = web(request)
    report_schedules.pause(state.svc, state.ws, schedule_id)
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{schedule_id}/resume")
def schedule_resume(request: Request, schedule_id: int, _user: Analyst) -> Response:
    """Resume a schedule from its next send time; missed sends are not made up."""
    state = web(request)
    report_schedules.resume(state.svc, state.ws, schedule_id)
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{schedule_id}/remove")
def schedule_remove(request: Request, schedule_id: int, _user: Analyst) -> Response:
    """Remove a schedule for good."""
    state = web(request)
    report_schedules.remove(state.svc, state.ws, schedule_id)
    return RedirectResponse(PAGE, status_code=303)
