"""Campaigns (list, create, goals, the team's conclusions), the campaign, SMM and brand
reports as pages with stable links and PDF/XLSX/JSON downloads, and the UTM builder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from otklik.errors import InputError, NotFoundError
from otklik.services import campaigns as camp
from otklik.services import catalog, partner_email, posts, reports, utm
from otklik.services import surveys as survey_service
from otklik.services.users import User
from otklik.web.auth import may
from otklik.web.deps import form_user, page_user, render, web
from otklik.web.i18n import language_of, translator_of

router = APIRouter()


def _today(request: Request) -> date:
    return datetime.now(UTC).astimezone(web(request).tz).date()


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _campaigns(request: Request, user: User, status_code: int = 200, **extra: Any) -> Response:
    state = web(request)
    today = _today(request)
    context = {
        "campaigns": [(c, c.phase(today)) for c in camp.campaigns(state.svc, state.ws)],
        "brands": catalog.brands(state.svc, state.ws),
        "surveys": [r.name for r in survey_service.list_surveys(state.svc, state.ws)],
        "can_edit": may(user.role, "analyst"),
        **extra,
    }
    return render(request, "campaigns.html", context, user=user, status_code=status_code)


@router.get("/campaigns")
def campaigns_page(
    request: Request, user: Annotated[User, Depends(page_user("viewer"))]
) -> Response:
    """The workspace's campaigns and a form to add one."""
    return _campaigns(request, user)


@router.post("/campaigns")
def campaign_add(
    request: Request,
    user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
    starts_on: Annotated[str, Form()],
    ends_on: Annotated[str, Form()],
    brand: Annotated[str, Form()] = "",
    utm_campaigns: Annotated[str, Form()] = "",
    partners: Annotated[str, Form()] = "",
    channels: Annotated[str, Form()] = "",
    surveys: Annotated[list[str] | None, Form()] = None,
    notes: Annotated[str, Form()] = "",
) -> Response:
    """Add a campaign; a refused one comes back with the reason and what was typed."""
    state = web(request)
    start, end = _day(starts_on), _day(ends_on)
    try:
        if start is None or end is None:
            raise InputError("the first and last day are dates: YYYY-MM-DD")
        camp.add_campaign(
            state.svc,
            state.ws,
            name,
            start,
            end,
            brand=brand or None,
            partners=partners.split(","),
            channels=channels.split(","),
            utm_campaigns=utm_campaigns.split(","),
            notes=notes,
            surveys=surveys or [],
        )
    except InputError as exc:
        kept = {
            "name": name,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "brand": brand,
            "utm_campaigns": utm_campaigns,
            "partners": partners,
            "channels": channels,
            "surveys": surveys or [],
            "notes": notes,
        }
        error = translator_of(request, user).gettext("The campaign was not saved; see the details.")
        return _campaigns(request, user, 422, kept=kept, error=error, detail=str(exc))
    return RedirectResponse(f"/campaigns/{quote(name.strip())}", status_code=303)


@router.post("/campaigns/import")
def sheet_upload(
    request: Request,
    user: Annotated[User, Depends(form_user("analyst"))],
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "post",
) -> Response:
    """Queue the import of an SMM or analytics export; the Jobs page shows its progress."""
    state = web(request)
    try:
        posts.upload_sheet(state.svc, state.ws, file.filename or "upload", file.file, kind)
    except InputError as exc:
        error = translator_of(request, user).gettext("The file was not imported; see the details.")
        return _campaigns(request, user, 422, error=error, detail=str(exc))
    if state.worker is not None:
        state.worker.wake()
    return RedirectResponse("/jobs", status_code=303)


