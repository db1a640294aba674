"""Users and API tokens (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik import mail
from otklik.errors import InputError, NotFoundError
from otklik.i18n import Translator
from otklik.services import resets
from otklik.services import users as accounts
from otklik.services.users import ROLES, User
from otklik.web.deps import form_user, page_user, render, web
from otklik.web.i18n import formats_of, translator_of

router = APIRouter()


def _page(request: Request, user: User, status_code: int = 200, **extra: object) -> Response:
    svc = web(request).svc
    people, tokens = accounts.users(svc), accounts.tokens(svc)
    context = {"people": people, "tokens": tokens, "roles": ROLES, **extra}
    return render(request, "users.html", context, user=user, status_code=status_code)


@router.get("/users")
def users_page(request: Request, user: Annotated[User, Depends(page_user("admin"))]) -> Response:
    """Users, their roles and tokens."""
    return _page(request, user)


@router.post("/users")
def user_add(
    request: Request,
    user: Annotated[User, Depends(form_user("admin"))],
    email: Annotated[str, Form()],
    role: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    """Add a user; a refused one comes back with the reason and what was typed."""
    try:
        accounts.add_user(web(request).svc, email, role, password)
    except InputError as exc:
        message = user_error(translator_of(request, user), exc)
        kept = {"email": email, "role": role}
        return _page(request, user, 422, error=message, kept=kept)
    return RedirectResponse("/users", status_code=303)


def user_error(tr: Translator, exc: InputError) -> str:
    """Why a user was refused, in the page's language."""
    text = str(exc)
    if "8 characters" in text:
        return tr.gettext("A password needs at least 8 characters.")
    if "already exists" in text:
        return tr.gettext("A user with this e-mail already exists.")
    if "e-mail address" in text:
        return tr.gettext("This is not an e-mail address.")
    return tr.gettext("The user was not saved: %(reason)s", reason=text)


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


@router.post("/users/{user_id}/reset")
def password_reset(
    request: Request,
    user_id: int,
    user: Annotated[User, Depends(form_user("admin"))],
) -> Response:
    """A password reset link for a user, shown once (and e-mailed when SMTP is set)."""
    from otklik.web.pages.session import send_reset_mail

    state = web(request)
    target = next((p for p in accounts.users(state.svc) if p.id == user_id), None)
    if target is None:
        raise NotFoundError(f"no user with id {user_id}")
    token = resets.reset_token(state.svc, target)
    sent = mail.can_send(state.settings)
    if sent:
        send_reset_mail(request, target, token)
    reset = {
        "email": target.email,
        "url": str(request.base_url).rstrip("/") + "/password/reset?token=" + token,
        "period": formats_of(request, user).period(resets.RESET_VALID),
        "sent": sent,
    }
    return _page(request, user, reset=reset)


@router.post("/tokens/{token_id}/revoke")
def token_revoke(
    request: Request,
    token_id: int,
    _user: Annotated[User, Depends(form_user("admin"))],
) -> Response:
    """Revoke an API token."""
    accounts.revoke_token(web(request).svc, token_id)
    return RedirectResponse("/users", status_code=303)
