"""Reading mentions: the feed a page at a time, every match in order, counts, exports."""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from otklik.domain.filters import Filters
from otklik.domain.records import MentionRecord, Workspace
from otklik.errors import InputError, NotFoundError
from otklik.services import jobs
from otklik.services.context import Services
from otklik.storage.jobqueue import Job

PAGE = 1000
EXPORT_COLUMNS = (
    "id",
    "published_at",
    "channel",
    "source",
    "language",
    "sentiment",
    "sentiment_source",
    "sentiment_tier",
    "is_complaint",
    "is_question",
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
    "answers",
)
EXPORT_LIMIT = 100_000


def page(
    svc: Services, ws: Workspace, filters: Filters, limit: int, cursor: str | None = None
) -> tuple[list[MentionRecord], str | None]:
    """One page of matching mentions, newest first, and the cursor of the next (or None)."""
    return svc.store.mentions(ws, filters, limit=limit, cursor=cursor)


def walk(
    svc: Services, ws: Workspace, filters: Filters, page_size: int = PAGE
) -> Iterator[MentionRecord]:
    """Every matching mention, newest first, read a page at a time."""
    cursor: str | None = None
    while True:
        records, cursor = svc.store.mentions(ws, filters, limit=page_size, cursor=cursor)
        yield from records
        if cursor is None:
            return


def newest(svc: Services, ws: Workspace, filters: Filters, limit: int) -> list[MentionRecord]:
    """At most `limit` matching mentions, newest first."""
    return list(islice(walk(svc, ws, filters, min(PAGE, limit)), limit))


def get(svc: Services, ws: Workspace, mention_id: int) -> MentionRecord:
    """One mention of the workspace (NotFoundError for another workspace's or none)."""
    return svc.store.mention(ws, mention_id)


def notes(svc: Services, ws: Workspace, mention_id: int) -> list[dict[str, Any]]:
    """A mention's notes and replies, oldest first."""
    return svc.store.notes(ws, mention_id)


def detail(svc: Services, ws: Workspace, mention_id: int) -> dict[str, Any]:
    """A mention as JSON-ready data with its raw payload, case times and notes."""
    record = get(svc, ws, mention_id)
    item = record.to_dict()
    item["notes"] = [
        {**n, "created_at": n["created_at"].isoformat() + "Z"} for n in notes(svc, ws, mention_id)
    ]
    item["raw"] = record.mention.raw
    item["first_response_at"] = _iso(record.first_response_at)
    item["resolved_at"] = _iso(record.resolved_at)
    return item


def count_by(
    svc: Services, ws: Workspace, filters: Filters, by: Sequence[str]
) -> list[dict[str, Any]]:
    """Counts of matching mentions grouped by the `by` dimensions (`stats --by`)."""
    return svc.store.count_by(ws, filters, by)


def count(svc: Services, ws: Workspace, filters: Filters) -> int:
    """How many mentions match."""
    return svc.store.count(ws, filters)


def export_rows(svc: Services, ws: Workspace, filters: Filters) -> list[dict[str, Any]]:
    """The mentions of a view as flat rows for export (newest first, at most EXPORT_LIMIT)."""
    return [_flat(r) for r in islice(walk(svc, ws, filters), EXPORT_LIMIT)]


def _flat(record: MentionRecord) -> dict[str, Any]:
    row = record.to_dict()
    row["brands"] = "; ".join(
        f"{b['name']} ({b['role']}, {b['sentiment'] or '-'})" for b in row["brands"]
    )
    row["tags"] = "; ".join(row["tags"])
    if row["answers"] is not None:
        row["answers"] = json.dumps(row["answers"], ensure_ascii=False)
    row["is_complaint"] = int(record.analysis.is_complaint)
    row["is_question"] = int(record.analysis.is_question)
    row["first_response_at"] = _iso(record.first_response_at)
    row["resolved_at"] = _iso(record.resolved_at)
    return {c: row.get(c) for c in EXPORT_COLUMNS}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None


