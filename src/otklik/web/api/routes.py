"""API routes: parse the request, make one library call, return JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from otklik.domain.filters import Filters
from otklik.domain.mention import SENTIMENTS
from otklik.domain.records import Brand, Tag
from otklik.services import catalog, imports, jobs, mentions, queries, surveys
from otklik.services.cases import CaseChange, change_mention
from otklik.services.users import User
from otklik.web import workspace
from otklik.web.api.responses import (
    CASE_STATUSES,
    COMMON_RESPONSES,
    NOT_FOUND,
    ROLE_QUERY,
    SENTIMENT_QUERY,
    STATUS_QUERY,
    TOO_LARGE,
    Cursor,
    ErrorBody,
    Name,
    RecordId,
    error_body,
)
from otklik.web.deps import api_user, web

router = APIRouter(responses=COMMON_RESPONSES)
Viewer = Annotated[User, Depends(api_user("viewer"))]
Analyst = Annotated[User, Depends(api_user("analyst"))]


def api_filters(
    request: Request,
    brand: Annotated[list[str], Query(description="Brand name (repeatable).")] = [],  # noqa: B006
    tag: Annotated[list[str], Query(description="Tag name (repeatable).")] = [],  # noqa: B006
    sentiment: Annotated[list[str], SENTIMENT_QUERY] = [],  # noqa: B006
    channel: Annotated[list[str], Query(description="Channel: vk, review…")] = [],  # noqa: B006
    source: Annotated[list[str], Query(description="Source name.")] = [],  # noqa: B006
    language: Annotated[list[str], Query(description="ru, kk, en…")] = [],  # noqa: B006
    status: Annotated[list[str], STATUS_QUERY] = [],  # noqa: B006
    role: Annotated[list[str], ROLE_QUERY] = [],  # noqa: B006
    rating_min: Annotated[str | None, Query(description="Lowest rating (1–5).")] = None,
    rating_max: Annotated[str | None, Query(description="Highest rating (1–5).")] = None,
    complaint: Annotated[
        str | None, Query(description="yes: only complaints; no: none of them.")
    ] = None,
    question: Annotated[
        str | None, Query(description="yes: only questions; no: none of them.")
    ] = None,
    since: Annotated[str | None, Query(description="2025-01-01 or ISO 8601.")] = None,
    until: Annotated[str | None, Query(description="Up to this date, inclusive.")] = None,
    q: Annotated[str | None, Query(description="Query-language search.")] = None,
) -> Filters:
    """DESIGN's filters from query parameters (422 naming the parameter when one is bad)."""
    params: dict[str, Any] = {
        "brand": brand,
        "tag": tag,
        "sentiment": sentiment,
        "channel": channel,
        "source": source,
        "language": language,
        "status": status,
        "role": role,
        "rating_min": rating_min,
        "rating_max": rating_max,
        "complaint": complaint,
        "question": question,
        "since": since,
        "until": until,
        "q": q,
    }
    return queries.filters(web(request).ws, params)


ApiFilters = Annotated[Filters, Depends(api_filters)]


