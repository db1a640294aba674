"""Survey rows: documents, responses, invitations, opt-outs, the per-address counter, clicks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.surveys import InvitationRecord, ResponseRecord, SurveyRecord
from otklik.errors import InputError, NotFoundError
from otklik.storage.campaigns import relink_survey, unlink_survey
from otklik.storage.mentions import delete_mentions
from otklik.storage.schema import (
    import_run,
    mention,
    source,
    survey,
    survey_click,
    survey_hit,
    survey_invitation,
    survey_optout,
    survey_response,
)


def _survey(row: sa.Row[Any]) -> SurveyRecord:
    return SurveyRecord(
        row.id,
        row.workspace_id,
        row.name,
        row.slug,
        dict(row.document),
        row.source_id,
        row.created_at,
        row.updated_at,
        row.closed_at,
    )


def add_survey(
    conn: Connection,
    ws_id: int,
    name: str,
    slug: str,
    document: Mapping[str, Any],
    source_id: int | None,
    now: datetime,
) -> SurveyRecord:
    """Store a new survey (InputError when the name or slug is taken)."""
    _free(conn, ws_id, name, slug, None)
    row = conn.execute(
        sa.insert(survey).returning(*survey.c),
        {
            "workspace_id": ws_id,
            "name": name,
            "slug": slug,
            "document": dict(document),
            "source_id": source_id,
            "created_at": now,
            "updated_at": now,
        },
    ).one()
    return _survey(row)


def update_survey(
    conn: Connection,
    ws_id: int,
    survey_id: int,
    name: str,
    slug: str,
    document: Mapping[str, Any],
    now: datetime,
) -> SurveyRecord:
    """Replace a survey's name, slug and document (campaigns that link it follow a new
    name)."""
    _free(conn, ws_id, name, slug, survey_id)
    before = get_survey(conn, ws_id, survey_id)
    if before.name != name:
        relink_survey(conn, ws_id, before.name, name)
    row = conn.execute(
        sa.update(survey)
        .where(survey.c.id == survey_id, survey.c.workspace_id == ws_id)
        .values(name=name, slug=slug, document=dict(document), updated_at=now)
        .returning(*survey.c)
    ).first()
    if row is None:
        raise NotFoundError(f"no survey {survey_id}")
    return _survey(row)


def _free(conn: Connection, ws_id: int, name: str, slug: str, own_id: int | None) -> None:
    taken = conn.execute(
        sa.select(survey.c.id, survey.c.name, survey.c.slug).where(
            sa.or_(
                sa.and_(survey.c.workspace_id == ws_id, survey.c.name == name),
                survey.c.slug == slug,
            )
        )
    ).all()
    for row in taken:
        if row.id == own_id:
            continue
        if row.slug == slug:
            raise InputError(f"the link /s/{slug} is taken by another survey; choose another slug")
        raise InputError(f"a survey named {name!r} already exists")


def get_survey(conn: Connection, ws_id: int, key: str | int) -> SurveyRecord:
    """A survey by id or name (NotFoundError naming it)."""
    where = survey.c.id == key if isinstance(key, int) else survey.c.name == key
    row = conn.execute(sa.select(survey).where(where, survey.c.workspace_id == ws_id)).first()
    if row is None:
        raise NotFoundError(f"no survey {key!r}; `otklik surveys list` shows them")
    return _survey(row)


def by_slug(conn: Connection, slug: str) -> SurveyRecord | None:
    """The survey behind a public link."""
    row = conn.execute(sa.select(survey).where(survey.c.slug == slug)).first()
    return _survey(row) if row is not None else None


def list_surveys(conn: Connection, ws_id: int) -> list[SurveyRecord]:
    """The workspace's surveys by name."""
    rows = conn.execute(
        sa.select(survey).where(survey.c.workspace_id == ws_id).order_by(survey.c.name)
    )
    return [_survey(r) for r in rows]


def set_closed(
    conn: Connection, ws_id: int, survey_id: int, closed_at: datetime | None
) -> SurveyRecord:
    """Close a survey at `closed_at` (a closed one keeps its first moment) or, with None,
    reopen it."""
    where = [survey.c.id == survey_id, survey.c.workspace_id == ws_id]
    if closed_at is not None:
        where.append(survey.c.closed_at.is_(None))
    conn.execute(sa.update(survey).where(*where).values(closed_at=closed_at))
    return get_survey(conn, ws_id, survey_id)


