"""Brands and tags: list, add, rename, edit, delete, with a live preview of what a query
matches and the progress of matching stored mentions again after a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from otklik.services import catalog, queries
from otklik.services.users import User
from otklik.web import i18n, workspace
from otklik.web.auth import may
from otklik.web.deps import form_user, page_user, render, web

router = APIRouter()


@router.get("/brands")
def brands_page(request: Request, user: Annotated[User, Depends(page_user("viewer"))]) -> Response:
    """Brands with their queries."""
    state = web(request)
    brands = catalog.brands(state.svc, state.ws)
    context = {
        "brands": brands,
        "can_edit": may(user.role, "analyst"),
        "rematch": rematch_lines(request, "brand"),
    }
    return render(request, "brands.html", context, user=user)


@router.post("/brands")
def brand_save(
    request: Request,
    _user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
    query: Annotated[str, Form()],
    own: Annotated[str, Form()] = "",
    old_name: Annotated[str, Form()] = "",
) -> Response:
    """Add a brand, or edit (and rename) the one called `old_name`."""
    workspace.save_brand(web(request), name, query, bool(own), old_name or None)
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
    state = web(request)
    tags = catalog.tags(state.svc, state.ws)
    context = {
        "tags": tags,
        "can_edit": may(user.role, "analyst"),
        "rematch": rematch_lines(request, "tag"),
    }
    return render(request, "tags.html", context, user=user)


@router.post("/tags")
def tag_save(
    request: Request,
    _user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
    query: Annotated[str, Form()] = "",
    old_name: Annotated[str, Form()] = "",
) -> Response:
    """Add a tag, or edit (and rename) the one called `old_name`."""
    workspace.save_tag(web(request), name, query.strip() or None, old_name or None)
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
    lines = rematch_lines(request, "tag" if kind == "tag" else "brand")
    return JSONResponse({"items": [{"id": k, **v} for k, v in lines.items()]})


def rematch_lines(request: Request, kind: str) -> dict[int, dict[str, Any]]:
    """Each brand's or tag's re-match record with its status line in the page's language."""
    t = i18n.translator(i18n.language_of(request))
    return {
        target_id: {**record, "text": rematch_text(t, record)}
        for target_id, record in workspace.rematch_records(web(request), kind).items()
    }


def rematch_text(t: Callable[..., str], record: dict[str, Any]) -> str:
    """One status line: queued, n of total, done with the count, failed with the reason."""
    state = record.get("state")
    if state == "running" and record.get("total") is not None:
        return t("rematch.running", done=record.get("done") or 0, total=record["total"])
    if state == "done":
        return t("rematch.done", matched=record.get("matched") or 0)
    if state == "failed":
        return t("rematch.failed", error=record.get("error") or "")
    if state == "cancelled":
        return t("rematch.cancelled")
    return t("rematch.queued")
