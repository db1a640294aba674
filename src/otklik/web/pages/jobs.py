"""Background jobs: what is queued, running and finished, with progress; cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from otklik.jobs.summary import job_dict
from otklik.storage import jobqueue, utcnow
from otklik.storage.users import User
from otklik.web.deps import form_user, page_user, render, web

router = APIRouter()


@router.get("/jobs")
def jobs_page(request: Request, user: Annotated[User, Depends(page_user("analyst"))]) -> Response:
    """The workspace's newest jobs."""
    state = web(request)
    with state.store.connect() as conn:
        found = jobqueue.list_jobs(conn, state.ws.id, limit=200)
    return render(request, "jobs.html", {"jobs": [job_dict(j) for j in found]}, user=user)


@router.post("/jobs/{job_id}/cancel")
def job_cancel(
    request: Request, job_id: int, _user: Annotated[User, Depends(form_user("analyst"))]
) -> Response:
    """Cancel a queued job, or ask a running one to stop after its batch."""
    state = web(request)
    with state.store.begin() as conn:
        jobqueue.cancel(conn, job_id, utcnow(), state.ws.id)
    return RedirectResponse("/jobs", status_code=303)
