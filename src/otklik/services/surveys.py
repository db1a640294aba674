"""Surveys as use cases: create from a template, import and export the JSON document, close,
reopen and delete, take a response (a mention through intake, a case when it needs a
follow-up), review-link clicks, the per-address limit, reports with NPS/CSAT/CES and their
intervals, response exports."""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.records import Workspace
from otklik.domain.surveys import InvitationRecord, ResponseRecord, SurveyRecord
from otklik.errors import InputError, NotFoundError
from otklik.i18n import language_or_default, translator
from otklik.ingest.intake import IntakeOptions, take
from otklik.ingest.raw import RawItem
from otklik.services import alerts
from otklik.services.context import Services
from otklik.storage import surveys as rows
from otklik.storage import utcnow
from otklik.surveys import answers as checking
from otklik.surveys import scores
from otklik.surveys.document import LANGUAGES, Survey, parse, text_in
from otklik.surveys.templates import TEMPLATES, template

__all__ = [
    "TEMPLATES",
    "AnswersRejected",
    "Deletion",
    "HasResponses",
    "Outcome",
    "Survey",
    "SurveyClosed",
    "SurveyRecord",
    "add_from_template",
    "close",
    "delete",
    "export_document",
    "import_document",
    "list_surveys",
    "reopen",
    "respond",
]

VIA = ("link", "widget", "invitation", "api")


class AnswersRejected(InputError):
    """Answers that do not fit the survey; `problems` says which question and why."""

    def __init__(self, problems: Sequence[checking.Problem]) -> None:
        first = problems[0]
        super().__init__(
            "; ".join(f"question {p.question!r}: {p.message}" for p in problems)
            or f"question {first.question!r}: {first.message}"
        )
        self.problems = list(problems)
        self.question = first.question


class TooManyAnswers(InputError):
    """An address sent more answers than the hourly limit allows."""


class SurveyClosed(InputError):
    """Answers sent to a survey that was closed."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the survey {name!r} is closed and takes no answers; reopen it first")
        self.name = name


@dataclass(frozen=True)
class Deletion:
    """What deleting a survey removes (or removed): its responses, the mentions they made,
    its invitations."""

    name: str
    responses: int
    mentions: int
    invitations: int


class HasResponses(InputError):
    """A survey with responses, deleted without saying that they go too."""

    def __init__(self, found: Deletion) -> None:
        super().__init__(
            f"the survey {found.name!r} has responses ({found.responses}) and mentions made "
            f"by them ({found.mentions}); nothing was deleted. Delete them with it explicitly "
            "(--with-responses, with_responses=true) or close the survey to keep them"
        )
        self.found = found


@dataclass
class Outcome:
    """What taking a response did."""

    response_id: int
    mention_id: int
    is_case: bool
    is_promoter: bool
    review_links: list[dict[str, str]] = field(default_factory=list)


# Documents


def survey_of(record: SurveyRecord) -> Survey:
    """The parsed document of a stored survey."""
    return parse({**record.document, "name": record.name, "slug": record.slug})


def get(svc: Services, ws: Workspace, key: str | int) -> SurveyRecord:
    """A survey by id or name."""
    with svc.store.connect() as conn:
        return rows.get_survey(conn, ws.id, key)


def lookup(svc: Services, ws: Workspace, key: str) -> SurveyRecord:
    """A survey by name, or by id when `key` is a number and no survey has it as a name."""
    try:
        return get(svc, ws, key)
    except NotFoundError:
        if key.isdigit():
            return get(svc, ws, int(key))
        raise


def list_surveys(svc: Services, ws: Workspace) -> list[SurveyRecord]:
    """The workspace's surveys."""
    with svc.store.connect() as conn:
        return rows.list_surveys(conn, ws.id)


def url_of(svc: Services, record: SurveyRecord, seen_at: str | None = None) -> str:
    """The public link: under OTKLIK_PUBLIC_URL, else where a page was asked for
    (`seen_at`), else http://HOST:PORT."""
    return f"{base_of(svc, seen_at)}/s/{record.slug}"


def base_of(svc: Services, seen_at: str | None = None) -> str:
    """The server's address for links (see `url_of`)."""
    if svc.settings.public_url or not seen_at:
        return svc.settings.base_url
    return seen_at.rstrip("/")


def summary(svc: Services, record: SurveyRecord, seen_at: str | None = None) -> dict[str, Any]:
    """id, name, slug, url, state (open or closed) and closed_at: what `surveys list` shows."""
    return {
        "id": record.id,
        "name": record.name,
        "slug": record.slug,
        "url": url_of(svc, record, seen_at),
        "state": "closed" if record.is_closed else "open",
        "closed_at": _utc_text(record.closed_at),
    }


