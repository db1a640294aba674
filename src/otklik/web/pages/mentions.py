"""The mention feed, its exports, and the mention page with case work."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.domain.filters import FILTER_NAMES, ROLES, FilterError
from otklik.domain.mention import CHANNELS, SENTIMENTS
from otklik.errors import QueryError
from otklik.i18n import Translator
from otklik.services import catalog, mentions, surveys
from otklik.services.cases import CASE_STATUSES, CaseChange, change_mention
from otklik.services.users import User
from otklik.web.auth import may
from otklik.web.deps import filter_params, filters_of, form_user, page_user, render, web
from otklik.web.i18n import formats_of, language_of, translator_of
from otklik.web.labels import label

router = APIRouter()
PAGE_SIZE = 50


@router.get("/mentions")
def feed_page(
    request: Request,
    user: Annotated[User, Depends(page_user("viewer"))],
    cursor: str | None = None,
) -> Response:
    """Mentions matching the query-string filters, newest first, a page at a time."""
    state = web(request)
    fmt = formats_of(request, user)
    days = {k: fmt.parse_date(request.query_params.get(k, "")) for k in ("since", "until")}
    typed = {k: request.query_params.get(k, "").strip() for k in days}
    bad = [k for k, v in days.items() if v is None and typed[k]]
    error = None
    try:
        if bad:
            raise FilterError(bad[0], f"{typed[bad[0]]!r} is not a date")
        extra = {k: v.isoformat() for k, v in days.items() if v is not None}
        filters = filters_of(request, extra)
        records, next_cursor = mentions.page(state.svc, state.ws, filters, PAGE_SIZE, cursor)
    except (FilterError, QueryError) as exc:
        example = fmt.date_input(datetime.now(UTC).date())
        error = feed_error(translator_of(request, user), bad, example, exc)
        records, next_cursor = [], None
    brands, tags = catalog.brands(state.svc, state.ws), catalog.tags(state.svc, state.ws)
    chosen = {name: request.query_params.getlist(name) for name in FILTER_NAMES}
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor" and v]
    kept_query = urlencode(kept)
    context = {
        "records": records,
        "next_cursor": next_cursor,
        "cursor": cursor,
        "chosen": chosen,
        "kept_query": kept_query,
        "brands": brands,
        "tags": tags,
        "channels": CHANNELS,
        "sentiments": SENTIMENTS,
        "statuses": CASE_STATUSES,
        "roles": ROLES,
        "error": error,
        "since_text": fmt.date_input(days["since"]) if days["since"] else typed["since"],
        "until_text": fmt.date_input(days["until"]) if days["until"] else typed["until"],
    }
    return render(request, "feed.html", context, user=user, status_code=422 if error else 200)


def feed_error(tr: Translator, bad: list[str], example: str, exc: Exception) -> str:
    """Why the filters were refused, in the user's language."""
    if bad:
        return tr.gettext("Type the dates as the field shows, e.g. %(example)s.", example=example)
    if isinstance(exc, QueryError):
        return tr.gettext("The search query cannot be read: %(reason)s", reason=str(exc))
    return tr.gettext("A filter has a value that cannot be used: %(reason)s", reason=str(exc))


@router.get("/mentions/export.{fmt}")
def feed_export(
    request: Request,
    fmt: str,
    _user: Annotated[User, Depends(page_user("viewer"))],
) -> Response:
    """The current view as CSV or XLSX, with brands, tags and case fields; a view of more
    than WEB_INLINE_ROWS mentions gets a page that has a worker prepare the whole file."""
    state = web(request)
    if fmt not in mentions.EXPORT_FORMATS:
        return Response("export formats: csv, xlsx", status_code=404)
    filters = filters_of(request)
    total = mentions.count(state.svc, state.ws, filters)
    if total > mentions.WEB_INLINE_ROWS:
        context = {"total": total, "format": fmt, "kept_query": str(request.query_params)}
        return render(request, "export_big.html", context, user=_user)
    rows = mentions.export_rows(state.svc, state.ws, filters)
    columns = export_headers(language_of(request, _user))
    if fmt == "xlsx":
        body, media = (
            mentions.to_xlsx(rows, columns),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    else:
        body, media = mentions.to_csv(rows, columns), "text/csv; charset=utf-8"
    headers = {"Content-Disposition": f'attachment; filename="mentions.{fmt}"'}
    return Response(body, media_type=media, headers=headers)


@router.post("/mentions/export.{fmt}")
def feed_export_job(
    request: Request,
    fmt: str,
    _user: Annotated[User, Depends(form_user("viewer"))],
) -> Response:
    """Have a worker write the whole view to a file; the Jobs page offers it when done."""
    state = web(request)
    filters_of(request)  # a bad filter is refused here, not in the worker
    columns = export_headers(language_of(request, _user))
    job = mentions.queue_download(state.svc, state.ws, filter_params(request), fmt, columns)
    return RedirectResponse(f"/jobs#job-{job.id}", status_code=303)


def export_headers(language: str) -> list[str]:
    """The export's column names in the reader's language."""
    return [label(language, "column", c) for c in mentions.EXPORT_COLUMNS]


@router.get("/mentions/{mention_id}")
def mention_page(
    request: Request,
    mention_id: int,
    user: Annotated[User, Depends(page_user("viewer"))],
) -> Response:
    """One mention: text, original link, raw payload, analysis, case work."""
    state = web(request)
    record = mentions.get(state.svc, state.ws, mention_id)
    notes = mentions.notes(state.svc, state.ws, mention_id)
    tags = catalog.tags(state.svc, state.ws)
    response_time = None
    if record.first_response_at and record.mention.collected_at:
        response_time = record.first_response_at - record.mention.collected_at
    context = {
        "r": record,
        "m": record.mention,
        "a": record.analysis,
        "notes": notes,
        "tags": tags,
        "statuses": CASE_STATUSES,
        "sentiments": SENTIMENTS,
        "raw": json.dumps(record.mention.raw, ensure_ascii=False, indent=2, default=str),
        "can_edit": may(user.role, "analyst"),
        "response_time": response_time,
        "url_ok": (record.mention.url or "").startswith(("http://", "https://")),
        "answers": surveys.answer_lines(
            state.svc, state.ws, record.mention.raw, language_of(request, user)
        )
        if record.answers
        else [],
    }
    return render(request, "mention.html", context, user=user)


@router.post("/mentions/{mention_id}")
def mention_change(
    request: Request,
    mention_id: int,
    user: Annotated[User, Depends(form_user("analyst"))],
    action: Annotated[str, Form()],
    sentiment: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    assignee: Annotated[str, Form()] = "",
    tag: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
) -> Response:
    """One case-work action from the mention page's forms."""
    change = {
        "sentiment": lambda: CaseChange(sentiment=sentiment),
        "case": lambda: CaseChange(
            status=status or None, assignee=assignee.strip() or None, unassign=not assignee.strip()
        ),
        "tag_add": lambda: CaseChange(tags_add=[tag]),
        "tag_remove": lambda: CaseChange(tags_remove=[tag]),
        "note": lambda: CaseChange(note=body),
        "reply": lambda: CaseChange(reply=body),
    }.get(action)
    if change is None:
        return Response(f"unknown action {action!r}", status_code=422)
    if action in ("note", "reply") and not body.strip():
        return RedirectResponse(f"/mentions/{mention_id}", status_code=303)
    state = web(request)
    change_mention(state.svc, state.ws, mention_id, change(), user.email)
    return RedirectResponse(f"/mentions/{mention_id}", status_code=303)