@router.get("/campaigns/{name}")
def campaign_page(
    request: Request,
    name: str,
    user: Annotated[User, Depends(page_user("viewer"))],
    email_lang: str = "",
    sent: str = "",
) -> Response:
    """The campaign report: goals, before/during/after, funnel, voice, SMM, conclusions,
    and the partner e-mail draft."""
    state = web(request)
    lang = language_of(request, user)
    data = reports.campaign_report(state.svc, state.ws, name, _today(request))
    doc = reports.document(data, lang, state.ws.timezone)
    mail_lang = email_lang if email_lang in ("kk", "ru", "en") else lang
    subject, body = partner_email.draft(data, mail_lang, state.ws.timezone)
    context = {
        "doc": doc,
        "body": reports.html_body(doc),
        "campaign": data["campaign"],
        "team": data["team"],
        "metrics": camp.METRICS,
        "surveys": [r.name for r in survey_service.list_surveys(state.svc, state.ws)],
        "can_edit": may(user.role, "analyst"),
        "link": f"/campaigns/{quote(name)}",
        "link_text": f"/campaigns/{name}",
        "downloads": _downloads("campaign", {"name": name}),
        "email": {"subject": subject, "body": body, "lang": mail_lang},
        "can_send": partner_email.can_send(state.svc),
        "sent": sent == "1",
    }
    return render(request, "campaign.html", context, user=user)


@router.post("/campaigns/{name}/goals")
def goal_add(
    request: Request,
    name: str,
    _user: Annotated[User, Depends(form_user("analyst"))],
    metric: Annotated[str, Form()],
    target: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    specific: Annotated[str, Form()] = "",
    measurable: Annotated[str, Form()] = "",
    achievable: Annotated[str, Form()] = "",
    relevant: Annotated[str, Form()] = "",
    time_bound: Annotated[str, Form()] = "",
) -> Response:
    """Add a goal to the campaign (its report then says what the goal lacks)."""
    state = web(request)
    try:
        value = float(target.replace(",", ".")) if target.strip() else None
    except ValueError:
        value = None
    wording = {
        "specific": specific,
        "measurable": measurable,
        "achievable": achievable,
        "relevant": relevant,
        "time_bound": time_bound,
    }
    camp.add_goal(state.svc, state.ws, name, metric, value, _day(deadline), wording)
    return RedirectResponse(f"/campaigns/{quote(name)}#section-goals", status_code=303)


@router.post("/campaigns/{name}/email")
def email_send(
    request: Request,
    name: str,
    _user: Annotated[User, Depends(form_user("analyst"))],
    to: Annotated[str, Form()],
    subject: Annotated[str, Form()],
    body: Annotated[str, Form()],
    lang: Annotated[str, Form()] = "en",
) -> Response:
    """Send the edited partner e-mail through the configured SMTP server."""
    state = web(request)
    camp.campaign(state.svc, state.ws, name)  # 404 for an unknown campaign
    partner_email.send(state.svc, to, subject, body, lang)
    return RedirectResponse(f"/campaigns/{quote(name)}?sent=1#partner-email", status_code=303)


