"""What every route shares: the app's state, the signed-in user, roles, CSRF and rendering."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from otklik.domain.filters import Filters
from otklik.domain.records import Workspace
from otklik.i18n import LANGUAGES, Formats
from otklik.jobs.worker import Worker
from otklik.services import Services, queries, zones
from otklik.services import users as accounts
from otklik.services.sessions import LoginLimiter
from otklik.services.users import User
from otklik.settings import Settings
from otklik.web import i18n
from otklik.web.auth import PRE_SESSION_COOKIE, SESSION_COOKIE, Signer, may

WORKSPACE_TTL_S = 5.0


@dataclass
class WebState:
    """Objects built once by create_app and shared by every request."""

    settings: Settings
    svc: Services
    loaded_ws: Workspace
    signer: Signer
    limiter: LoginLimiter
    templates: Jinja2Templates
    worker: Worker | None = None
    loaded_at: float = field(default_factory=time.monotonic)

    @property
    def ws(self) -> Workspace:
        """The workspace, read again at most every WORKSPACE_TTL_S seconds, so a change made
        elsewhere (`otklik workspace set-timezone`) shows without restarting the server."""
        now = time.monotonic()
        if now - self.loaded_at > WORKSPACE_TTL_S:
            self.loaded_ws = self.svc.workspace(self.loaded_ws.name, create=False)
            self.loaded_at = now
        return self.loaded_ws

    @property
    def tz(self) -> ZoneInfo:
        """The workspace's time zone."""
        return ZoneInfo(self.ws.timezone)


class LoginRequired(Exception):
    """A page was asked for without a session; the handler redirects to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class Forbidden(Exception):
    """The signed-in user's role may not do this."""

    def __init__(self, needed: str) -> None:
        super().__init__(needed)
        self.needed = needed


class CsrfFailed(Exception):
    """A form came without this session's CSRF token."""


def web(request: Request) -> WebState:
    """The shared state."""
    state: WebState = request.app.state.web
    return state


def session_user(request: Request) -> User | None:
    """The active user of the request's session cookie, or None."""
    state = web(request)
    session = state.signer.read_session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    # None also when signed out, or signed out everywhere by a password or role change.
    return accounts.session_user(state.svc, session.nonce, session.user_id)


def page_user(needed: str = "viewer") -> Callable[[Request], User]:
    """Dependency: the signed-in user with at least role `needed` (else login or 403)."""

    def dependency(request: Request) -> User:
        user = session_user(request)
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target)
        if not may(user.role, needed):
            raise Forbidden(needed)
        return user

    return dependency


def form_user(needed: str) -> Callable[..., Any]:
    """Dependency for a state-changing form: role `needed` and a valid CSRF token."""
    check_role = page_user(needed)

    async def dependency(request: Request) -> User:
        user = check_role(request)
        form = await request.form()
        token = form.get("csrf")
        if not web(request).signer.csrf_ok(
            csrf_nonce(request), token if isinstance(token, str) else None
        ):
            raise CsrfFailed()
        return user

    return dependency


def csrf_nonce(request: Request) -> str | None:
    """The nonce CSRF tokens derive from: the session's, or the pre-session cookie's."""
    state = web(request)
    session = state.signer.read_session(request.cookies.get(SESSION_COOKIE))
    if session is not None:
        return session.nonce
    return request.cookies.get(PRE_SESSION_COOKIE)


def api_user(needed: str = "viewer") -> Callable[[Request], User]:
    """Dependency: the user of the request's bearer token, with at least role `needed`."""

    def dependency(request: Request) -> User:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(
                401,
                "missing API token: send Authorization: Bearer TOKEN (otklik tokens create EMAIL)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        user = accounts.user_for_token(web(request).svc, token.strip())
        if user is None:
            raise HTTPException(
                401, "API token is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
            )
        if not may(user.role, needed):
            raise HTTPException(403, f"role {user.role} may not do this; it needs {needed}")
        return user

    return dependency


def filter_params(request: Request, extra: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """The query string's values by name (what a job keeps to build the same filters)."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    for key, value in (extra or {}).items():
        params[key] = [value] if isinstance(value, str) else list(value)
    return params


def filters_of(request: Request, extra: Mapping[str, Any] | None = None) -> Filters:
    """Filters from the query string (FilterError for a bad value)."""
    return queries.filters(web(request).ws, filter_params(request, extra))


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    user: User | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page from a template, with the user, translations and CSRF token available."""
    state = web(request)
    lang = i18n.language_of(request, user)
    nonce = csrf_nonce(request)
    new_pre = None
    if nonce is None:
        new_pre = secrets.token_urlsafe(16)
        nonce = new_pre
    values = {
        "user": user,
        "lang": lang,
        "fmt": Formats(lang, state.ws.timezone),
        "languages": LANGUAGES,
        "csrf": state.signer.csrf_token(nonce),
        "workspace": state.ws,
        "local": lambda moment: zones.local_text(moment, state.ws),
        "path": request.url.path,
        "quote": quote,
        **(context or {}),
    }
    response = state.templates.TemplateResponse(request, template, values, status_code=status_code)
    if new_pre is not None:
        set_cookie(request, response, PRE_SESSION_COOKIE, new_pre, max_age=3600)
    return response


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int | None
) -> None:
    """An HttpOnly, SameSite=Lax cookie, Secure when the request came over https."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