def is_open(conn: Connection, survey_id: int) -> bool:
    """Whether a survey exists and takes answers."""
    found = conn.execute(
        sa.select(survey.c.id).where(survey.c.id == survey_id, survey.c.closed_at.is_(None))
    ).first()
    return found is not None


def delete_survey(
    conn: Connection, ws_id: int, record: SurveyRecord, mention_ids: Sequence[int]
) -> int:
    """Delete a survey with its responses, invitations and clicks, the mentions in
    `mention_ids` (rollups kept in step), its name from campaigns that link it, and its
    source with its runs when nothing else uses it; how many mentions were deleted."""
    deleted = delete_mentions(conn, ws_id, mention_ids)
    for table in (survey_response, survey_invitation, survey_click):
        conn.execute(sa.delete(table).where(table.c.survey_id == record.id))
    conn.execute(sa.delete(survey).where(survey.c.id == record.id, survey.c.workspace_id == ws_id))
    unlink_survey(conn, ws_id, record.name)
    if record.source_id is not None:
        _drop_unused_source(conn, record.source_id)
    return deleted


def _drop_unused_source(conn: Connection, source_id: int) -> None:
    """Delete a survey source no mention and no survey uses, with its runs (one per
    response, which would otherwise show as imports of no source)."""
    kind = conn.execute(sa.select(source.c.kind).where(source.c.id == source_id)).scalar()
    uses = [
        sa.select(mention.c.id).where(mention.c.source_id == source_id).limit(1),
        sa.select(survey.c.id).where(survey.c.source_id == source_id).limit(1),
    ]
    if kind != "survey" or any(conn.execute(q).first() is not None for q in uses):
        return
    conn.execute(sa.delete(import_run).where(import_run.c.source_id == source_id))
    conn.execute(sa.delete(source).where(source.c.id == source_id))


def slug_exists(conn: Connection, slug: str) -> bool:
    """Whether a public link is taken."""
    return conn.execute(sa.select(survey.c.id).where(survey.c.slug == slug)).first() is not None


# Responses


def _response(row: sa.Row[Any]) -> ResponseRecord:
    return ResponseRecord(
        row.id,
        row.survey_id,
        row.mention_id,
        row.invitation_id,
        row.language,
        dict(row.answers),
        dict(row.contact),
        row.via,
        row.nps,
        row.csat,
        row.ces,
        bool(row.is_case),
        row.created_at,
    )


def add_response(conn: Connection, ws_id: int, values: Mapping[str, Any]) -> int:
    """Store a response; its id."""
    return int(
        conn.execute(
            sa.insert(survey_response).returning(survey_response.c.id),
            {"workspace_id": ws_id, **values},
        ).scalar_one()
    )


def set_response(conn: Connection, response_id: int, **values: Any) -> None:
    """Change a stored response's mention or case flag."""
    conn.execute(
        sa.update(survey_response).where(survey_response.c.id == response_id).values(**values)
    )


def responses(
    conn: Connection,
    survey_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[ResponseRecord]:
    """A survey's responses, oldest first, optionally within [since, until)."""
    query = sa.select(survey_response).where(survey_response.c.survey_id == survey_id)
    if since is not None:
        query = query.where(survey_response.c.created_at >= since)
    if until is not None:
        query = query.where(survey_response.c.created_at < until)
    rows = conn.execute(query.order_by(survey_response.c.created_at, survey_response.c.id))
    return [_response(r) for r in rows]


def count_responses(conn: Connection, survey_id: int) -> int:
    """How many responses a survey has."""
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(survey_response)
            .where(survey_response.c.survey_id == survey_id)
        ).scalar_one()
    )


def response_mentions(conn: Connection, ws_id: int, record: SurveyRecord) -> list[int]:
    """The mentions a survey's responses made: those the responses name, and those stored
    under a response's external id whose link to it was never written (an interrupted
    answer)."""
    found: set[int] = set()
    unlinked: list[str] = []
    rows = conn.execute(
        sa.select(survey_response.c.id, survey_response.c.mention_id).where(
            survey_response.c.survey_id == record.id
        )
    )
    for response_id, mention_id in rows:
        if mention_id is not None:
            found.add(int(mention_id))
        else:
            unlinked.append(f"survey-response-{response_id}")
    if unlinked and record.source_id is not None:
        for start in range(0, len(unlinked), 1000):
            found.update(
                int(r[0])
                for r in conn.execute(
                    sa.select(mention.c.id).where(
                        mention.c.workspace_id == ws_id,
                        mention.c.source_id == record.source_id,
                        mention.c.external_id.in_(unlinked[start : start + 1000]),
                    )
                )
            )
    return sorted(found)


