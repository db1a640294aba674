"""Signing in and out, and the UI language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.services import sessions
from otklik.services import users as accounts
from otklik.services.sessions import SESSION_SECONDS
from otklik.services.users import User
from otklik.web import i18n
from otklik.web.auth import SESSION_COOKIE
from otklik.web.deps import CsrfFailed, csrf_nonce, form_user, render, set_cookie, web

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only local paths: an absolute or protocol-relative URL would be an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"next": _safe_next(next), "email": ""})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password (rate-limited per e-mail and address) and start a session."""
    state = web(request)
    if not state.signer.csrf_ok(csrf_nonce(request), csrf):
        raise CsrfFailed()
    address = request.client.host if request.client else "?"
    t = i18n.translator(i18n.language_of(request))
    wait = state.limiter.retry_after(email, address)
    if wait:
        context = {
            "next": _safe_next(next),
            "email": email,
            "error": t("login.limited", seconds=wait),
        }
        response = render(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = accounts.authenticate(state.svc, email, password)
    if user is None:
        state.limiter.failed(email, address)
        context = {"next": _safe_next(next), "email": email, "error": t("login.failed")}
        return render(request, "login.html", context, status_code=401)
    state.limiter.succeeded(email, address)
    redirect = RedirectResponse(_safe_next(next), status_code=303)
    cookie = state.signer.session_cookie(user.id)
    session = state.signer.read_session(cookie)
    assert session is not None  # just signed with our own key
    sessions.start_session(state.svc, session.nonce, user.id)
    set_cookie(request, redirect, SESSION_COOKIE, cookie, max_age=SESSION_SECONDS)
    return redirect


@router.post("/logout")
def logout(request: Request, user: Annotated[User, Depends(form_user("viewer"))]) -> Response:
    """End the session: its row goes, so the cookie proves nothing even if kept."""
    state = web(request)
    session = state.signer.read_session(request.cookies.get(SESSION_COOKIE))
    if session is not None and session.user_id == user.id:
        sessions.end_session(state.svc, session.nonce)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def choose_language(request: Request, code: str, next: str = "/") -> Response:
    """Switch the UI language and remember it."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in i18n.LANGUAGES:
        set_cookie(request, response, i18n.LANG_COOKIE, code, max_age=365 * 24 * 3600)
    return response
