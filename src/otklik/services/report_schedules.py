"""The workspace's scheduled report e-mails: add, list, change, pause, resume and remove them.

A report schedule is a `report` schedule of the job queue (see report_mail for what it sends).
Pausing keeps it but enqueues nothing and cancels a queued send; resuming starts again from
the next moment the rule names, so the sends missed while paused are not made up in a burst.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from otklik import mail
from otklik.domain.records import Workspace
from otklik.errors import InputError, NotFoundError
from otklik.i18n import LANGUAGES
from otklik.jobs.schedules import Rule, next_run
from otklik.services import campaigns, catalog, reports
from otklik.services.context import Services
from otklik.storage import jobqueue, utcnow
from otklik.storage.jobqueue import Job, Schedule

EVERY = ("week", "month")
KIND = "report"  # the job kind the worker runs
MAX_RECIPIENTS = 50


@dataclass(frozen=True)
class ReportSchedule:
    """A report e-mailed every week or month, where it stands and how its last send went.
    Times are naive UTC; `next_send_at` is None while paused."""

    id: int
    kind: str
    campaign: str | None
    brand: str | None
    every: str
    to: tuple[str, ...]
    at_time: str
    timezone: str
    language: str
    is_paused: bool
    next_send_at: datetime | None
    last_sent_at: datetime | None
    last_outcome: str | None  # sent | failed
    last_error: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON values: times in UTC with a `Z`, and the next send also in the zone's time."""
        local = None
        if self.next_send_at is not None:
            moment = self.next_send_at.replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone))
            local = moment.isoformat(timespec="minutes")
        return {
            "id": self.id,
            "kind": self.kind,
            "campaign": self.campaign,
            "brand": self.brand,
            "every": self.every,
            "to": list(self.to),
            "at": self.at_time,
            "timezone": self.timezone,
            "language": self.language,
            "status": "paused" if self.is_paused else "active",
            "next_send_at": _utc(self.next_send_at),
            "next_send_local": local,
            "last_sent_at": _utc(self.last_sent_at),
            "last_outcome": self.last_outcome,
            "last_error": self.last_error,
        }


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds") + "Z"


def add(
    svc: Services,
    ws: Workspace,
    kind: str,
    every: str,
    to: Sequence[str],
    *,
    campaign: str | None = None,
    brand: str | None = None,
    language: str = "en",
    at_time: str = "09:00",
    now: datetime | None = None,
) -> ReportSchedule:
    """Schedule a report: weekly on Mondays, monthly on the 1st, at `at_time` in the
    workspace's zone (InputError naming the field that is wrong)."""
    arguments = _arguments(svc, ws, kind, every, to, campaign, brand, language)
    rule = _rule(every, at_time, ws.timezone)
    moment = now or utcnow()
    with jobqueue.write_transaction(svc.store.engine) as conn:
        name = _unique_label(conn, ws.id, arguments, rule, None)
        found = jobqueue.add_schedule(
            conn,
            ws.id,
            name,
            KIND,
            arguments,
            every_minutes=None,
            at_time=rule.at_time,
            weekday=rule.weekday,
            monthday=rule.monthday,
            timezone=rule.timezone,
            next_run_at=next_run(rule, moment),
            now=moment,
        )
    return get(svc, ws, found.id)


def schedules(svc: Services, ws: Workspace) -> list[ReportSchedule]:
    """The workspace's report schedules, oldest first."""
    with svc.store.connect() as conn:
        stored = [s for s in jobqueue.list_schedules(conn, ws.id) if s.kind == KIND]
        made = jobqueue.scheduled_jobs(conn, ws.id, KIND)
    return [_entity(s, made.get(s.id, [])) for s in sorted(stored, key=lambda s: s.id)]


def get(svc: Services, ws: Workspace, schedule_id: int) -> ReportSchedule:
    """One report schedule (NotFoundError for an id the workspace has no report schedule of)."""
    with svc.store.connect() as conn:
        found = _stored(conn, ws, schedule_id)
        made = jobqueue.scheduled_jobs(conn, ws.id, KIND).get(found.id, [])
    return _entity(found, made)