@router.get("/mentions")
def list_mentions(
    request: Request,
    _user: Viewer,
    filters: ApiFilters,
    cursor: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """Mentions matching the filters, newest first; pass next_cursor back as cursor."""
    state = web(request)
    records, next_cursor = mentions.page(state.svc, state.ws, filters, limit, cursor)
    return {"items": [r.to_dict() for r in records], "next_cursor": next_cursor}


@router.get("/mentions/{mention_id}", responses=NOT_FOUND)
def get_mention(request: Request, mention_id: RecordId, _user: Viewer) -> dict[str, Any]:
    """One mention with its analysis, case fields and notes."""
    state = web(request)
    return mentions.detail(state.svc, state.ws, mention_id)


class MentionPatch(BaseModel):
    """Changes to a mention; fields left out stay as they are (assignee null unassigns)."""

    status: str | None = Field(
        None,
        description="new, in_progress, resolved or ignored",
        json_schema_extra={"enum": [*CASE_STATUSES, None]},
    )
    assignee: str | None = Field(None, description="Who works on it; null to unassign")
    sentiment: str | None = Field(
        None,
        description="Correct the sentiment: positive, neutral or negative",
        json_schema_extra={"enum": [*SENTIMENTS, None]},
    )
    tags_add: list[str] = Field(default_factory=list, description="Tags a person adds")
    tags_remove: list[str] = Field(
        default_factory=list,
        description="Tags to remove (a rule's tag a person removes stays off when it runs again)",
    )
    note: str | None = Field(None, description="An internal note to add")
    reply: str | None = Field(None, description="The reply that was sent")


@router.patch("/mentions/{mention_id}", responses=NOT_FOUND)
def patch_mention(
    request: Request, mention_id: RecordId, patch: MentionPatch, user: Analyst
) -> dict[str, Any]:
    """Change status, assignee, tags or sentiment; add a note or the reply that was sent."""
    change = CaseChange(
        status=patch.status,
        assignee=patch.assignee,
        unassign="assignee" in patch.model_fields_set and patch.assignee is None,
        sentiment=patch.sentiment,
        tags_add=patch.tags_add,
        tags_remove=patch.tags_remove,
        note=patch.note,
        reply=patch.reply,
    )
    state = web(request)
    change_mention(state.svc, state.ws, mention_id, change, user.email)
    return mentions.detail(state.svc, state.ws, mention_id)


@router.get("/stats")
def stats(
    request: Request,
    _user: Viewer,
    filters: ApiFilters,
    by: Annotated[
        list[str],
        Query(
            description="day, week, month, channel, sentiment, "
            "language, brand, tag, source, status, rating"
        ),
    ] = [],  # noqa: B006
) -> dict[str, Any]:
    """Counts of matching mentions grouped by the `by` dimensions."""
    state = web(request)
    return {"by": by, "items": mentions.count_by(state.svc, state.ws, filters, by)}


class BrandIn(BaseModel):
    """A brand to add or change."""

    name: Name
    query: Annotated[str, Field(min_length=1, pattern=r"\S")]
    own: bool = False


class TagIn(BaseModel):
    """A tag to add or change; a query makes it a rule."""

    name: Name
    query: str | None = None


@router.get("/brands")
def list_brands(request: Request, _user: Viewer) -> dict[str, Any]:
    """The workspace's brands. `rematch` says how far matching the stored mentions again after
    the brand's last query change has got (a job, see `/jobs/{id}`): `job_id`, `state` (queued,
    running, done, failed, cancelled), `done` and `total` mentions, `matched` (when done),
    `error` (when failed); null when it never ran."""
    state = web(request)
    brands = catalog.brands(state.svc, state.ws)
    records = jobs.rematch_records(state.svc, state.ws, "brand")
    return {"items": [_brand(b, records.get(b.id)) for b in brands]}


@router.post("/brands", status_code=201)
def add_brand(request: Request, body: BrandIn, _user: Analyst) -> dict[str, Any]:
    """Add a brand; stored mentions are matched in the background (see `rematch`)."""
    state = web(request)
    b = workspace.save_brand(state, body.name, body.query, body.own)
    return _brand(b, workspace.rematch_records(state, "brand").get(b.id))


@router.put("/brands/{name}", responses=NOT_FOUND)
def edit_brand(request: Request, name: str, body: BrandIn, _user: Analyst) -> dict[str, Any]:
    """Change a brand's name, query or own flag. A renamed brand keeps its id and the mentions
    it is in; a changed query is matched against stored mentions in the background."""
    state = web(request)
    b = workspace.save_brand(state, body.name, body.query, body.own, old_name=name)
    return _brand(b, workspace.rematch_records(state, "brand").get(b.id))


def _brand(b: Brand, job: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": b.id, "name": b.name, "query": b.query, "own": b.is_own, "rematch": _job(job)}


@router.get("/tags")
def list_tags(request: Request, _user: Viewer) -> dict[str, Any]:
    """The workspace's tags, with `rematch` as for brands (applying the rule again)."""
    state = web(request)
    tags = catalog.tags(state.svc, state.ws)
    records = jobs.rematch_records(state.svc, state.ws, "tag")
    return {"items": [_tag(t, records.get(t.id)) for t in tags]}


@router.post("/tags", status_code=201)
def add_tag(request: Request, body: TagIn, _user: Analyst) -> dict[str, Any]:
    """Add a tag; a rule is applied to stored mentions in the background (see `rematch`)."""
    state = web(request)
    t = workspace.save_tag(state, body.name, body.query)
    return _tag(t, workspace.rematch_records(state, "tag").get(t.id))


@router.put("/tags/{name}", responses=NOT_FOUND)
def edit_tag(request: Request, name: str, body: TagIn, _user: Analyst) -> dict[str, Any]:
    """Change a tag's name or rule query. A renamed tag keeps its id and every assignment; a
    changed rule is applied to stored mentions in the background (people's tags stay)."""
    state = web(request)
    t = workspace.save_tag(state, body.name, body.query, old_name=name)
    return _tag(t, workspace.rematch_records(state, "tag").get(t.id))


def _tag(t: Tag, job: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "query": t.query, "rematch": _job(job)}


def _job(job: dict[str, Any] | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        k: job.get(k)
        for k in ("job_id", "state", "done", "total", "matched", "error", "updated_at")
    }


@router.post(
    "/imports",
    status_code=201,
    responses={**TOO_LARGE, 202: {"description": "A big file: queued as an import job."}},
)
def import_file(
    request: Request,
    response: Response,
    _user: Analyst,
    file: Annotated[UploadFile, File(description="CSV, XLSX, JSON or JSONL")],
    source: Annotated[str | None, Form()] = None,
    channel: Annotated[str, Form()] = "other",
) -> dict[str, Any]:
    """Import an uploaded file: counts, and where its rejected rows are (201). A file of
    OTKLIK_BACKGROUND_UPLOAD_BYTES or more is imported by a background job instead: 202 with
    the job (`/jobs/{id}` shows its progress and, when done, the same counts as `result`)."""
    state = web(request)
    result = imports.import_upload(
        state.svc, state.ws, file.filename or "upload", file.file, source, channel
    )
    if isinstance(result, jobs.Job):
        if state.worker is not None:
            state.worker.wake()
        response.status_code = 202
        return {"job": jobs.job_dict(result)}
    return {
        "id": result.run_id,
        "rows_read": result.rows_read,
        "imported": result.imported,
        "duplicates": result.duplicates,
        "rejected": result.rejected,
        "rejected_rows": f"/api/v1/imports/{result.run_id}/rejected.csv",
        **imports.sheets_read(result),
    }


@router.get(
    "/imports/{run_id}/rejected.csv",
    response_class=Response,
    responses={
        **NOT_FOUND,
        200: {
            "description": "The rejected rows as CSV (UTF-8 with a BOM).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
    },
)
def rejected_rows(request: Request, run_id: RecordId, _user: Analyst) -> Response:
    """An import's rejected rows as CSV: row, field, reason, raw."""
    from otklik.web.pages.uploads import rejected_csv

    return rejected_csv(request, run_id)


@router.get("/jobs")
def list_jobs(
    request: Request,
    _user: Analyst,
    status: Annotated[
        list[str], Query(description="queued, running, done, failed or cancelled (repeatable).")
    ] = [],  # noqa: B006
    kind: Annotated[list[str], Query(description="import, rematch_brand, …")] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Background jobs of the workspace, newest first: `kind`, `status`, `progress` (`done`,
    `total`, `message`), `result`, `error`, `attempts` and times."""
    state = web(request)
    found = jobs.jobs(state.svc, state.ws, status, kind, limit)
    return {"items": [jobs.job_dict(j) for j in found]}


@router.get("/jobs/{job_id}", responses=NOT_FOUND)
def get_job(request: Request, job_id: RecordId, _user: Analyst) -> dict[str, Any]:
    """One background job."""
    state = web(request)
    return jobs.job_dict(jobs.job(state.svc, state.ws, job_id))


@router.post("/jobs/{job_id}/cancel", responses=NOT_FOUND)
def cancel_job(request: Request, job_id: RecordId, _user: Analyst) -> dict[str, Any]:
    """Cancel a job: a queued one at once, a running one after its current batch."""
    state = web(request)
    return jobs.job_dict(jobs.cancel(state.svc, state.ws, job_id))


# Surveys


class SurveyAnswers(BaseModel):
    """A response: answers by question id, and the respondent's language."""

    answers: dict[str, Any] = Field(
        description='Answers by question id, e.g. {"nps": 9, "improve": "…", "topics": ["a"]}'
    )
    language: str = Field(
        "ru", description="ru, kk or en", json_schema_extra={"enum": ["ru", "kk", "en"]}
    )
    contact: dict[str, Any] = Field(
        default_factory=dict,
        description="Who answered and any fields to break reports down by (email, name, city…)",
    )


@router.get("/surveys")
def list_surveys(request: Request, _user: Viewer) -> dict[str, Any]:
    """The workspace's surveys: id, name, slug, public url, state (open or closed) and
    closed_at."""
    state = web(request)
    found = surveys.list_surveys(state.svc, state.ws)
    return {"items": [surveys.summary(state.svc, r, _seen_at(request)) for r in found]}


@router.get("/surveys/{survey_id}", responses=NOT_FOUND)
def get_survey(request: Request, survey_id: RecordId, _user: Viewer) -> dict[str, Any]:
    """A survey's JSON document (questions with id, kind, required, texts, options, show_if)."""
    state = web(request)
    record = surveys.get(state.svc, state.ws, survey_id)
    return {"id": record.id, **surveys.export_document(state.svc, state.ws, record.name)}


@router.get("/surveys/{survey_id}/report", responses=NOT_FOUND)
def survey_report(request: Request, survey_id: RecordId, _user: Viewer) -> dict[str, Any]:
    """Responses, NPS/CSAT/CES with 95% intervals, per month."""
    state = web(request)
    record = surveys.get(state.svc, state.ws, survey_id)
    return surveys.report(state.svc, state.ws, record.name)


@router.post("/surveys/{survey_id}/close", responses=NOT_FOUND)
def close_survey(request: Request, survey_id: RecordId, _user: Analyst) -> dict[str, Any]:
    """Close a survey: its link and widget say so, answers are refused (409), due invitations
    wait; responses and the report stay. Closing a closed survey changes nothing."""
    state = web(request)
    record = surveys.close(state.svc, state.ws, surveys.get(state.svc, state.ws, survey_id).name)
    return surveys.summary(state.svc, record, _seen_at(request))


@router.post("/surveys/{survey_id}/reopen", responses=NOT_FOUND)
def reopen_survey(request: Request, survey_id: RecordId, _user: Analyst) -> dict[str, Any]:
    """Reopen a closed survey: it takes answers again and waiting invitations go out."""
    state = web(request)
    record = surveys.reopen(state.svc, state.ws, surveys.get(state.svc, state.ws, survey_id).name)
    return surveys.summary(state.svc, record, _seen_at(request))


@router.delete(
    "/surveys/{survey_id}",
    responses={
        **NOT_FOUND,
        409: {"model": ErrorBody, "description": "It has responses and with_responses is not true"},
    },
)
def delete_survey(
    request: Request,
    survey_id: RecordId,
    _user: Analyst,
    with_responses: Annotated[
        bool, Query(description="Also delete its responses and the mentions they made.")
    ] = False,
) -> Response:
    """Delete a survey with its invitations; one with responses only with
    `with_responses=true`, and then its responses and their mentions go too. The counts of
    what was deleted."""
    state = web(request)
    record = surveys.get(state.svc, state.ws, survey_id)
    try:
        gone = surveys.delete(state.svc, state.ws, record.name, with_responses=with_responses)
    except surveys.HasResponses as exc:
        return error_body(str(exc), 409, "with_responses")
    return JSONResponse(
        {
            "deleted": gone.name,
            "responses": gone.responses,
            "mentions": gone.mentions,
            "invitations": gone.invitations,
        }
    )


def _seen_at(request: Request) -> str:
    return str(request.base_url).removesuffix("/api/v1/").removesuffix("/api/v1")


@router.post(
    "/surveys/{survey_id}/responses",
    status_code=201,
    responses={
        **NOT_FOUND,
        409: {"model": ErrorBody, "description": "The survey is closed: it takes no answers"},
    },
)
def add_survey_response(
    request: Request, survey_id: RecordId, body: SurveyAnswers, _user: Viewer
) -> Response:
    """Store a response (apps, kiosks): 201 with the mention's id, 422 naming the question,
    or 409 when the survey is closed."""
    state = web(request)
    record = surveys.get(state.svc, state.ws, survey_id)
    try:
        outcome = surveys.respond(
            state.svc,
            state.ws,
            record,
            body.answers,
            body.language,
            "api",
            contact=body.contact,
            strict=True,
        )
    except surveys.AnswersRejected as exc:
        return JSONResponse(
            {
                "detail": str(exc),
                "parameter": f"answers.{exc.question}",
                "question": exc.question,
                "errors": [
                    {"loc": ["body", "answers", p.question], "msg": p.message, "type": p.code}
                    for p in exc.problems
                ],
            },
            status_code=422,
        )
    except surveys.SurveyClosed as exc:
        return error_body(str(exc), 409)
    return JSONResponse(
        {
            "mention_id": outcome.mention_id,
            "response_id": outcome.response_id,
            "is_case": outcome.is_case,
            "review_links": outcome.review_links,
        },
        status_code=201,
    )
