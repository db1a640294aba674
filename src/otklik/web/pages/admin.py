"""Users and API tokens (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.services import users as accounts
from otklik.services.users import ROLES, User
from otklik.web.deps import form_user, page_user, render, web

router = APIRouter()


def _page(request: Request, user: User, new_token: str | None = None) -> Response:
    svc = web(request).svc
    people, tokens = accounts.users(svc), accounts.tokens(svc)
    context = {"people": people, "tokens": tokens, "roles": ROLES, "new_token": new_token}
    return render(request, "users.html", context, user=user)


@router.get("/users")
def users_page(request: Request, user: Annotated[User, Depends(page_user("admin"))]) -> Response:
    """Users, their roles and tokens."""
    return _page(request, user)


@router.post("/users")
def user_add(
    request: Request,
    _user: Annotated[User, Depends(form_user("admin"))],
    email: Annotated[str, Form()],
    role: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    """Add a user."""
    accounts.add_user(web(request).svc, email, role, password)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/role")
def user_role(
    request: Request,
    user_id: int,
    _user: Annotated[User, Depends(form_user("admin"))],
    role: Annotated[str, Form()],
) -> Response:
    """Change a user's role."""
    accounts.set_role(web(request).svc, user_id, role)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/tokens")
def token_create(
    request: Request,
    user_id: int,
    user: Annotated[User, Depends(form_user("admin"))],
    name: Annotated[str, Form()] = "",
) -> Response:
    """Create an API token and show it once."""
    _, token = accounts.create_token(web(request).svc, user_id, name.strip() or None)
    return _page(request, user, new_token=token)


@router.post("/tokens/{token_id}/revoke")
def token_revoke(
    request: Request,
    token_id: int,
    _user: Annotated[User, Depends(form_user("admin"))],
) -> Response:
    """Revoke an API token."""
    accounts.revoke_token(web(request).svc, token_id)
    return RedirectResponse("/users", status_code=303)