def _utc_text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds") + "Z"


# Closing, reopening, deleting


def close(svc: Services, ws: Workspace, key: str, now: datetime | None = None) -> SurveyRecord:
    """Stop taking answers: the link and widget say the survey is closed, the API refuses
    answers and due invitations wait (nothing is deleted). Closing a closed survey keeps
    the moment it was first closed."""
    record = lookup(svc, ws, key)
    with svc.store.begin() as conn:
        return rows.set_closed(conn, ws.id, record.id, now or utcnow())


def reopen(svc: Services, ws: Workspace, key: str) -> SurveyRecord:
    """Take answers again; invitations that fell due meanwhile go with the worker's next run."""
    record = lookup(svc, ws, key)
    with svc.store.begin() as conn:
        return rows.set_closed(conn, ws.id, record.id, None)


def delete(svc: Services, ws: Workspace, key: str, *, with_responses: bool = False) -> Deletion:
    """Delete a survey with its invitations and review-link clicks. One with responses only
    `with_responses` (HasResponses, with the counts, otherwise): then its responses and the
    mentions they made (their cases and notes, their share of the counts) go too, and
    campaigns that link it forget its name. The counts of what went."""
    record = lookup(svc, ws, key)
    with svc.store.begin() as conn:
        mentions = rows.response_mentions(conn, ws.id, record)
        found = Deletion(
            record.name,
            rows.count_responses(conn, record.id),
            len(mentions),
            len(rows.invitations(conn, record.id)),
        )
        if found.responses and not with_responses:
            raise HasResponses(found)
        rows.delete_survey(conn, ws.id, record, mentions)
    return found


def add_from_template(
    svc: Services, ws: Workspace, name: str, kind: str, languages: Sequence[str] | None = None
) -> SurveyRecord:
    """A new survey from one of the shipped templates."""
    chosen = list(languages or LANGUAGES)
    bad = [lang for lang in chosen if lang not in LANGUAGES]
    if bad:
        raise InputError(f"languages: {bad} are not among ru, kk, en")
    return save(svc, ws, template(kind, name, chosen))


def save(
    svc: Services, ws: Workspace, document: Mapping[str, Any], survey_id: int | None = None
) -> SurveyRecord:
    """Store a survey document, new or (with `survey_id`) replacing one; SurveyError naming
    every bad place otherwise."""
    found = parse(document)
    now = utcnow()
    with svc.store.begin() as conn:
        if survey_id is not None:
            current = rows.get_survey(conn, ws.id, survey_id)
            slug = found.slug or current.slug
            body = _stored(found)
            return rows.update_survey(conn, ws.id, survey_id, found.name, slug, body, now)
        slug = found.slug or _free_slug(conn, found.name)
    source_id = svc.store.source_id(ws, f"survey: {found.name}", "survey", {"slug": slug})
    with svc.store.begin() as conn:
        return rows.add_survey(conn, ws.id, found.name, slug, _stored(found), source_id, now)


def _stored(found: Survey) -> dict[str, Any]:
    body = found.to_dict()
    body.pop("name", None)
    body.pop("slug", None)
    return body


def _free_slug(conn: Any, name: str) -> str:
    base = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", base).strip("-")[:40] or "survey"
    for attempt in range(20):
        slug = base if attempt == 0 and len(base) >= 3 else f"{base}-{secrets.token_hex(3)}"
        if not rows.slug_exists(conn, slug):
            return slug
    raise InputError("could not find a free link for the survey; give it a slug")


def export_document(svc: Services, ws: Workspace, key: str) -> dict[str, Any]:
    """The survey's JSON document (what `import` reads back)."""
    return survey_of(lookup(svc, ws, key)).to_dict()


def import_document(svc: Services, ws: Workspace, document: Any) -> tuple[SurveyRecord, bool]:
    """Store a document: replaces the survey of the same name, else adds one. (record, is_new)"""
    found = parse(document)
    with svc.store.connect() as conn:
        try:
            current: SurveyRecord | None = rows.get_survey(conn, ws.id, found.name)
        except NotFoundError:
            current = None
    if current is None:
        return save(svc, ws, document), True
    return save(svc, ws, document, current.id), False


