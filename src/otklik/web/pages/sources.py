"""Sources: feeds, webhooks, mailboxes and Telegram channels with their health; add one, poll
it now, pause, resume or remove it. A new webhook's URL and secret are shown once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from otklik.errors import InputError
from otklik.services import sources
from otklik.services.users import User
from otklik.web.auth import may
from otklik.web.deps import form_user, page_user, render, web
from otklik.web.i18n import translator_of

router = APIRouter()


def _page(request: Request, user: User, status_code: int = 200, **extra: Any) -> Response:
    state = web(request)
    found = sources.sources(state.svc, state.ws)
    context = {
        "sources": found,
        "can_edit": may(user.role, "analyst"),
        "webhook_url": lambda s: sources.webhook_url(state.svc, s.id),
        **extra,
    }
    return render(request, "sources.html", context, user=user, status_code=status_code)


@router.get("/sources")
def sources_page(request: Request, user: Annotated[User, Depends(page_user("viewer"))]) -> Response:
    """Every source with its health, and (for analysts) the forms that add one."""
    return _page(request, user)


@router.post("/sources")
def source_add(
    request: Request,
    user: Annotated[User, Depends(form_user("analyst"))],
    kind: Annotated[str, Form()],
    name: Annotated[str, Form()],
    url: Annotated[str, Form()] = "",
    every: Annotated[str, Form()] = "",
    host: Annotated[str, Form()] = "",
    port: Annotated[str, Form()] = "",
    user_name: Annotated[str, Form(alias="login")] = "",
    password: Annotated[str, Form()] = "",
    folder: Annotated[str, Form()] = "INBOX",
    security: Annotated[str, Form()] = "ssl",
    channel: Annotated[str, Form()] = "",
    depth: Annotated[str, Form()] = "",
) -> Response:
    """Add a source; a polled one is polled at once. A webhook's secret is on this answer
    only; a refused source comes back with the reason and what was typed."""
    state = web(request)
    options = {
        "url": url,
        "every": every,
        "host": host,
        "port": port or None,
        "user": user_name,
        "password": password,
        "folder": folder,
        "security": security,
        "channel": channel,
        "depth": depth or None,
    }
    try:
        added = sources.add(state.svc, state.ws, kind, name, **options)
    except InputError as exc:
        tr = translator_of(request, user)
        kept = {k: v for k, v in options.items() if k != "password"} | {"kind": kind, "name": name}
        error = (
            tr.gettext("This name is taken; choose another.")
            if "already exists" in str(exc)
            else tr.gettext("The source was not added; see the details.")
        )
        return _page(request, user, 422, error=error, detail=str(exc), kept=kept)
    if state.worker is not None and added.job_id is not None:
        state.worker.wake()
    if added.secret is not None:
        return _page(request, user, added=added)
    return RedirectResponse("/sources", status_code=303)


@router.post("/sources/{source_id}/run")
def source_run(
    request: Request, source_id: int, _user: Annotated[User, Depends(form_user("analyst"))]
) -> Response:
    """Queue a poll of the source now (the Jobs page shows its progress)."""
    state = web(request)
    sources.queue_poll(state.svc, state.ws, sources.source_by_id(state.svc, state.ws, source_id))
    if state.worker is not None:
        state.worker.wake()
    return RedirectResponse("/sources", status_code=303)


@router.post("/sources/{source_id}/pause")
def source_pause(
    request: Request,
    source_id: int,
    _user: Annotated[User, Depends(form_user("analyst"))],
    paused: Annotated[str, Form()] = "",
) -> Response:
    """Pause a source, or resume it."""
    state = web(request)
    found = sources.source_by_id(state.svc, state.ws, source_id)
    sources.set_paused(state.svc, state.ws, found.name, bool(paused))
    return RedirectResponse("/sources", status_code=303)


@router.post("/sources/{source_id}/delete")
def source_delete(
    request: Request, source_id: int, _user: Annotated[User, Depends(form_user("analyst"))]
) -> Response:
    """Remove a source; the mentions it brought stay."""
    state = web(request)
    found = sources.source_by_id(state.svc, state.ws, source_id)
    sources.remove(state.svc, state.ws, found.name)
    return RedirectResponse("/sources", status_code=303)
