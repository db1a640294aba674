"""Survey invitations by e-mail: contacts or orders from CSV/XLSX, a send time N days after a
date column (per product category if asked), one reminder, a personal link that takes one
answer, a working unsubscribe link, and nobody asked twice within a quiet period. The worker
sends what is due (`send_invitations` jobs, queued by a schedule)."""

from __future__ import annotations

import csv
import html
import re
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from otklik import mail
from otklik.domain.records import Workspace
from otklik.domain.surveys import InvitationRecord
from otklik.errors import InputError, NotFoundError
from otklik.i18n import translator
from otklik.ingest.files import open_rows
from otklik.ingest.mapping import normalise_header
from otklik.ingest.values import ValueProblem, parse_datetime
from otklik.services.context import Services
from otklik.services.surveys import lookup, public, survey_of, url_of
from otklik.storage import jobqueue, utcnow
from otklik.storage import surveys as rows
from otklik.surveys.document import LANGUAGES, text_in

SCHEDULE_NAME = "survey invitations"
JOB_KIND = "send_invitations"
SEND_HOUR = time(10, 0)  # a date without a time is sent at 10:00 in the workspace's zone
_ALIASES = {
    "email": ("email", "e_mail", "почта", "эл_почта", "электронная_почта", "эл_пошта", "mail"),
    "name": ("name", "имя", "фио", "аты", "аты_жөні", "customer", "клиент"),
    "language": ("language", "lang", "язык", "тіл"),
    "category": ("category", "product_category", "категория", "санат", "product_type"),
}
_DATES = ("delivery_date", "delivered_at", "delivered", "order_date", "date", "дата", "күні")


@dataclass(frozen=True)
class BadRow:
    """A contact row that was not invited: row number, field, why, and the row as read."""

    row: int
    field: str | None
    reason: str
    raw: str


@dataclass
class Invited:
    """What an upload did."""

    created: int = 0
    recent: int = 0  # asked within the quiet period: not asked again
    unsubscribed: int = 0
    rejected: list[BadRow] = field(default_factory=list)
    first_send_at: datetime | None = None
    report: Path | None = None


@dataclass(frozen=True)
class Timing:
    """When to send: `after_days` after the date column (per-category overrides), one
    reminder `remind_days` later, nobody asked twice within `quiet_days`."""

    after_days: int = 3
    date_column: str | None = None
    category_days: Mapping[str, int] = field(default_factory=dict)
    remind_days: int | None = 3
    quiet_days: int = 90


def invite(
    svc: Services,
    ws: Workspace,
    key: str,
    path: Path,
    timing: Timing | None = None,
    *,
    report: Path | None = None,
    now: datetime | None = None,
) -> Invited:
    """Read contacts or orders and store one invitation per good row; bad rows are reported
    (row, field, reason, the row as read) in `report` (default: FILE.rejected.csv)."""
    timing = timing or Timing()
    if timing.after_days < 0 or any(v < 0 for v in timing.category_days.values()):
        raise InputError("days after the date must be 0 or more")
    record = lookup(svc, ws, key)
    survey = survey_of(record)
    moment = now or utcnow()
    zone = ZoneInfo(ws.timezone)
    opened = open_rows(path)
    result = Invited()
    planned: list[dict[str, Any]] = []
    try:
        columns = {normalise_header(c): c for c in opened.info.columns}
        chosen = _columns(columns, timing.date_column)
        seen: set[str] = set()
        for row in opened.rows:
            try:
                planned.append(_plan(row.data, chosen, timing, survey.languages, zone, moment))
            except _Rejected as exc:
                result.rejected.append(BadRow(row.number, exc.field, exc.reason, row.raw))
                continue
            email = planned[-1]["email"]
            if email in seen:
                planned.pop()
                result.rejected.append(
                    BadRow(row.number, chosen["email"], "the same address twice", row.raw)
                )
            seen.add(email)
    finally:
        opened.close()
    emails = [p["email"] for p in planned]
    with svc.store.begin() as conn:
        out = rows.opted_out(conn, ws.id, emails)
        recent = rows.contacted_since(
            conn, ws.id, emails, moment - timedelta(days=timing.quiet_days)
        )
        keep = []
        for item in planned:
            if item["email"] in out:
                result.unsubscribed += 1
            elif item["email"] in recent:
                result.recent += 1
            else:
                keep.append({**item, "survey_id": record.id})
        result.created = rows.add_invitations(conn, ws.id, keep)
    if keep:
        result.first_send_at = min(i["send_at"] for i in keep)
        ensure_schedule(svc, ws)
    if result.rejected:
        result.report = report or path.with_name(path.name + ".rejected.csv")
        _write_report(result.report, result.rejected)
    return result


