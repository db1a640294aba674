"""create_app: the web UI and the JSON API over one store and one workspace."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware

from otklik.domain.filters import FilterError
from otklik.errors import ConfigError, InputError, NotFoundError, QueryError
from otklik.i18n import translator
from otklik.jobs.worker import Worker
from otklik.services import users as accounts
from otklik.services.context import Services, Store
from otklik.services.sessions import LoginLimiter
from otklik.settings import Settings
from otklik.web import i18n
from otklik.web.auth import Signer
from otklik.web.deps import CsrfFailed, Forbidden, LoginRequired, WebState, render, session_user
from otklik.web.labels import label, label_in_page

HERE = Path(__file__).parent


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The web application for `settings` (the database must be initialised)."""
    svc = Services.open(settings, store, keep_pipelines=True)
    ws = svc.workspace()
    state = WebState(
        settings=settings,
        svc=svc,
        loaded_ws=ws,
        signer=Signer(accounts.secret_key(svc, secrets.token_urlsafe(48))),
        limiter=LoginLimiter(svc),
        templates=_templates(),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.embedded_worker:
            # One worker inside the web process, so a lone `otklik serve` runs its jobs.
            state.worker = Worker(svc.store, settings, concurrency=1)
            state.worker.start()
        yield
        if state.worker is not None:
            state.worker.stop(timeout=30)  # a running job is handed back to the queue
            state.worker = None

    app = FastAPI(
        title="Otklik", openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.web = state
    _add_page_errors(app)
    app.middleware("http")(_security_headers)
    # Text assets compress well: plotly.min.js goes from 4.8 MB to about 1.4 MB.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    from otklik.web.api import build_api
    from otklik.web.pages import routers

    for router in routers():
        app.include_router(router)
    _add_api_docs(app)  # before the API's mount, which would take /api/v1/docs
    app.mount("/api/v1", build_api(state))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_api_route("/vendor/plotly.min.js", _plotly, methods=["GET"], include_in_schema=False)
    app.add_api_route("/favicon.ico", _favicon, methods=["GET"], include_in_schema=False)
    return app


def _favicon() -> Response:
    return FileResponse(
        HERE / "static" / "favicon.ico",
        media_type="image/x-icon",
        headers={"Cache-Control": "max-age=604800"},
    )


def _add_api_docs(app: FastAPI) -> None:
    """Swagger UI for the API at /api/v1/docs, served from the swagger-ui-bundle package (no
    CDN); its start-up script is our own file, since the CSP allows no inline scripts."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # the page says what to install rather than failing the app
        return
    bundle = Path(str(swagger_ui_path))

    def docs_page() -> Response:
        return FileResponse(HERE / "static" / "api-docs.html", media_type="text/html")

    app.add_api_route("/api/v1/docs", docs_page, methods=["GET"], include_in_schema=False)
    app.mount("/vendor/swagger-ui", StaticFiles(directory=bundle), name="swagger-ui")


# Scripts only from our own origin: user text can never become a script, even if a template
# slipped. Plotly sets style attributes, hence 'unsafe-inline' for styles only.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.headers.get("X-Frame-Options") == "":
        # A page that may be framed (a survey in the widget) says where in its own CSP.
        del response.headers["X-Frame-Options"]
    return response


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.autoescape = True
    i18n.install(templates.env)
    templates.env.globals["label"] = label_in_page
    return templates


def _plotly() -> Response:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():
        return Response("plotly.min.js is missing from the plotly package", status_code=404)
    return FileResponse(
        path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"}
    )


def _add_page_errors(app: FastAPI) -> None:
    def login_required(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(exc.next_url)}", status_code=303)

    def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Forbidden)
        user = session_user(request)
        lang = i18n.language_of(request, user)
        role = label(lang, "user_role", exc.needed)
        message = translator(lang).gettext(
            "Your role may not do this (it needs the role: %(role)s).", role=role
        )
        return _error_page(request, 403, message)

    def csrf_failed(request: Request, _exc: Exception) -> Response:
        tr = i18n.translator_of(request, session_user(request))
        message = tr.gettext(
            "The form is stale or came from another site. Reload the page and try again."
        )
        return _error_page(request, 403, message)

    def not_found(request: Request, exc: Exception) -> Response:
        tr = i18n.translator_of(request, session_user(request))
        return _error_page(request, 404, tr.gettext("Not found"), detail=str(exc))

    def bad_input(request: Request, exc: Exception) -> Response:
        tr = i18n.translator_of(request, session_user(request))
        message = tr.gettext("The request could not be carried out; see the details.")
        return _error_page(request, 422, message, detail=str(exc))

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(Forbidden, forbidden)
    app.add_exception_handler(CsrfFailed, csrf_failed)
    app.add_exception_handler(NotFoundError, not_found)
    for kind in (InputError, FilterError, QueryError, ConfigError):
        app.add_exception_handler(kind, bad_input)


def _error_page(request: Request, status: int, message: str, detail: str = "") -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": detail or message}, status_code=status)
    response: HTMLResponse = render(
        request,
        "error.html",
        {"status": status, "message": message, "detail": detail},
        user=session_user(request),
        status_code=status,
    )
    return response