@router.post("/campaigns/{name}/surveys")
def surveys_link(
    request: Request,
    name: str,
    _user: Annotated[User, Depends(form_user("analyst"))],
    surveys: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Link surveys to the campaign (replacing the linked ones)."""
    camp.link_surveys(web(request).svc, web(request).ws, name, surveys or [])
    return RedirectResponse(f"/campaigns/{quote(name)}#section-answers", status_code=303)


@router.post("/campaigns/{name}/retro")
def retro_save(
    request: Request,
    name: str,
    _user: Annotated[User, Depends(form_user("analyst"))],
    worked: Annotated[str, Form()] = "",
    not_worked: Annotated[str, Form()] = "",
    ideas: Annotated[str, Form()] = "",
) -> Response:
    """Store the team's three fields."""
    camp.save_retrospective(web(request).svc, web(request).ws, name, worked, not_worked, ideas)
    return RedirectResponse(f"/campaigns/{quote(name)}#section-team", status_code=303)


def _downloads(kind: str, params: dict[str, str]) -> dict[str, str]:
    query = urlencode({k: v for k, v in params.items() if v})
    return {
        fmt: f"/reports/{kind}.{fmt}" + (f"?{query}" if query else "") for fmt in reports.FORMATS
    }


def _bounds(request: Request, since: str, until: str) -> tuple[date, date]:
    start, end = _day(since), _day(until)
    if start is None or end is None or end < start:
        return reports.last_full_month(_today(request))
    return start, end


@router.get("/reports/smm")
def smm_page(
    request: Request,
    user: Annotated[User, Depends(page_user("viewer"))],
    since: str = "",
    until: str = "",
) -> Response:
    """The SMM report of a period (default: last full month), with its stable link."""
    return _report_page(request, user, "smm", since, until, "")


@router.get("/reports/brand")
def brand_page(
    request: Request,
    user: Annotated[User, Depends(page_user("viewer"))],
    since: str = "",
    until: str = "",
    brand: str = "",
) -> Response:
    """The monthly brand report of a period (default: last full month)."""
    return _report_page(request, user, "brand", since, until, brand)


def _report_page(
    request: Request, user: User, kind: str, since: str, until: str, brand: str
) -> Response:
    state = web(request)
    start, end = _bounds(request, since, until)
    data = reports.build(
        state.svc, state.ws, kind, _today(request), start=start, end=end, brand=brand or None
    )
    doc = reports.document(data, language_of(request, user), state.ws.timezone)
    params = {"since": start.isoformat(), "until": end.isoformat(), "brand": brand}
    context = {
        "doc": doc,
        "body": reports.html_body(doc),
        "kind": kind,
        "since": start.isoformat(),
        "until": end.isoformat(),
        "brand": brand,
        "brands": catalog.brands(state.svc, state.ws),
        "downloads": _downloads(kind, params),
        "link": f"/reports/{kind}?{urlencode({k: v for k, v in params.items() if v})}",
        "link_text": f"/reports/{kind}?{urlencode({k: v for k, v in params.items() if v})}",
    }
    return render(request, "report.html", context, user=user)


@router.get("/reports/{kind}.{fmt}")
def report_file(
    request: Request,
    kind: str,
    fmt: str,
    user: Annotated[User, Depends(page_user("viewer"))],
    name: str = "",
    since: str = "",
    until: str = "",
    brand: str = "",
) -> Response:
    """A report as PDF, XLSX, JSON or a self-contained HTML page, in the reader's language."""
    state = web(request)
    if kind not in reports.KINDS or fmt not in reports.FORMATS:
        raise NotFoundError(f"no report {kind}.{fmt}")
    start, end = _bounds(request, since, until)
    data = reports.build(
        state.svc,
        state.ws,
        kind,
        _today(request),
        name=name or None,
        start=start,
        end=end,
        brand=brand or None,
    )
    content = reports.render(data, fmt, language_of(request, user), state.ws.timezone)
    filename = f"{kind}-{data['period']['from']}-{data['period']['to']}.{fmt}"
    return Response(
        content,
        media_type=reports.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/utm")
def utm_page(
    request: Request,
    user: Annotated[User, Depends(page_user("viewer"))],
    url: str = "",
    source: str = "",
    medium: str = "",
    campaign: str = "",
    content: str = "",
    term: str = "",
) -> Response:
    """The UTM builder: a link from a URL and fields, normalised the same way every time."""
    built, error = "", ""
    fields = {
        "source": source,
        "medium": medium,
        "campaign": campaign,
        "content": content,
        "term": term,
    }
    if url:
        try:
            built = utm.build(url, fields)
        except InputError as exc:
            error = str(exc)
    context = {"url": url, "fields": fields, "built": built, "error": error, "lint": None}
    return render(request, "utm.html", context, user=user)


@router.post("/utm/lint")
def utm_lint(
    request: Request,
    user: Annotated[User, Depends(form_user("viewer"))],
    links: Annotated[str, Form()] = "",
) -> Response:
    """The linter over pasted links: values spelled more than one way, with counts."""
    found = utm.lint(utm.links_in(links))
    context = {"url": "", "fields": {}, "built": "", "error": "", "lint": found, "links": links}
    return render(request, "utm.html", context, user=user)
