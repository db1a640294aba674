"""Survey pages for the team: list, create from a template, the form-based editor with
close, reopen and delete, the report (scores with intervals, trend chart, breakdowns) and
response exports."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from otklik.errors import InputError
from otklik.services import invitations
from otklik.services import surveys as service
from otklik.services.users import User
from otklik.surveys.document import KINDS, LANGUAGES, REVIEW_SITES, SurveyError, text_in
from otklik.web.deps import form_user, page_user, render, web
from otklik.web.i18n import language_of
from otklik.web.pages.overview import chart_labels

router = APIRouter()
NEW_ROWS = 1  # empty question rows the editor offers


@router.get("/surveys")
def surveys_page(request: Request, user: Annotated[User, Depends(page_user("viewer"))]) -> Response:
    """The workspace's surveys with their links, and forms to add one."""
    context = {
        "surveys": _listed(request),
        "templates": list(service.TEMPLATES),
        "all_languages": LANGUAGES,
    }
    return render(request, "surveys.html", context, user=user)


def _listed(request: Request) -> list[dict[str, Any]]:
    state = web(request)
    return [
        {**service.summary(state.svc, r, str(request.base_url)), "closed": r.closed_at}
        for r in service.list_surveys(state.svc, state.ws)
    ]


@router.post("/surveys/new")
def survey_new(
    request: Request,
    user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()] = "",
    template: Annotated[str, Form()] = "post-purchase",
    languages: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    """Create a survey from a template and open it in the editor."""
    state = web(request)
    try:
        record = service.add_from_template(
            state.svc, state.ws, name.strip(), template, languages or list(LANGUAGES)
        )
    except InputError as exc:
        return _list_with_error(request, user, str(exc))
    return RedirectResponse(f"/surveys/{record.id}/edit", status_code=303)


@router.post("/surveys/import")
def survey_import(
    request: Request,
    user: Annotated[User, Depends(form_user("analyst"))],
    document: Annotated[str, Form()] = "",
) -> Response:
    """Create or replace a survey from its JSON document."""
    state = web(request)
    try:
        record, _is_new = service.import_document(
            state.svc, state.ws, service.read_document(document)
        )
    except InputError as exc:
        return _list_with_error(request, user, str(exc), document)
    return RedirectResponse(f"/surveys/{record.id}", status_code=303)


def _list_with_error(request: Request, user: User, error: str, document: str = "") -> Response:
    context = {
        "surveys": _listed(request),
        "templates": list(service.TEMPLATES),
        "all_languages": LANGUAGES,
        "error": error,
        "document": document,
    }
    return render(request, "surveys.html", context, user=user, status_code=422)


@router.get("/surveys/{survey_id}/edit")
def survey_edit(
    request: Request, survey_id: int, user: Annotated[User, Depends(page_user("analyst"))]
) -> Response:
    """The editor: texts per language, questions, logic, review links, embedding sites."""
    state = web(request)
    record = service.get(state.svc, state.ws, survey_id)
    return _editor(
        request, user, record.id, service.export_document(state.svc, state.ws, record.name)
    )


def _editor(
    request: Request,
    user: User,
    survey_id: int,
    document: dict[str, Any],
    problems: list[str] | None = None,
) -> Response:
    state = web(request)
    questions = list(document.get("questions") or [])
    rows = questions + [{"id": "", "kind": "text", "text": {}} for _ in range(NEW_ROWS)]
    links = list(document.get("review_links") or []) + [{"site": "", "url": ""}]
    context = {
        "survey_id": survey_id,
        "record": service.get(state.svc, state.ws, survey_id),
        "document": document,
        "rows": rows,
        "links": links,
        "kinds": KINDS,
        "sites": REVIEW_SITES,
        "all_languages": LANGUAGES,
        "problems": problems or [],
        "option_lines": _option_lines,
    }
    status = 422 if problems else 200
    return render(request, "survey_edit.html", context, user=user, status_code=status)


def _option_lines(options: list[dict[str, Any]] | None) -> str:
    lines = []
    for option in options or []:
        texts = option.get("text") or {}
        lines.append(f"{option.get('id', '')}: " + " | ".join(texts.get(c, "") for c in LANGUAGES))
    return "\n".join(lines)