class _Rejected(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def _columns(columns: Mapping[str, str], date_column: str | None) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for target, aliases in _ALIASES.items():
        found = next((columns[a] for a in aliases if a in columns), None)
        if found is not None:
            chosen[target] = found
    if "email" not in chosen:
        raise InputError(f"the file has no e-mail column; its columns: {list(columns.values())}")
    if date_column is not None:
        if date_column not in columns.values():
            raise InputError(
                f"--date-column {date_column!r}: no such column; columns: {list(columns.values())}"
            )
        chosen["date"] = date_column
    else:
        found = next((columns[a] for a in _DATES if a in columns), None)
        if found is not None:
            chosen["date"] = found
    return chosen


def _plan(
    data: Mapping[str, Any],
    chosen: Mapping[str, str],
    timing: Timing,
    languages: tuple[str, ...],
    zone: ZoneInfo,
    now: datetime,
) -> dict[str, Any]:
    email = str(data.get(chosen["email"]) or "").strip().lower()
    if not mail.is_address(email):
        reason = f"not an e-mail address: {email!r}" if email else "no e-mail"
        raise _Rejected(chosen["email"], reason)
    language = str(data.get(chosen.get("language", ""), "") or "").strip().lower()[:2]
    if language and language not in LANGUAGES:
        raise _Rejected(chosen["language"], f"{language!r} is not one of ru, kk, en")
    if language not in languages:
        language = languages[0]
    category = str(data.get(chosen.get("category", ""), "") or "").strip()
    days = timing.category_days.get(category.casefold(), timing.after_days)
    base = now
    if "date" in chosen:
        value = data.get(chosen["date"])
        if value in (None, ""):
            raise _Rejected(chosen["date"], "no date")
        try:
            base = _local_morning(value, zone)
        except ValueProblem as exc:
            raise _Rejected(chosen["date"], str(exc)) from exc
    send_at = max(base + timedelta(days=days), now)
    fields = {
        normalise_header(k): (v if isinstance(v, str | int | float | bool) or v is None else str(v))
        for k, v in data.items()
        if k not in (chosen["email"], chosen.get("name"), chosen.get("language"))
    }
    if category:
        fields["category"] = category
    return {
        "token": secrets.token_urlsafe(24),
        "email": email,
        "name": str(data.get(chosen.get("name", ""), "") or "").strip() or None,
        "language": language,
        "fields": fields,
        "send_at": send_at,
        "remind_at": send_at + timedelta(days=timing.remind_days) if timing.remind_days else None,
        "created_at": now,
    }


def _local_morning(value: Any, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime) and value.time() == time(0) and value.tzinfo is None:
        value = value.date()  # a spreadsheet's date cell
    if isinstance(value, date) and not isinstance(value, datetime):
        local = datetime.combine(value, SEND_HOUR, tzinfo=zone)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    text = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text) or re.match(r"^\d{2}\.\d{2}\.\d{4}$", text):
        day = parse_datetime(text, ZoneInfo("UTC")).date()
        local = datetime.combine(day, SEND_HOUR, tzinfo=zone)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    return parse_datetime(value, zone)


def _write_report(path: Path, bad: list[BadRow]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "field", "reason", "raw"])
        for item in bad:
            writer.writerow([item.row, item.field or "", item.reason, item.raw])


def ensure_schedule(svc: Services, ws: Workspace) -> None:
    """The schedule that queues a sending job every 5 minutes (made once per workspace)."""
    from otklik.jobs.schedules import Rule, add_schedule

    with svc.store.connect() as conn:
        if any(s.name == SCHEDULE_NAME for s in jobqueue.list_schedules(conn, ws.id)):
            return
    add_schedule(svc.store, ws.id, SCHEDULE_NAME, JOB_KIND, {}, Rule(every_minutes=5))


# Sending