def to_csv(rows: Sequence[dict[str, Any]], headers: Sequence[str] | None = None) -> bytes:
    """Rows as UTF-8 CSV with a BOM (so spreadsheet programs read Cyrillic right); the header
    row is the column names, or `headers` (the same columns in the reader's language)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(headers or EXPORT_COLUMNS))
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in EXPORT_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]], headers: Sequence[str] | None = None) -> bytes:
    """Rows as an XLSX workbook (header row as in `to_csv`)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("mentions")
    sheet.append(list(headers or EXPORT_COLUMNS))
    for row in rows:
        sheet.append([_cell(row.get(c)) for c in EXPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORT_FORMATS = ("csv", "xlsx")
WEB_INLINE_ROWS = 20_000
"""A web export of more mentions than this is written by a job: the browser would wait."""


def _export_folder(svc: Services) -> Path:
    return svc.settings.upload_dir.resolve() / "exports"


def queue_download(
    svc: Services,
    ws: Workspace,
    params: Mapping[str, Sequence[str]],
    fmt: str,
    headers: Sequence[str],
) -> Job:
    """Queue an export job whose file the web offers for download when it is done (the file
    goes to the upload folder's `exports/`, under a name nobody can guess)."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export formats: {', '.join(EXPORT_FORMATS)}")
    folder = _export_folder(svc)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"mentions-{ws.id}-{secrets.token_hex(12)}.{fmt}"
    arguments = {
        "filters": {k: list(v) for k, v in params.items()},
        "path": str(path),
        "format": fmt,
        "headers": list(headers),
        "download": True,
    }
    return jobs.enqueue(svc, ws, "export", arguments)


def downloadable(svc: Services, ws: Workspace, job_id: int) -> Path:
    """The file a finished download export job wrote (NotFoundError when there is none)."""
    found = jobs.job(svc, ws, job_id)
    if found.kind != "export" or not found.arguments.get("download") or found.status != "done":
        raise NotFoundError(f"job {job_id} has no file to download")
    path = Path(str(found.arguments.get("path"))).resolve()
    if path.parent != _export_folder(svc) or not path.is_file():
        raise NotFoundError(f"the file of job {job_id} is gone")
    return path


XLSX_SHEET_ROWS = 1_000_000  # a spreadsheet sheet holds 1,048,576 rows; the rest go on


def export_file(
    svc: Services,
    ws: Workspace,
    filters: Filters,
    path: Path,
    fmt: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    headers: Sequence[str] | None = None,
) -> int:
    """Write every mention of a view (newest first, no row cap) to a CSV or XLSX file, a
    batch at a time with progress (done, total); the file appears whole or not at all.
    `headers` names the columns (in the reader's language; default the column codes).
    Returns how many rows were written."""
    if headers is not None and len(headers) != len(EXPORT_COLUMNS):
        raise InputError(f"an export needs {len(EXPORT_COLUMNS)} column names")
    chosen = fmt or path.suffix.lstrip(".").lower()
    if chosen not in EXPORT_FORMATS:
        raise InputError(f"cannot export to {path.name!r}: name a .csv or .xlsx file, or --format")
    total = count(svc, ws, filters)
    partial = path.with_name(f".{path.name}.partial")
    records = (_flat(r) for r in walk(svc, ws, filters))
    try:
        write = _write_csv if chosen == "csv" else _write_xlsx
        done = write(partial, records, total, progress, list(headers or EXPORT_COLUMNS))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return done


def _write_csv(
    path: Path,
    rows: Iterable[dict[str, Any]],
    total: int,
    progress: Callable[[int, int], None] | None,
    headers: list[str],
) -> int:
    done = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for done, row in enumerate(rows, 1):
            writer.writerow([_cell(row.get(c)) for c in EXPORT_COLUMNS])
            if progress is not None and done % 5000 == 0:
                progress(done, max(total, done))
    if progress is not None:
        progress(done, done)
    return done


def _write_xlsx(
    path: Path,
    rows: Iterable[dict[str, Any]],
    total: int,
    progress: Callable[[int, int], None] | None,
    headers: list[str],
) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = None
    done = 0
    for done, row in enumerate(rows, 1):
        if (done - 1) % XLSX_SHEET_ROWS == 0:
            number = (done - 1) // XLSX_SHEET_ROWS + 1
            sheet = book.create_sheet("mentions" if number == 1 else f"mentions {number}")
            sheet.append(headers)
        assert sheet is not None
        sheet.append([_cell(row.get(c)) for c in EXPORT_COLUMNS])
        if progress is not None and done % 5000 == 0:
            progress(done, max(total, done))
    if sheet is None:
        book.create_sheet("mentions").append(headers)
    book.save(path)
    if progress is not None:
        progress(done, done)
    return done


def _cell(value: Any) -> Any:
    # A leading =, +, - or @ would make a spreadsheet evaluate user text as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