def read_document(text: str) -> Any:
    """A JSON document from text, with the line and column of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc


# Responses


def public(svc: Services, slug: str) -> tuple[SurveyRecord, Survey, Workspace]:
    """The survey behind a public link, and its workspace (NotFoundError otherwise)."""
    with svc.store.connect() as conn:
        record = rows.by_slug(conn, slug)
    if record is None:
        raise NotFoundError(f"no survey at /s/{slug}")
    ws = next((w for w in svc.store.workspaces() if w.id == record.workspace_id), None)
    if ws is None:
        raise NotFoundError(f"no survey at /s/{slug}")
    return record, survey_of(record), ws


def allow(svc: Services, key: str, now: datetime | None = None) -> bool:
    """Count one try for `key` (an address) and say whether it is within the hourly limit."""
    moment = now or utcnow()
    hour = moment - timedelta(hours=1)
    with svc.store.begin() as conn:
        used = rows.count_hits(conn, key, hour)
        if used >= svc.settings.survey_rate_limit:
            return False
        rows.add_hit(conn, key, moment, moment - timedelta(days=1))
    return True


def check(survey: Survey, given: Mapping[str, Any], *, strict: bool = False) -> checking.Checked:
    """Answers typed and checked against the survey (problems per question)."""
    return checking.check(survey, given, strict=strict)


def respond(
    svc: Services,
    ws: Workspace,
    record: SurveyRecord,
    given: Mapping[str, Any],
    language: str,
    via: str,
    *,
    contact: Mapping[str, Any] | None = None,
    invitation: InvitationRecord | None = None,
    strict: bool = False,
    at: datetime | None = None,
) -> Outcome:
    """Take one response: checked answers become a mention (channel survey) through intake,
    the answers are kept with it, and a detractor, a CSAT of 1–2 or a negative open answer
    opens a case. AnswersRejected names the question that is wrong; SurveyClosed refuses a
    closed survey's. `at` (naive UTC) dates a response given earlier, as the demo's are."""
    survey = survey_of(record)
    checked = checking.check(survey, given, strict=strict)
    if not checked.is_valid:
        raise AnswersRejected(checked.problems)
    language = language if language in survey.languages else survey.languages[0]
    person = dict(contact or {})
    if invitation is not None:
        person = {"email": invitation.email, "name": invitation.name, **invitation.fields, **person}
    now = at or utcnow()
    found = checking.scores(survey, checked.answers)
    with svc.store.begin() as conn:
        if not rows.is_open(conn, record.id):
            raise SurveyClosed(record.name)
        if invitation is not None and not rows.claim_answer(conn, invitation.id, now):
            raise InputError("this personal link has already been used")
        response_id = rows.add_response(
            conn,
            ws.id,
            {
                "survey_id": record.id,
                "invitation_id": invitation.id if invitation else None,
                "language": language,
                "answers": checked.answers,
                "contact": person,
                "via": via,
                "created_at": now,
                **found,
            },
        )
    mention_id = _store_mention(
        svc, ws, record, survey, checked.answers, language, person, response_id, now
    )
    mention = svc.store.mention(ws, mention_id)
    is_case = checking.needs_follow_up(survey, checked.answers, mention.analysis.sentiment)
    with svc.store.begin() as conn:
        rows.set_response(conn, response_id, mention_id=mention_id, is_case=is_case)
    if is_case:
        _open_case(svc, ws, survey, mention_id, checked.answers, language, person)
    promoter = checking.is_promoter(survey, checked.answers)
    links = [{"site": r.site, "url": r.url} for r in survey.review_links] if promoter else []
    return Outcome(response_id, mention_id, is_case, promoter, links)


def _store_mention(
    svc: Services,
    ws: Workspace,
    record: SurveyRecord,
    survey: Survey,
    answers: Mapping[str, Any],
    language: str,
    person: Mapping[str, Any],
    response_id: int,
    now: datetime,
) -> int:
    source_id = record.source_id or svc.store.source_id(ws, f"survey: {record.name}", "survey")
    external_id = f"survey-response-{response_id}"
    data: dict[str, Any] = {
        "text": checking.mention_text(survey, answers, language),
        "title": f"{record.name} #{response_id}",
        "published_at": now.isoformat() + "Z",
        "channel": "survey",
        "rating": checking.rating(survey, answers),
        "author": person.get("name") or None,
        "author_id": person.get("email") or None,
        "location": person.get("city") or None,
    }
    payload = {
        "survey": record.name,
        "survey_id": record.id,
        "response_id": response_id,
        "language": language,
        "answers": dict(answers),
        "contact": dict(person),
    }
    item = RawItem(0, data, payload=payload, external_id=external_id, source_id=source_id)
    pipeline = svc.pipelines.for_live_source(ws)  # an answer is labelled by the best tier
    result = take(
        svc.store,
        ws,
        pipeline,
        [item],
        source_id=source_id,
        label=f"survey {record.name}",
        options=IntakeOptions(batch_size=1, identity_by_url=False),
    )
    with svc.store.connect() as conn:
        mention_id = rows.mention_for(conn, ws.id, source_id, external_id)
    if mention_id is None:
        raise InputError(f"the response could not be stored as a mention (run {result.run_id})")
    alerts.check_soon(svc, ws)  # an answer that matches an instant rule is sent at once
    return mention_id


def _open_case(
    svc: Services,
    ws: Workspace,
    survey: Survey,
    mention_id: int,
    answers: Mapping[str, Any],
    language: str,
    person: Mapping[str, Any],
) -> None:
    svc.store.update_case(ws, mention_id, status="new", assignee=survey.assignee)
    # The note is for the team: in the workspace's language, the answers as the person saw them.
    tr = translator(language_or_default(ws.language or svc.settings.language))
    lines = [f"{question} — {value}" for question, value in _lines(survey, answers, language)]
    contact = ", ".join(f"{k}: {v}" for k, v in person.items() if v not in (None, ""))
    note = tr.gettext("Survey answers") + "\n" + "\n".join(lines)
    if contact:
        note += "\n" + tr.gettext("Contact: %(contact)s", contact=contact)
    svc.store.add_note(ws, mention_id, "note", note, "otklik")


def _lines(survey: Survey, answers: Mapping[str, Any], language: str) -> list[tuple[str, str]]:
    return [
        (text_in(q.text, language, survey.languages), _shown(survey, q.id, answers[q.id], language))
        for q in survey.questions
        if q.id in answers
    ]


def answer_lines(
    svc: Services, ws: Workspace, raw: Mapping[str, Any], language: str
) -> list[tuple[str, str]]:
    """A survey mention's answers as (question, answer) in `language`, from its payload."""
    answers = raw.get("answers")
    survey_id = raw.get("survey_id")
    if not isinstance(answers, dict) or not isinstance(survey_id, int):
        return []
    try:
        survey = survey_of(get(svc, ws, survey_id))
    except NotFoundError:  # the survey was deleted: its ids are all there is
        return [(str(k), str(v)) for k, v in answers.items()]
    return _lines(survey, answers, language)


