"""Importing a file from the browser, and the rejected rows of an import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from otklik.domain.mention import CHANNELS
from otklik.domain.records import ImportRun
from otklik.errors import InputError
from otklik.i18n import Translator
from otklik.services import imports, jobs
from otklik.services.users import User
from otklik.web.deps import form_user, page_user, render, web
from otklik.web.i18n import translator_of

router = APIRouter()


def _recent(request: Request) -> list[ImportRun]:
    state = web(request)
    return imports.recent_runs(state.svc, state.ws, limit=20)


@router.get("/import")
def import_page(request: Request, user: Annotated[User, Depends(page_user("analyst"))]) -> Response:
    """The upload form and recent imports."""
    context = {"runs": _recent(request), "channels": CHANNELS, "result": None, "queued": None}
    return render(request, "import.html", context, user=user)


@router.post("/import")
def import_upload(
    request: Request,
    user: Annotated[User, Depends(form_user("analyst"))],
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "other",
) -> Response:
    """Import the uploaded file and show its report (a big file: the job importing it); a file
    that cannot be imported comes back on the same page with the reason in the user's language
    and the choices kept."""
    state = web(request)
    name = file.filename or "upload"
    kept = {"source": source, "channel": channel, "filename": name}
    try:
        result = imports.import_upload(
            state.svc, state.ws, name, file.file, source.strip() or None, channel
        )
    except InputError as exc:
        context: dict[str, object] = {
            "runs": _recent(request),
            "channels": CHANNELS,
            "result": None,
            "error": upload_error(translator_of(request, user), name, exc),
            "detail": str(exc),
            **kept,
        }
        return render(request, "import.html", context, user=user, status_code=422)
    queued = result if isinstance(result, jobs.Job) else None
    if queued is not None and state.worker is not None:
        state.worker.wake()
    done: dict[str, object] = {
        "runs": _recent(request),
        "channels": CHANNELS,
        "result": None if queued is not None else result,
        "queued": queued,
    }
    return render(request, "import.html", {**done, **kept}, user=user)


def upload_error(tr: Translator, name: str, exc: InputError) -> str:
    """Why an upload was refused, in the user's language."""
    if "upload a CSV" in str(exc):
        return tr.gettext(
            "%(name)s cannot be imported: upload a CSV, XLSX, JSON or JSONL file.", name=name
        )
    return tr.gettext(
        "%(name)s could not be read as a table of mentions. Check that it is a CSV, XLSX, "
        "JSON or JSONL file saved as text, not a document or an archive.",
        name=name,
    )


@router.get("/imports/{run_id}/rejected.csv")
def rejected_rows(
    request: Request, run_id: int, _user: Annotated[User, Depends(page_user("analyst"))]
) -> Response:
    """An import's rejected rows with their reasons."""
    return rejected_csv(request, run_id)


def rejected_csv(request: Request, run_id: int) -> Response:
    """CSV of a run's rejected rows (a run of another workspace is not found)."""
    state = web(request)
    body = imports.rejections_csv(state.svc, state.ws, run_id)
    headers = {"Content-Disposition": f'attachment; filename="import-{run_id}-rejected.csv"'}
    return Response(
        ("\ufeff" + body).encode(), media_type="text/csv; charset=utf-8", headers=headers
    )