@router.post("/surveys/{survey_id}/edit")
async def survey_save(
    request: Request, survey_id: int, user: Annotated[User, Depends(form_user("analyst"))]
) -> Response:
    """Save the editor's form as the survey's document; problems come back beside it."""
    state = web(request)
    form = await request.form()
    document = _document_from(form)
    try:
        service.save(state.svc, state.ws, document, survey_id)
    except SurveyError as exc:
        return _editor(request, user, survey_id, document, exc.problems)
    except InputError as exc:
        return _editor(request, user, survey_id, document, [str(exc)])
    return RedirectResponse(f"/surveys/{survey_id}", status_code=303)


@router.post("/surveys/{survey_id}/close")
def survey_close(
    request: Request, survey_id: int, _user: Annotated[User, Depends(form_user("analyst"))]
) -> Response:
    """Close the survey: its link and widget say so, answers are refused, invitations wait."""
    state = web(request)
    service.close(state.svc, state.ws, service.get(state.svc, state.ws, survey_id).name)
    return RedirectResponse(f"/surveys/{survey_id}/edit", status_code=303)


@router.post("/surveys/{survey_id}/reopen")
def survey_reopen(
    request: Request, survey_id: int, _user: Annotated[User, Depends(form_user("analyst"))]
) -> Response:
    """Reopen the survey: it takes answers again and waiting invitations go out."""
    state = web(request)
    service.reopen(state.svc, state.ws, service.get(state.svc, state.ws, survey_id).name)
    return RedirectResponse(f"/surveys/{survey_id}/edit", status_code=303)


@router.post("/surveys/{survey_id}/delete")
def survey_delete(
    request: Request,
    survey_id: int,
    user: Annotated[User, Depends(form_user("analyst"))],
    with_responses: Annotated[str, Form()] = "",
) -> Response:
    """Delete the survey. One with responses first gets a page that says how many responses
    and mentions go with it; its button confirms (`with_responses`)."""
    state = web(request)
    record = service.get(state.svc, state.ws, survey_id)
    try:
        service.delete(state.svc, state.ws, record.name, with_responses=with_responses == "1")
    except service.HasResponses as exc:
        context = {"record": record, "found": exc.found}
        return render(request, "survey_delete.html", context, user=user)
    return RedirectResponse("/surveys", status_code=303)


def _texts(form: Any, prefix: str) -> dict[str, str]:
    return {
        c: str(form.get(f"{prefix}-{c}") or "").strip()
        for c in LANGUAGES
        if form.get(f"{prefix}-{c}")
    }


def _document_from(form: Any) -> dict[str, Any]:
    questions: list[dict[str, Any]] = []
    index = 0
    while f"q{index}-kind" in form:
        prefix = f"q{index}"
        index += 1
        qid = str(form.get(f"{prefix}-id") or "").strip()
        texts = _texts(form, f"{prefix}-text")
        if form.get(f"{prefix}-delete") or (not qid and not texts):
            continue
        question: dict[str, Any] = {
            "id": qid,
            "kind": str(form.get(f"{prefix}-kind")),
            "required": bool(form.get(f"{prefix}-required")),
            "text": texts,
        }
        options = _options(str(form.get(f"{prefix}-options") or ""))
        if options:
            question["options"] = options
        target = str(form.get(f"{prefix}-show-question") or "").strip()
        if target:
            rule: dict[str, Any] = {"question": target}
            for key in ("min", "max"):
                raw = str(form.get(f"{prefix}-show-{key}") or "").strip()
                if raw:
                    rule[key] = int(raw) if raw.lstrip("-").isdigit() else raw
            chosen = [v.strip() for v in str(form.get(f"{prefix}-show-any") or "").split(",")]
            if any(chosen):
                rule["any_of"] = [v for v in chosen if v]
            question["show_if"] = rule
        questions.append(question)
    links = []
    link_index = 0
    while f"link{link_index}-site" in form:
        site = str(form.get(f"link{link_index}-site") or "")
        url = str(form.get(f"link{link_index}-url") or "").strip()
        link_index += 1
        if site and url:
            links.append({"site": site, "url": url})
    origins = [o.strip() for o in str(form.get("allow_origins") or "").split() if o.strip()]
    return {
        "name": str(form.get("name") or "").strip(),
        "slug": str(form.get("slug") or "").strip() or None,
        "languages": [c for c in LANGUAGES if c in form.getlist("languages")],
        "title": _texts(form, "title"),
        "intro": _texts(form, "intro"),
        "questions": questions,
        "review_links": links,
        "assignee": str(form.get("assignee") or "").strip() or None,
        "allow_origins": origins,
    }


def _options(text: str) -> list[dict[str, Any]]:
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        oid, _, rest = line.partition(":")
        parts = [p.strip() for p in rest.split("|")]
        texts = {c: parts[i] for i, c in enumerate(LANGUAGES) if i < len(parts) and parts[i]}
        options.append({"id": oid.strip(), "text": texts})
    return options