def _shown(survey: Survey, qid: str, value: Any, language: str) -> str:
    question = survey.question(qid)
    if question is None or not question.options:
        return str(value)
    names = {o.id: text_in(o.text, language, survey.languages) for o in question.options}
    chosen = value if isinstance(value, list) else [value]
    return ", ".join(names.get(str(v), str(v)) for v in chosen)


def click(svc: Services, slug: str, site: str) -> str:
    """Count a promoter's click on a review link; the address to send them to."""
    record, survey, _ws = public(svc, slug)
    link = next((r for r in survey.review_links if r.site == site), None)
    if link is None:
        raise NotFoundError(f"the survey has no review link for {site!r}")
    with svc.store.begin() as conn:
        rows.add_click(conn, record.id, site, utcnow())
    return link.url


# Reports


def responses_of(
    svc: Services,
    record: SurveyRecord,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ResponseRecord]:
    """A survey's responses, oldest first."""
    with svc.store.connect() as conn:
        return rows.responses(conn, record.id, since, until)


def _scores(found: Sequence[ResponseRecord], survey: Survey, min_answers: int) -> dict[str, Any]:
    out: dict[str, Any] = {"responses": len(found)}
    if survey.first_of("nps") is not None:
        out.update(scores.nps([r.nps for r in found if r.nps is not None], min_answers).to_dict())
    if survey.first_of("csat") is not None:
        out.update(
            scores.csat([r.csat for r in found if r.csat is not None], min_answers).to_dict()
        )
    if survey.first_of("ces") is not None:
        out.update(scores.ces([r.ces for r in found if r.ces is not None], min_answers).to_dict())
    return out


