"""Background jobs: what is queued, running and finished, with progress; cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from otklik.services import jobs
from otklik.services.users import User
from otklik.web.deps import form_user, page_user, render, web

router = APIRouter()


@router.get("/jobs")
def jobs_page(request: Request, user: Annotated[User, Depends(page_user("analyst"))]) -> Response:
    """The workspace's newest jobs."""
    state = web(request)
    found = jobs.jobs(state.svc, state.ws, limit=200)
    rows = [{**jobs.job_dict(j), "created": j.created_at} for j in found]
    return render(request, "jobs.html", {"jobs": rows}, user=user)


@router.post("/jobs/{job_id}/cancel")
def job_cancel(
    request: Request, job_id: int, _user: Annotated[User, Depends(form_user("analyst"))]
) -> Response:
    """Cancel a queued job, or ask a running one to stop after its batch."""
    state = web(request)
    jobs.cancel(state.svc, state.ws, job_id)
    return RedirectResponse("/jobs", status_code=303)
