"""What the web app does to the workspace: imports, case work, catalog edits, exports.

Pages and API routes parse their input and call one of these; each is a few library calls.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from otklik.analysis import build_pipeline
from otklik.domain.filters import Filters
from otklik.domain.records import Brand, MentionRecord, Tag
from otklik.errors import InputError
from otklik.ingest.importer import ImportOptions, ImportResult, import_file
from otklik.jobs.kinds import rematch_key
from otklik.pipeline.pipeline import Pipeline
from otklik.storage import catalog, jobqueue, utcnow
from otklik.storage.users import User
from otklik.web import rules
from otklik.web.deps import WebState

EXPORT_COLUMNS = (
    "id",
    "published_at",
    "channel",
    "source",
    "language",
    "sentiment",
    "sentiment_source",
    "rating",
    "author",
    "title",
    "text",
    "url",
    "brands",
    "tags",
    "status",
    "assignee",
    "first_response_at",
    "resolved_at",
    "likes",
    "comments",
    "reposts",
    "views",
    "duplicate_of",
)
EXPORT_LIMIT = 100_000


def pipeline_for(state: WebState) -> Pipeline:
    """The workspace's pipeline, built and loaded once per set of brands and tags and
    sentiment model (the workspace's own, retrained or reset by the CLI meanwhile)."""
    brands, tags = brands_and_tags(state)
    model = state.store.sentiment_model(state.ws)
    key = (tuple(state.settings.stages), tuple(brands), tuple(tags), _stamp(model))
    found = state.pipelines.get(key)
    if found is None:
        state.pipelines.clear()
        found = build_pipeline(state.settings, brands, tags, sentiment_model=model)
        found.load()
        state.pipelines[key] = found
    return found


def _stamp(model: Path | None) -> tuple[str, int] | None:
    # The model file and its modification time: a model retrained into the same file counts
    # as a new one.
    if model is None:
        return None
    try:
        return str(model), model.stat().st_mtime_ns
    except OSError:
        return str(model), 0


def brands_and_tags(state: WebState) -> tuple[list[Brand], list[Tag]]:
    """The workspace's brands and tags."""
    with state.store.connect() as conn:
        return catalog.list_brands(conn, state.ws.id), catalog.list_tags(conn, state.ws.id)


def import_upload(
    state: WebState, filename: str, data: IO[bytes], source: str | None, channel: str
) -> ImportResult:
    """Import an uploaded file through the pipeline, like `otklik import`."""
    suffix = Path(filename or "upload").suffix.lower()[:8]
    if suffix not in (".csv", ".xlsx", ".json", ".jsonl", ".txt", ".tsv"):
        raise InputError(f"cannot import {filename!r}: upload a CSV, XLSX, JSON or JSONL file")
    options = ImportOptions(
        source=source or Path(filename).name,
        channel=channel or "other",
        batch_size=state.settings.batch_size,
    )
    with tempfile.TemporaryDirectory(prefix="otklik-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as out:
            shutil.copyfileobj(data, out)
        return import_file(state.store, state.ws, pipeline_for(state), path, options)


@dataclass
class CaseChange:
    """What a person changes on a mention; None leaves a field as it is."""

    status: str | None = None
    assignee: str | None = None
    unassign: bool = False
    sentiment: str | None = None
    tags_add: Sequence[str] = ()
    tags_remove: Sequence[str] = ()
    note: str | None = None
    reply: str | None = None


def change_mention(
    state: WebState, mention_id: int, change: CaseChange, user: User
) -> MentionRecord:
    """Apply a person's changes to a mention's case, tags and sentiment."""
    store, ws = state.store, state.ws
    store.mention(ws, mention_id)
    if change.sentiment:
        store.correct_sentiment(ws, mention_id, change.sentiment, user.email)
    for name, present in [(n, True) for n in change.tags_add] + [
        (n, False) for n in change.tags_remove
    ]:
        with store.begin() as conn:
            catalog.set_person_tag(conn, ws.id, mention_id, name, present, user.email, utcnow())
    if change.note and change.note.strip():
        store.add_note(ws, mention_id, "note", change.note, user.email)
    if change.reply and change.reply.strip():
        store.add_note(ws, mention_id, "reply", change.reply, user.email)
    if change.status is not None or change.assignee is not None or change.unassign:
        return store.update_case(
            ws, mention_id, status=change.status, assignee=change.assignee, unassign=change.unassign
        )
    return store.mention(ws, mention_id)


def save_brand(
    state: WebState, name: str, query: str, is_own: bool, old_name: str | None = None
) -> Brand:
    """Add a brand, or change the one called `old_name` (renamed to `name`); a new or changed
    query is matched against the stored mentions in the background."""
    if not query.strip():
        raise InputError('a brand needs a query, e.g. BystroPost OR "Быстрая Почта"')
    rules.check(query)
    with state.store.begin() as conn:
        if old_name:
            before: str | None = catalog.get_brand(conn, state.ws.id, old_name).query
            saved = catalog.update_brand(
                conn, state.ws.id, old_name, utcnow(), new_name=name, query=query, is_own=is_own
            )
        else:
            before = None
            saved = catalog.add_brand(conn, state.ws.id, name.strip(), query, is_own, utcnow())
    if saved.query != before:
        queue_rematch(state, "brand", saved.id)
    return saved


def save_tag(state: WebState, name: str, query: str | None, old_name: str | None = None) -> Tag:
    """Add a tag, or change the one called `old_name` (renamed to `name`); a new or changed
    rule is applied to the stored mentions in the background."""
    if query:
        rules.check(query)
    with state.store.begin() as conn:
        if old_name:
            before = catalog.get_tag(conn, state.ws.id, old_name)
            saved = catalog.update_tag(
                conn, state.ws.id, old_name, utcnow(), new_name=name, query=query or ""
            )
            changed = saved.query != before.query
        else:
            saved = catalog.add_tag(conn, state.ws.id, name.strip(), query or None, utcnow())
            changed = saved.query is not None
    if changed:
        queue_rematch(state, "tag", saved.id)
    return saved


def remove_brand(state: WebState, name: str) -> None:
    """Delete a brand and its matches, stopping its re-match first."""
    with state.store.connect() as conn:
        found = catalog.get_brand(conn, state.ws.id, name)
    with state.store.begin() as conn:
        jobqueue.cancel_keyed(conn, state.ws.id, rematch_key("brand", found.id), utcnow())
        catalog.remove_brand(conn, state.ws.id, name)


def remove_tag(state: WebState, name: str) -> None:
    """Delete a tag and its assignments, stopping its re-match first."""
    with state.store.connect() as conn:
        found = catalog.get_tag(conn, state.ws.id, name)
    with state.store.begin() as conn:
        jobqueue.cancel_keyed(conn, state.ws.id, rematch_key("tag", found.id), utcnow())
        catalog.remove_tag(conn, state.ws.id, name)


def queue_rematch(state: WebState, kind: str, target_id: int) -> None:
    """Queue matching stored mentions again for a brand or tag (`kind`); a re-match of it
    still waiting is the same job, and one running is superseded."""
    arguments = {f"{kind}_id": target_id}
    with state.store.begin() as conn:
        jobqueue.enqueue(
            conn,
            state.ws.id,
            f"rematch_{kind}",
            arguments,
            utcnow(),
            dedupe_key=rematch_key(kind, target_id),
        )
    if state.worker is not None:
        state.worker.wake()


def rematch_records(state: WebState, kind: str) -> dict[int, dict[str, Any]]:
    """The latest re-match of each brand or tag (`kind`) that has one, by its id: `state`
    (queued, running, done, failed, cancelled), `done`, `total`, `matched`, `error`."""
    with state.store.connect() as conn:
        latest = jobqueue.latest_by_key(conn, state.ws.id, rematch_key(kind, 0)[:-1])
    return {int(key.rsplit(":", 1)[1]): _rematch_record(job) for key, job in latest.items()}


def _rematch_record(job: jobqueue.Job) -> dict[str, Any]:
    return {
        "job_id": job.id,
        "state": job.status,
        "done": job.progress_done or 0,
        "total": job.progress_total,
        "matched": (job.result or {}).get("matched"),
        "error": job.error,
        "updated_at": _iso(job.finished_at or job.started_at or job.created_at),
    }


def export_records(state: WebState, filters: Filters) -> list[dict[str, Any]]:
    """The mentions of a view as flat rows for export (newest first, at most EXPORT_LIMIT)."""
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(rows) < EXPORT_LIMIT:
        page, cursor = state.store.mentions(state.ws, filters, limit=1000, cursor=cursor)
        rows.extend(_flat(r) for r in page)
        if cursor is None:
            break
    return rows


def _flat(record: MentionRecord) -> dict[str, Any]:
    row = record.to_dict()
    row["brands"] = "; ".join(
        f"{b['name']} ({b['role']}, {b['sentiment'] or '-'})" for b in row["brands"]
    )
    row["tags"] = "; ".join(row["tags"])
    row["first_response_at"] = _iso(record.first_response_at)
    row["resolved_at"] = _iso(record.resolved_at)
    return {c: row.get(c) for c in EXPORT_COLUMNS}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None


def to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """Rows as UTF-8 CSV with a BOM (so spreadsheet programs read Cyrillic right)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    """Rows as an XLSX workbook."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("mentions")
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append([_cell(row.get(c)) for c in EXPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    # A leading =, +, - or @ would make a spreadsheet evaluate user text as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