@router.post("/surveys/{survey_id}/invite")
def survey_invite(
    request: Request,
    survey_id: int,
    user: Annotated[User, Depends(form_user("analyst"))],
    file: Annotated[UploadFile, File()],
    after_days: Annotated[int, Form(ge=0, le=365)] = 3,
    date_column: Annotated[str, Form()] = "",
    category_days: Annotated[str, Form()] = "",
    remind_days: Annotated[int, Form(ge=0, le=365)] = 3,
    quiet_days: Annotated[int, Form(ge=0, le=3650)] = 90,
) -> Response:
    """Plan e-mail invitations from an uploaded contacts or orders file."""
    state = web(request)
    record = service.get(state.svc, state.ws, survey_id)
    overrides: dict[str, int] = {}
    for line in category_days.splitlines():
        name, _, days = line.rpartition("=")
        if name.strip() and days.strip().isdigit():
            overrides[name.strip().casefold()] = int(days)
    timing = invitations.Timing(
        after_days=after_days,
        date_column=date_column.strip() or None,
        category_days=overrides,
        remind_days=remind_days or None,
        quiet_days=quiet_days,
    )
    try:
        found = invitations.invite_upload(
            state.svc, state.ws, record.name, file.filename or "contacts", file.file, timing
        )
    except InputError as exc:
        return _report_page(request, survey_id, user, invite_error=str(exc))
    return _report_page(request, survey_id, user, invited_now=found)


@router.get("/surveys/{survey_id}")
def survey_report(
    request: Request, survey_id: int, user: Annotated[User, Depends(page_user("viewer"))]
) -> Response:
    """Scores with intervals, the trend, breakdowns, links and exports."""
    return _report_page(request, survey_id, user)


def _report_page(
    request: Request,
    survey_id: int,
    user: User,
    invited_now: invitations.Invited | None = None,
    invite_error: str | None = None,
) -> Response:
    state = web(request)
    record = service.get(state.svc, state.ws, survey_id)
    survey = service.survey_of(record)
    by = request.query_params.get("by") or ""
    period = request.query_params.get("period") or "month"
    found = service.report(state.svc, state.ws, record.name, by=[by] if by else [], period=period)
    lang = language_of(request, user)
    fields = sorted(
        {"via", "language"}
        | {q.id for q in survey.questions if q.kind == "single"}
        | {k for r in service.responses_of(state.svc, record)[-500:] for k in r.contact}
    )
    context = {
        "record": record,
        "survey": survey,
        "report": found,
        "url": service.url_of(state.svc, record, str(request.base_url)),
        "base_url": service.base_of(state.svc, str(request.base_url)),
        "by": by,
        "fields": fields,
        "period": period,
        "chart_labels": chart_labels(lang),
        "trend": {
            "periods": [p["period"] for p in found["periods"]],
            "nps": [p.get("nps") for p in found["periods"]],
            "csat": [p.get("csat") for p in found["periods"]],
            "ces": [p.get("ces") for p in found["periods"]],
            "responses": [p["responses"] for p in found["periods"]],
        },
        "invited": len(invitations.list_invitations(state.svc, state.ws, record.name)),
        "t": lambda texts: text_in(texts, lang, survey.languages),
        "invited_now": invited_now,
        "invite_error": invite_error,
    }
    status = 422 if invite_error else 200
    return render(request, "survey_report.html", context, user=user, status_code=status)


@router.get("/surveys/{survey_id}/responses.{fmt}")
def survey_responses(
    request: Request,
    survey_id: int,
    fmt: str,
    user: Annotated[User, Depends(page_user("viewer"))],
) -> Response:
    """Responses as CSV or XLSX, one column per question (in the page's language)."""
    state = web(request)
    record = service.get(state.svc, state.ws, survey_id)
    lang = language_of(request, user)
    if fmt not in ("csv", "xlsx"):
        return Response("export formats: csv, xlsx", status_code=404)
    body = service.response_file(state.svc, state.ws, record.name, lang, fmt)
    media = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{record.slug}-responses.{fmt}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/surveys/{survey_id}/document.json")
def survey_document(
    request: Request, survey_id: int, _user: Annotated[User, Depends(page_user("viewer"))]
) -> Response:
    """The survey's JSON document."""
    state = web(request)
    record = service.get(state.svc, state.ws, survey_id)
    document = service.export_document(state.svc, state.ws, record.name)
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{record.slug}.json"'},
    )