def _value(response: ResponseRecord, by: str) -> str:
    if by == "via":
        return response.via
    if by == "language":
        return response.language
    value = response.contact.get(by, response.answers.get(by))
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def report(
    svc: Services,
    ws: Workspace,
    key: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    by: Sequence[str] = (),
    period: str = "month",
    min_answers: int = scores.MIN_ANSWERS,
) -> dict[str, Any]:
    """Scores of a survey with 95% intervals, per period and per value of each `by` field
    (contact fields, a choice question's id, `via`, `language`); groups with fewer than
    `min_answers` answers carry counts and no score."""
    if period not in ("day", "week", "month"):
        raise InputError("period: day, week or month")
    record = lookup(svc, ws, key)
    survey = survey_of(record)
    found = responses_of(svc, record, since, until)
    out: dict[str, Any] = {
        "survey": record.name,
        "id": record.id,
        **_scores(found, survey, min_answers),
    }
    zone = ZoneInfo(ws.timezone)
    periods: dict[str, list[ResponseRecord]] = {}
    for r in found:
        periods.setdefault(_period(r.created_at, zone, period), []).append(r)
    out["periods"] = [
        {"period": name, **_scores(group, survey, min_answers)}
        for name, group in sorted(periods.items())
    ]
    out["breakdowns"] = {}
    for name in by:
        groups: dict[str, list[ResponseRecord]] = {}
        for r in found:
            groups.setdefault(_value(r, name), []).append(r)
        out["breakdowns"][name] = [
            {"value": value, **_scores(group, survey, min_answers)}
            for value, group in sorted(groups.items())
        ]
    with svc.store.connect() as conn:
        invited = rows.invitations(conn, record.id)
        out["review_clicks"] = rows.clicks(conn, record.id)
    sent = [i for i in invited if i.sent_at is not None]
    answered = [i for i in sent if i.answered_at is not None]
    # Sent, answered, waiting (first e-mails not sent yet) and held (due, but the survey is
    # closed): nothing planned disappears from the counts while a survey is closed.
    out["invitations_sent"] = len(sent)
    out["invitations_answered"] = len(answered)
    out["response_rate"] = round(100 * len(answered) / len(sent), 1) if sent else None
    waiting = _waiting(invited, utcnow())
    out["invitations_waiting"] = waiting["waiting"]
    out["invitations_held"] = waiting["due"] if record.is_closed else 0
    out["state"] = "closed" if record.is_closed else "open"
    out["closed_at"] = _utc_text(record.closed_at)
    out["min_answers"] = min_answers
    return out


def invitation_counts(
    svc: Services, record: SurveyRecord, now: datetime | None = None
) -> dict[str, int]:
    """waiting: first e-mails not sent yet (due or planned); due: first e-mails and reminders
    due by `now` and not sent (while the survey is closed they are held)."""
    with svc.store.connect() as conn:
        return _waiting(rows.invitations(conn, record.id), now or utcnow())


def _waiting(invited: Sequence[InvitationRecord], now: datetime) -> dict[str, int]:
    live = [i for i in invited if i.skipped is None and i.error is None]
    unsent = [i for i in live if i.sent_at is None]
    reminders = [
        i
        for i in live
        if i.sent_at is not None
        and i.remind_at is not None
        and i.reminded_at is None
        and i.answered_at is None
    ]
    due = [i for i in unsent if i.send_at <= now]
    due += [i for i in reminders if i.remind_at is not None and i.remind_at <= now]
    return {"waiting": len(unsent), "due": len(due)}


def _period(moment: datetime, zone: ZoneInfo, period: str) -> str:
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()
    if period == "day":
        return local.isoformat()
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-{local.month:02d}"


def response_table(
    svc: Services, ws: Workspace, key: str, language: str
) -> tuple[list[str], list[list[Any]]]:
    """Responses as rows with one column per question (headers: question texts)."""
    record = lookup(svc, ws, key)
    survey = survey_of(record)
    headers = ["response", "mention", "created_at", "language", "via"]
    headers += [text_in(q.text, language, survey.languages) for q in survey.questions]
    table: list[list[Any]] = []
    for r in responses_of(svc, record):
        line: list[Any] = [r.id, r.mention_id, r.created_at.isoformat() + "Z", r.language, r.via]
        for q in survey.questions:
            value = r.answers.get(q.id)
            if value is not None and q.options:
                value = _shown(survey, q.id, value, language)
            line.append("" if value is None else value)
        table.append(line)
    return headers, table


def response_file(svc: Services, ws: Workspace, key: str, language: str, fmt: str) -> bytes:
    """Responses as CSV (UTF-8 with a BOM) or XLSX bytes, one column per question."""
    import csv
    import io

    headers, table = response_table(svc, ws, key, language)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows([[_cell(v) for v in line] for line in table])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("responses")
        sheet.append(headers)
        for line in table:
            sheet.append([_cell(v) for v in line])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    raise InputError(f"responses export formats: csv, xlsx (not {fmt!r})")


def _cell(value: Any) -> Any:
    # A leading =, +, - or @ would make a spreadsheet evaluate a respondent's text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