def answers_of(conn: Connection, mention_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The structured answers stored with each of these mentions."""
    if not mention_ids:
        return {}
    rows = conn.execute(
        sa.select(survey_response.c.mention_id, survey_response.c.answers).where(
            survey_response.c.mention_id.in_(list(mention_ids))
        )
    )
    return {int(r.mention_id): dict(r.answers) for r in rows}


# The public form's per-address counter and review-link clicks


def count_hits(conn: Connection, key: str, since: datetime) -> int:
    """How many times `key` was counted since `since`."""
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(survey_hit)
            .where(survey_hit.c.key == key, survey_hit.c.at >= since)
        ).scalar_one()
    )


def add_hit(conn: Connection, key: str, now: datetime, forget_before: datetime) -> None:
    """Count one more for `key`; rows older than `forget_before` are dropped."""
    conn.execute(sa.delete(survey_hit).where(survey_hit.c.at < forget_before))
    conn.execute(sa.insert(survey_hit), {"key": key, "at": now})


def add_click(conn: Connection, survey_id: int, site: str, now: datetime) -> None:
    """Count a click on a review link."""
    conn.execute(sa.insert(survey_click), {"survey_id": survey_id, "site": site, "clicked_at": now})


def clicks(conn: Connection, survey_id: int) -> dict[str, int]:
    """Clicks per review site."""
    rows = conn.execute(
        sa.select(survey_click.c.site, sa.func.count())
        .where(survey_click.c.survey_id == survey_id)
        .group_by(survey_click.c.site)
    )
    return {str(site): int(n) for site, n in rows}


# Invitations and opt-outs


def _invitation(row: sa.Row[Any]) -> InvitationRecord:
    return InvitationRecord(
        row.id,
        row.survey_id,
        row.token,
        row.email,
        row.name,
        row.language,
        dict(row.fields),
        row.send_at,
        row.sent_at,
        row.remind_at,
        row.reminded_at,
        row.answered_at,
        row.skipped,
        row.error,
    )


def add_invitations(conn: Connection, ws_id: int, rows: Sequence[Mapping[str, Any]]) -> int:
    """Store invitations; how many."""
    if rows:
        conn.execute(sa.insert(survey_invitation), [{"workspace_id": ws_id, **r} for r in rows])
    return len(rows)


def invitation(conn: Connection, token: str) -> InvitationRecord | None:
    """The invitation behind a personal link."""
    row = conn.execute(sa.select(survey_invitation).where(survey_invitation.c.token == token))
    found = row.first()
    return _invitation(found) if found is not None else None


def invitations(conn: Connection, survey_id: int) -> list[InvitationRecord]:
    """A survey's invitations, in the order they were made."""
    rows = conn.execute(
        sa.select(survey_invitation)
        .where(survey_invitation.c.survey_id == survey_id)
        .order_by(survey_invitation.c.id)
    )
    return [_invitation(r) for r in rows]


def due_invitations(
    conn: Connection, now: datetime, limit: int, ws_id: int | None = None
) -> list[InvitationRecord]:
    """Invitations of open surveys whose first e-mail or reminder is due (of one workspace,
    when given)."""
    inv = survey_invitation
    first = sa.and_(inv.c.sent_at.is_(None), inv.c.send_at <= now)
    reminder = sa.and_(
        inv.c.sent_at.is_not(None),
        inv.c.reminded_at.is_(None),
        inv.c.remind_at <= now,
        inv.c.answered_at.is_(None),
    )
    rows = conn.execute(
        sa.select(inv)
        .join(survey, survey.c.id == inv.c.survey_id)
        .where(inv.c.skipped.is_(None), inv.c.error.is_(None), sa.or_(first, reminder))
        .where(survey.c.closed_at.is_(None))  # a closed survey's invitations wait
        .where(sa.true() if ws_id is None else inv.c.workspace_id == ws_id)
        .order_by(inv.c.send_at, inv.c.id)
        .limit(limit)
    )
    return [_invitation(r) for r in rows]


def next_due(conn: Connection) -> datetime | None:
    """The earliest moment an unsent invitation or reminder of an open survey falls due."""
    inv = survey_invitation
    open_rows = sa.and_(
        inv.c.skipped.is_(None),
        inv.c.error.is_(None),
        inv.c.survey_id.in_(sa.select(survey.c.id).where(survey.c.closed_at.is_(None))),
    )
    first = conn.execute(
        sa.select(sa.func.min(inv.c.send_at)).where(open_rows, inv.c.sent_at.is_(None))
    ).scalar()
    later = conn.execute(
        sa.select(sa.func.min(inv.c.remind_at)).where(
            open_rows, inv.c.reminded_at.is_(None), inv.c.answered_at.is_(None)
        )
    ).scalar()
    found = [m for m in (first, later) if m is not None]
    return min(found) if found else None


def set_invitation(conn: Connection, invitation_id: int, **values: Any) -> None:
    """Record what happened to an invitation."""
    conn.execute(
        sa.update(survey_invitation).where(survey_invitation.c.id == invitation_id).values(**values)
    )


def claim_sending(conn: Connection, invitation_id: int, column: str, now: datetime) -> bool:
    """Mark an invitation's first e-mail (`sent_at`) or reminder (`reminded_at`) as sent before
    sending, so two workers never both send it; False when another one already did."""
    target = survey_invitation.c[column]
    done = conn.execute(
        sa.update(survey_invitation)
        .where(survey_invitation.c.id == invitation_id, target.is_(None))
        .values({column: now})
    )
    return bool(done.rowcount)


def claim_answer(conn: Connection, invitation_id: int, now: datetime) -> bool:
    """Mark a personal link answered; False when it already was (one answer per link)."""
    done = conn.execute(
        sa.update(survey_invitation)
        .where(survey_invitation.c.id == invitation_id, survey_invitation.c.answered_at.is_(None))
        .values(answered_at=now)
    )
    return bool(done.rowcount)


def contacted_since(
    conn: Connection, ws_id: int, emails: Sequence[str], since: datetime
) -> set[str]:
    """Which of these addresses got (or are due) an invitation on or after `since`."""
    if not emails:
        return set()
    inv = survey_invitation
    rows = conn.execute(
        sa.select(inv.c.email).where(
            inv.c.workspace_id == ws_id,
            inv.c.email.in_(list(emails)),
            inv.c.skipped.is_(None),
            sa.or_(
                inv.c.sent_at >= since, sa.and_(inv.c.sent_at.is_(None), inv.c.send_at >= since)
            ),
        )
    )
    return {str(r.email) for r in rows}


def opt_out(conn: Connection, ws_id: int, email: str, now: datetime) -> None:
    """Never invite this address again."""
    exists = conn.execute(
        sa.select(survey_optout.c.email).where(
            survey_optout.c.workspace_id == ws_id, survey_optout.c.email == email
        )
    ).first()
    if exists is None:
        conn.execute(
            sa.insert(survey_optout), {"workspace_id": ws_id, "email": email, "created_at": now}
        )


def opted_out(conn: Connection, ws_id: int, emails: Sequence[str]) -> set[str]:
    """Which of these addresses unsubscribed."""
    if not emails:
        return set()
    rows = conn.execute(
        sa.select(survey_optout.c.email).where(
            survey_optout.c.workspace_id == ws_id, survey_optout.c.email.in_(list(emails))
        )
    )
    return {str(r.email) for r in rows}


def mention_for(conn: Connection, ws_id: int, source_id: int, external_id: str) -> int | None:
    """The id of the mention a source stored under an external id."""
    found = conn.execute(
        sa.select(mention.c.id).where(
            mention.c.workspace_id == ws_id,
            mention.c.source_id == source_id,
            mention.c.external_id == external_id,
        )
    ).scalar()
    return int(found) if found is not None else None


def get_survey_by_id(conn: Connection, survey_id: int) -> SurveyRecord:
    """A survey by id in any workspace (the worker's view)."""
    row = conn.execute(sa.select(survey).where(survey.c.id == survey_id)).first()
    if row is None:
        raise NotFoundError(f"no survey {survey_id}")
    return _survey(row)
