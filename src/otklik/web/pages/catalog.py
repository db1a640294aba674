"""Brands and tags: list, add, edit, delete, with a live preview of what a query matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from otklik.storage import catalog
from otklik.storage.users import User
from otklik.web import rules, workspace
from otklik.web.auth import may
from otklik.web.deps import form_user, page_user, render, web

router = APIRouter()


@router.get("/brands")
def brands_page(request: Request, user: Annotated[User, Depends(page_user("viewer"))]) -> Response:
    """Brands with their queries."""
    brands, _ = workspace.brands_and_tags(web(request))
    context = {"brands": brands, "can_edit": may(user.role, "analyst")}
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
    """Add a brand, or edit the one called `old_name`."""
    workspace.save_brand(web(request), name, query, bool(own), old_name or None)
    return RedirectResponse("/brands", status_code=303)


@router.post("/brands/delete")
def brand_delete(
    request: Request,
    _user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
) -> Response:
    """Delete a brand and its matches."""
    state = web(request)
    with state.store.begin() as conn:
        catalog.remove_brand(conn, state.ws.id, name)
    return RedirectResponse("/brands", status_code=303)


@router.get("/tags")
def tags_page(request: Request, user: Annotated[User, Depends(page_user("viewer"))]) -> Response:
    """Tags with their rule queries."""
    _, tags = workspace.brands_and_tags(web(request))
    context = {"tags": tags, "can_edit": may(user.role, "analyst")}
    return render(request, "tags.html", context, user=user)


@router.post("/tags")
def tag_save(
    request: Request,
    _user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
    query: Annotated[str, Form()] = "",
    old_name: Annotated[str, Form()] = "",
) -> Response:
    """Add a tag, or edit the one called `old_name`."""
    workspace.save_tag(web(request), name, query.strip() or None, old_name or None)
    return RedirectResponse("/tags", status_code=303)


@router.post("/tags/delete")
def tag_delete(
    request: Request,
    _user: Annotated[User, Depends(form_user("analyst"))],
    name: Annotated[str, Form()],
) -> Response:
    """Delete a tag and its assignments."""
    state = web(request)
    with state.store.begin() as conn:
        catalog.remove_tag(conn, state.ws.id, name)
    return RedirectResponse("/tags", status_code=303)


@router.get("/preview")
def query_preview(
    request: Request, _user: Annotated[User, Depends(page_user("viewer"))], q: str = ""
) -> Response:
    """The newest mentions a brand or tag query matches, as JSON for the live preview."""
    state = web(request)
    found = rules.preview(state.store, state.ws, q, limit=10) if q.strip() else []
    items = [
        {"id": r.mention.id, "text": r.mention.text[:240], "published_at": r.day.isoformat()}
        for r in found
    ]
    return JSONResponse({"items": items})