def pause(svc: Services, ws: Workspace, schedule_id: int) -> ReportSchedule:
    """Stop sending until resumed; a send already queued is cancelled."""
    with jobqueue.write_transaction(svc.store.engine) as conn:
        _stored(conn, ws, schedule_id)
        jobqueue.update_schedule(conn, ws.id, schedule_id, {"is_enabled": False})
        jobqueue.cancel_scheduled(conn, ws.id, schedule_id, utcnow())
    return get(svc, ws, schedule_id)


def resume(
    svc: Services, ws: Workspace, schedule_id: int, now: datetime | None = None
) -> ReportSchedule:
    """Send again from the rule's next moment after `now`; missed sends are not made up."""
    with jobqueue.write_transaction(svc.store.engine) as conn:
        found = _stored(conn, ws, schedule_id)
        if not found.is_enabled:
            upcoming = next_run(_rule_of(found), now or utcnow())
            values = {"is_enabled": True, "next_run_at": upcoming}
            jobqueue.update_schedule(conn, ws.id, schedule_id, values)
    return get(svc, ws, schedule_id)


def change(
    svc: Services,
    ws: Workspace,
    schedule_id: int,
    *,
    to: Sequence[str] | None = None,
    at_time: str | None = None,
    every: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> ReportSchedule:
    """Change the recipients, time, week/month or language; a new time or `every` moves the
    next send to the new rule's next moment."""
    with jobqueue.write_transaction(svc.store.engine) as conn:
        found = _stored(conn, ws, schedule_id)
        old = found.arguments
        arguments = _arguments(
            svc,
            ws,
            old["kind"],
            every or old["every"],
            old["to"] if to is None else to,
            old.get("name"),
            old.get("brand"),
            language or old.get("language") or "en",
            known=False,
        )
        rule = _rule(arguments["every"], at_time or found.at_time or "09:00", found.timezone)
        values: dict[str, Any] = {
            "arguments": arguments,
            "name": _unique_label(conn, ws.id, arguments, rule, found.id),
            "at_time": rule.at_time,
            "weekday": rule.weekday,
            "monthday": rule.monthday,
        }
        if rule != _rule_of(found) and found.is_enabled:
            values["next_run_at"] = next_run(rule, now or utcnow())
        jobqueue.update_schedule(conn, ws.id, schedule_id, values)
    return get(svc, ws, schedule_id)


def remove(svc: Services, ws: Workspace, schedule_id: int) -> None:
    """Delete a report schedule; a send already queued is cancelled."""
    with jobqueue.write_transaction(svc.store.engine) as conn:
        _stored(conn, ws, schedule_id)
        jobqueue.cancel_scheduled(conn, ws.id, schedule_id, utcnow())
        jobqueue.delete_schedule(conn, ws.id, schedule_id)


def parse_recipients(text: str) -> list[str]:
    """Addresses from text a person typed: one a line, or separated by commas or spaces."""
    return [p for p in re.split(r"[\s,;]+", text) if p]


def _stored(conn: Any, ws: Workspace, schedule_id: int) -> Schedule:
    try:
        found = jobqueue.get_schedule(conn, ws.id, schedule_id)
    except NotFoundError:
        found = None
    if found is None or found.kind != KIND:
        raise NotFoundError(
            f"no report schedule with id {schedule_id}; `otklik report-schedule list` shows them"
        )
    return found


def _arguments(
    svc: Services,
    ws: Workspace,
    kind: str,
    every: str,
    to: Sequence[str],
    campaign: str | None,
    brand: str | None,
    language: str,
    *,
    known: bool = True,
) -> dict[str, Any]:
    """Checked job arguments; `known=False` skips checking that the campaign and brand exist
    (a change keeps what the schedule already names)."""
    if kind not in reports.KINDS:
        raise InputError(
            f"kind: {kind!r} is not a report; choose from {', '.join(reports.KINDS)}", field="kind"
        )
    if every not in EVERY:
        raise InputError(f"every: week or month, not {every!r}", field="every")
    if language not in LANGUAGES:
        raise InputError(f"language: ru, kk or en, not {language!r}", field="language")
    campaign = (campaign or "").strip() or None
    brand = (brand or "").strip() or None
    if kind == "campaign" and campaign is None:
        raise InputError("campaign: a campaign report needs the campaign's name", field="campaign")
    if kind != "campaign":
        campaign = None
    if known and campaign is not None:
        try:
            campaigns.campaign(svc, ws, campaign)
        except NotFoundError as exc:
            raise InputError(f"campaign: no campaign {campaign!r}", field="campaign") from exc
    if known and brand is not None:
        if brand not in {b.name for b in catalog.brands(svc, ws)}:
            raise InputError(f"brand: no brand {brand!r}", field="brand")
    return {
        "kind": kind,
        "every": every,
        "to": _recipients(to),
        "name": campaign,
        "brand": brand,
        "language": language,
    }


def _recipients(to: Sequence[str]) -> list[str]:
    found: list[str] = []
    for raw in to:
        address = raw.strip()
        if not mail.is_address(address):
            raise InputError(f"to: {address!r} is not an e-mail address", field="to")
        if address.lower() not in {a.lower() for a in found}:
            found.append(address)
    if not found:
        raise InputError("to: give at least one e-mail address", field="to")
    if len(found) > MAX_RECIPIENTS:
        raise InputError(f"to: at most {MAX_RECIPIENTS} addresses", field="to")
    return found


def _rule(every: str, at_time: str, timezone: str) -> Rule:
    """Weekly on Mondays, monthly on the 1st."""
    rule = Rule(
        at_time=at_time.strip(),
        weekday=0 if every == "week" else None,
        monthday=1 if every == "month" else None,
        timezone=timezone,
    )
    try:
        rule.check()
    except InputError as exc:
        raise InputError(f"at: {exc}", field="at") from exc
    return rule


def _rule_of(found: Schedule) -> Rule:
    return Rule(
        at_time=found.at_time,
        weekday=found.weekday,
        monthday=found.monthday,
        timezone=found.timezone,
    )


def _unique_label(
    conn: Any, ws_id: int, arguments: dict[str, Any], rule: Rule, own_id: int | None
) -> str:
    """The schedule's name (unique in the workspace): a second identical schedule is refused."""
    what = " ".join(p for p in (arguments["kind"], arguments["name"], arguments["brand"]) if p)
    label = f"report {what} every {arguments['every']} at {rule.at_time} to "
    label += ", ".join(arguments["to"])
    if len(label) > 200:
        digest = hashlib.sha1(json.dumps(arguments, sort_keys=True).encode()).hexdigest()[:10]
        label = f"{label[:188]}… {digest}"
    for other in jobqueue.list_schedules(conn, ws_id):
        if other.name == label and other.id != own_id:
            raise InputError(f"this report is already scheduled: schedule {other.id}")
    return label


def _entity(found: Schedule, made: list[Job]) -> ReportSchedule:
    a = found.arguments
    last = next((j for j in made if j.status in ("done", "failed")), None)
    return ReportSchedule(
        id=found.id,
        kind=a["kind"],
        campaign=a.get("name"),
        brand=a.get("brand"),
        every=a["every"],
        to=tuple(a["to"]),
        at_time=found.at_time or "",
        timezone=found.timezone,
        language=a.get("language") or "en",
        is_paused=not found.is_enabled,
        next_send_at=found.next_run_at if found.is_enabled else None,
        last_sent_at=None if last is None else last.finished_at,
        last_outcome=None if last is None else ("sent" if last.status == "done" else "failed"),
        last_error=None if last is None else last.error,
    )