def send_due(
    svc: Services,
    *,
    ws: Workspace | None = None,
    now: datetime | None = None,
    limit: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Send every invitation and reminder due by `now` (of `ws`, when given). Each is marked
    sent in its own transaction before the e-mail goes, so two workers never send one twice;
    a failed send is unmarked and the error raised (the job retries). An address that
    unsubscribed meanwhile is skipped; a closed survey's invitations wait (unsent, counted
    in its report as held) until it is reopened."""
    moment = now or utcnow()
    with svc.store.connect() as conn:
        due = rows.due_invitations(conn, moment, limit, ws.id if ws is not None else None)
    counts = {"sent": 0, "reminded": 0, "skipped": 0}
    for index, item in enumerate(due):
        with svc.store.connect() as conn:
            try:
                record = rows.get_survey_by_id(conn, item.survey_id)
            except NotFoundError:  # deleted, with its invitations, since they were read
                continue
            is_out = bool(rows.opted_out(conn, record.workspace_id, [item.email]))
        if record.is_closed:  # closed since the due ones were read
            continue
        if is_out:
            with svc.store.begin() as conn:
                rows.set_invitation(conn, item.id, skipped="unsubscribed")
            counts["skipped"] += 1
            continue
        is_reminder = item.sent_at is not None
        column = "reminded_at" if is_reminder else "sent_at"
        with svc.store.begin() as conn:
            if not rows.claim_sending(conn, item.id, column, utcnow()):
                continue  # another worker took it
        subject, text, body = message(svc, record, item, is_reminder=is_reminder)
        try:
            mail.send(svc.settings, item.email, subject, text, body, item.language)
        except BaseException:
            with svc.store.begin() as conn:
                rows.set_invitation(conn, item.id, **{column: None})
            raise
        counts["reminded" if is_reminder else "sent"] += 1
        if progress is not None:
            progress(index + 1, len(due))
    return counts


def personal_url(svc: Services, record: Any, item: InvitationRecord) -> str:
    """The invitation's personal link."""
    return f"{url_of(svc, record)}?t={item.token}"


def unsubscribe_url(svc: Services, item: InvitationRecord) -> str:
    """The link that stops all invitations to this address."""
    return f"{svc.settings.base_url}/s/unsubscribe/{item.token}"


def message(
    svc: Services, record: Any, item: InvitationRecord, *, is_reminder: bool
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an invitation in the contact's language."""
    tr = translator(item.language)
    survey = survey_of(record)
    title = text_in(survey.title, item.language, survey.languages)
    link, stop = personal_url(svc, record, item), unsubscribe_url(svc, item)
    subject = tr.gettext("Reminder: %(title)s", title=title) if is_reminder else title
    greeting = tr.gettext("Hello, %(name)s!", name=item.name) if item.name else tr.gettext("Hello!")
    ask = tr.gettext("Please answer a few short questions; it takes about a minute.")
    button = tr.gettext("Answer the survey")
    once = tr.gettext("The link is personal and takes one answer.")
    leave = tr.gettext("Do not want these e-mails? Unsubscribe")
    text = f"{greeting}\n\n{ask}\n\n{button}: {link}\n\n{once}\n\n{leave}: {stop}\n"
    e = html.escape
    body = (
        f"<p>{e(greeting)}</p><p>{e(ask)}</p>"
        f'<p><a href="{e(link)}">{e(button)}</a></p><p>{e(once)}</p>'
        f'<p style="font-size:small"><a href="{e(stop)}">{e(leave)}</a></p>'
    )
    return subject, text, body


# The personal link


def by_token(svc: Services, token: str) -> InvitationRecord:
    """The invitation behind a personal or unsubscribe link (NotFoundError otherwise)."""
    with svc.store.connect() as conn:
        found = rows.invitation(conn, token) if token else None
    if found is None:
        raise NotFoundError("this personal link is not known")
    return found


def invitation_for(svc: Services, slug: str, token: str) -> InvitationRecord:
    """The invitation of a personal link to this survey."""
    record, _survey, _ws = public(svc, slug)
    found = by_token(svc, token)
    if found.survey_id != record.id:
        raise NotFoundError("this personal link is not for this survey")
    return found


def unsubscribe(svc: Services, token: str) -> InvitationRecord:
    """Stop every invitation to the link's address in its workspace."""
    found = by_token(svc, token)
    with svc.store.begin() as conn:
        record = rows.get_survey_by_id(conn, found.survey_id)
        rows.opt_out(conn, record.workspace_id, found.email, utcnow())
    return found


def list_invitations(svc: Services, ws: Workspace, key: str) -> list[InvitationRecord]:
    """A survey's invitations."""
    record = lookup(svc, ws, key)
    with svc.store.connect() as conn:
        return rows.invitations(conn, record.id)


MAX_CONTACTS_BYTES = 20_000_000


def invite_upload(
    svc: Services, ws: Workspace, key: str, filename: str, stream: IO[bytes], timing: Timing
) -> Invited:
    """`invite` for an uploaded CSV/XLSX: kept in the upload folder only while it is read; the
    rejected rows come back in the result (no report file is left)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".txt"):
        raise InputError(f"{filename}: upload a CSV or XLSX file of contacts")
    folder = svc.settings.upload_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"contacts-{secrets.token_hex(8)}{suffix}"
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        if path.stat().st_size > MAX_CONTACTS_BYTES:
            raise InputError(f"{filename}: larger than {MAX_CONTACTS_BYTES // 1_000_000} MB")
        report = path.with_name(path.name + ".rejected.csv")
        found = invite(svc, ws, key, path, timing, report=report)
        found.report = None
        report.unlink(missing_ok=True)
        return found
    finally:
        path.unlink(missing_ok=True)
