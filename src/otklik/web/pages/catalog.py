"""Brands and tags: list, add, rename, edit, delete, with a live preview of what a query
matches and the progress of matching stored mentions again after a change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from otklik.errors import InputError, QueryError
from otklik.i18n import Translator
from otklik.services import catalog, queries
from otklik.services.users import User
from otklik.web import workspace
from otklik.web.auth import may
from otklik.web.deps import form_user, page_user, render, web
from otklik.web.i18n import translator_of

router = APIRouter()


@router.get("/brands")
def brands_page(request: Request, user: Annotated[User, Depends(page_user("viewer"))]) -> Response:
    """Brands with their queries."""
    return _brands(request, user)


def _brands(request: Request, user: User, status_code: int = 200, **extra: object) -> Response:
    state = web(request)
    brands = catalog.brands(state.svc, state.ws)
    context = {
        "brands": brands,
        "can_edit": may(user.role, "analyst"),
        "rematch": rematch_lines(request, "brand", user),
        **extra,
    }
    return render(request, "brands.html", context, user=user, status_code=status_code)


def _tags(request: Request, user: User, status_code: int = 200, **extra: object) -> Response:
    state = web(request)
    tags = catalog.tags(state.svc, state.ws)
    context = {
        "tags": tags,
        "can_edit": may(user.role, "analyst"),
        "rematch": rematch_lines(request, "tag", user),
        **extra,
    }
    return render(request, "tags.html", context, user=user, status_code=status_code)


def refusal(request: Request, user: User, exc: Exception) -> dict[str, object]:
    """The page's error (in the user's language) and the detail of a refused change."""
    tr = translator_of(request, user)
    if isinstance(exc, QueryError):
        error = tr.gettext("The query cannot be read; see the details and correct it.")
    elif "already" in str(exc) or "exists" in str(exc):
        error = tr.gettext("This name is taken; choose another.")
    else:
        error = tr.gettext("The change was not saved; see the details.")
    return {"error": error, "detail": str(exc)}


@router.post("/brands")
def brand_save(
    request: Request,
    user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
    query: Annotated[str, Form()],
    own: Annotated[str, Form()] = "",
    old_name: Annotated[str, Form()] = "",
) -> Response:
    """Add a brand, or edit (and rename) the one called `old_name`; a refused change comes
    back with the reason and what was typed."""
    try:
        workspace.save_brand(web(request), name, query, bool(own), old_name or None)
    except (QueryError, InputError) as exc:
        kept = {"name": name, "query": query, "own": bool(own), "old_name": old_name}
        return _brands(request, user, 422, kept=kept, **refusal(request, user, exc))
    return RedirectResponse("/brands", status_code=303)


@router.post("/brands/delete")
def brand_delete(
    request: Request,
    _user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
) -> Response:
    """Delete a brand and its matches."""
    workspace.remove_brand(web(request), name)
    return RedirectResponse("/brands", status_code=303)


@router.get("/tags")
def tags_page(request: Request, user: Annotated[User, Depends(page_user("viewer"))]) -> Response:
    """Tags with their rule queries."""
    return _tags(request, user)


@router.post("/tags")
def tag_save(
    request: Request,
    user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
    query: Annotated[str, Form()] = "",
    old_name: Annotated[str, Form()] = "",
) -> Response:
    """Add a tag, or edit (and rename) the one called `old_name`; a refused change comes
    back with the reason and what was typed."""
    try:
        workspace.save_tag(web(request), name, query.strip() or None, old_name or None)
    except (QueryError, InputError) as exc:
        kept = {"name": name, "query": query, "old_name": old_name}
        return _tags(request, user, 422, kept=kept, **refusal(request, user, exc))
    return RedirectResponse("/tags", status_code=303)


@router.post("/tags/delete")
def tag_delete(
    request: Request,
    _user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
) -> Response:
    """Delete a tag and its assignments."""
    workspace.remove_tag(web(request), name)
    return RedirectResponse("/tags", status_code=303)


@router.get("/preview")
def query_preview(
    request: Request, _user: Annotated[User, Depends(page_user("viewer"))], q: str = ""
) -> Response:
    """The newest mentions a brand or tag query matches, as JSON for the live preview."""
    state = web(request)
    found = queries.preview(state.svc, state.ws, q, limit=10) if q.strip() else []
    items = [
        {"id": r.mention.id, "text": r.mention.text[:240], "published_at": r.day.isoformat()}
        for r in found
    ]
    return JSONResponse({"items": items})


@router.get("/rematch")
def rematch_progress(
    request: Request, _user: Annotated[User, Depends(page_user("viewer"))], kind: str = "brand"
) -> Response:
    """How far matching stored mentions again has got for each brand or tag (`kind`), as JSON
    for the pages' status lines."""
    lines = rematch_lines(request, "tag" if kind == "tag" else "brand", _user)
    return JSONResponse({"items": [{"id": k, **v} for k, v in lines.items()]})


def rematch_lines(request: Request, kind: str, user: User) -> dict[int, dict[str, Any]]:
    """Each brand's or tag's re-match record with its status line in the page's language."""
    tr = translator_of(request, user)
    return {
        target_id: {**record, "text": rematch_text(tr, record)}
        for target_id, record in workspace.rematch_records(web(request), kind).items()
    }


def rematch_text(tr: Translator, record: dict[str, Any]) -> str:
    """One status line: queued, n of total, done with the count, failed with the reason."""
    state = record.get("state")
    if state == "running" and record.get("total") is not None:
        return tr.ngettext(
            "History: %(done)s of %(num)d mention matched again",
            "History: %(done)s of %(num)d mentions matched again",
            int(record["total"]),
            done=record.get("done") or 0,
        )
    if state == "done":
        return tr.ngettext(
            "History matched again: found in %(num)d mention",
            "History matched again: found in %(num)d mentions",
            int(record.get("matched") or 0),
        )
    if state == "failed":
        return tr.gettext(
            "Matching the history again failed: %(error)s", error=record.get("error") or ""
        )
    if state == "cancelled":
        return tr.gettext("Matching the history again was cancelled")
    return tr.gettext("History: waiting to be matched again")
