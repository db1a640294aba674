"""Signing in and out, and the UI language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik import mail
from otklik.errors import InputError
from otklik.i18n import LANGUAGES, Formats, translator
from otklik.services import resets, sessions
from otklik.services import users as accounts
from otklik.services.sessions import SESSION_SECONDS
from otklik.services.users import User
from otklik.web import i18n
from otklik.web.auth import SESSION_COOKIE
from otklik.web.deps import (
    CsrfFailed,
    csrf_nonce,
    form_user,
    render,
    session_user,
    set_cookie,
    web,
)

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
    tr = i18n.translator_of(request)
    wait = state.limiter.retry_after(email, address)
    if wait:
        context = {
            "next": _safe_next(next),
            "email": email,
            "error": tr.ngettext(
                "Too many sign-in attempts. Try again in %(num)d second.",
                "Too many sign-in attempts. Try again in %(num)d seconds.",
                wait,
            ),
        }
        response = render(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(wait)
        return response
    user = accounts.authenticate(state.svc, email, password)
    if user is None:
        state.limiter.failed(email, address)
        context = {
            "next": _safe_next(next),
            "email": email,
            "error": tr.gettext("Wrong e-mail or password"),
        }
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
    """Switch the UI language and remember it: in the user's setting when signed in, and in a
    cookie for the sign-in page."""
    response = RedirectResponse(_safe_next(next), status_code=303)
    if code in LANGUAGES:
        set_cookie(request, response, i18n.LANG_COOKIE, code, max_age=365 * 24 * 3600)
        user = session_user(request)
        if user is not None:
            accounts.set_language(web(request).svc, user.id, code)
    return response


@router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    """Ask for a reset link by e-mail (or learn whom to ask when the server sends none)."""
    context = {"mode": "forgot", "can_mail": mail.can_send(web(request).settings)}
    return render(request, "password.html", context)


@router.post("/password/forgot")
def forgot(
    request: Request, email: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = ""
) -> Response:
    """E-mail a reset link to the user with this address, in the user's language; the page
    says the same whether or not the address is known."""
    state = web(request)
    if not state.signer.csrf_ok(csrf_nonce(request), csrf):
        raise CsrfFailed()
    user = accounts.user_by_email(state.svc, email)
    if user is not None and user.is_active and mail.can_send(state.settings):
        send_reset_mail(request, user, resets.reset_token(state.svc, user))
    lang = i18n.language_of(request)
    context = {
        "mode": "forgot",
        "sent": True,
        "can_mail": True,
        "period": Formats(lang).period(resets.RESET_VALID),
    }
    return render(request, "password.html", context)


@router.get("/password/reset")
def reset_page(request: Request, token: str = "") -> Response:
    """The new-password form of a reset link (or why the link no longer works)."""
    context: dict[str, object] = {"mode": "reset", "token": token, "valid": False}
    try:
        user = resets.reset_user(web(request).svc, token)
        context.update(valid=True, email=user.email)
    except resets.ResetTokenError as exc:
        context["error"] = reset_error(request, exc)
    return render(request, "password.html", context, status_code=200 if context["valid"] else 400)


@router.post("/password/reset")
def reset(
    request: Request,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Set the new password; the link is spent and the user signs in again."""
    state = web(request)
    if not state.signer.csrf_ok(csrf_nonce(request), csrf):
        raise CsrfFailed()
    tr = i18n.translator_of(request)
    try:
        user = resets.reset_password(state.svc, token, password)
    except resets.ResetTokenError as exc:
        context = {"mode": "reset", "token": token, "valid": False}
        return render(
            request,
            "password.html",
            {**context, "error": reset_error(request, exc)},
            status_code=400,
        )
    except InputError:
        found = resets.reset_user(state.svc, token)
        context = {"mode": "reset", "token": token, "valid": True, "email": found.email}
        context["error"] = tr.gettext("A password needs at least 8 characters.")
        return render(request, "password.html", context, status_code=422)
    notice = tr.gettext("Your password is set. Sign in with it.")
    return render(request, "login.html", {"next": "/", "email": user.email, "notice": notice})


def reset_error(request: Request, exc: resets.ResetTokenError) -> str:
    """Why a reset link does not work, in the page's language."""
    tr = i18n.translator_of(request)
    text = str(exc)
    if "expired" in text:
        return tr.gettext("This link has expired. Ask for a new one.")
    if "used" in text:
        return tr.gettext("This link has already been used. Ask for a new one.")
    return tr.gettext("This link is not valid. Ask for a new one.")


def send_reset_mail(request: Request, user: User, token: str) -> None:
    """The reset e-mail in the user's language (their setting, else this page's)."""
    state = web(request)
    lang = user.language if user.language in LANGUAGES else i18n.language_of(request)
    values = {
        "lang": lang,
        "email": user.email,
        "url": str(request.base_url).rstrip("/") + "/password/reset?token=" + token,
        "period": Formats(lang).period(resets.RESET_VALID),
    }
    env = state.templates.env
    text = env.get_template("email/reset.txt").render(values)
    html = env.get_template("email/reset.html").render(values)
    subject = translator(lang).gettext("Set a new Otklik password")
    mail.send(state.settings, user.email, subject, text, html, lang)
