"""Background jobs: what is queued, running and finished, with progress; cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from otklik.services import jobs, mentions
from otklik.services.users import User
from otklik.web.deps import form_user, page_user, render, web

router = APIRouter()


@router.get("/jobs")
def jobs_page(request: Request, user: Annotated[User, Depends(page_user("viewer"))]) -> Response:
    """The workspace's newest jobs (anyone may look and download an export; cancelling
    needs an analyst)."""
    state = web(request)
    found = jobs.jobs(state.svc, state.ws, limit=200)
    rows = [
        {
            **jobs.job_dict(j),
            "created": j.created_at,
            "download": j.kind == "export" and j.status == "done" and j.arguments.get("download"),
        }
        for j in found
    ]
    return render(request, "jobs.html", {"jobs": rows}, user=user)


@router.post("/jobs/{job_id}/cancel")
def job_cancel(
    request: Request, job_id: int, _user: Annotated[User, Depends(form_user("analyst"))]
) -> Response:
    """Cancel a queued job, or ask a running one to stop after its batch."""
    state = web(request)
    jobs.cancel(state.svc, state.ws, job_id)
    return RedirectResponse("/jobs", status_code=303)


@router.get("/jobs/{job_id}/download")
def job_download(
    request: Request, job_id: int, _user: Annotated[User, Depends(page_user("viewer"))]
) -> Response:
    """The file an export job prepared for the web."""
    state = web(request)
    path = mentions.downloadable(state.svc, state.ws, job_id)
    return FileResponse(path, filename=f"mentions{path.suffix}")
