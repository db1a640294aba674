"""Sources a person adds (feeds, webhooks, mailboxes, channels): settings, poll state, health."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.records import Source
from otklik.errors import InputError, NotFoundError
from otklik.storage.schema import schedule, source


def _select() -> sa.Select[Any]:
    return sa.select(source, schedule.c.next_run_at, schedule.c.is_enabled).select_from(
        source.outerjoin(schedule, schedule.c.id == source.c.schedule_id)
    )


def _source(row: sa.Row[Any]) -> Source:
    m = row._mapping
    return Source(
        id=m["id"],
        workspace_id=m["workspace_id"],
        name=m["name"],
        kind=m["kind"],
        settings=dict(m["settings"] or {}),
        every_minutes=m["every_minutes"],
        is_paused=bool(m["is_paused"]),
        state=dict(m["state"] or {}),
        items_total=int(m["items_total"] or 0),
        last_run_at=m["last_run_at"],
        last_status=m["last_status"],
        last_error=m["last_error"],
        next_run_at=m["next_run_at"] if not m["is_paused"] else None,
        created_at=m["created_at"],
        schedule_id=m["schedule_id"],
        has_secret=m["secret"] is not None,
    )


def add_source(
    conn: Connection,
    ws_id: int,
    name: str,
    kind: str,
    settings: Mapping[str, Any],
    *,
    secret: str | None,
    every_minutes: int | None,
    now: datetime,
) -> Source:
    """Store a new source (InputError when the workspace has one of that name)."""
    taken = conn.execute(
        sa.select(source.c.id).where(source.c.workspace_id == ws_id, source.c.name == name)
    ).first()
    if taken is not None:
        raise InputError(f"a source named {name!r} already exists; choose another name")
    new_id = conn.execute(
        sa.insert(source).returning(source.c.id),
        {
            "workspace_id": ws_id,
            "name": name,
            "kind": kind,
            "settings": dict(settings),
            "secret": secret,
            "every_minutes": every_minutes,
            "state": {},
            "created_at": now,
        },
    ).scalar_one()
    return get_source(conn, ws_id, int(new_id))


def set_schedule(conn: Connection, source_id: int, schedule_id: int) -> None:
    """Link a source to the schedule that queues its polls."""
    conn.execute(sa.update(source).where(source.c.id == source_id).values(schedule_id=schedule_id))


def get_source(conn: Connection, ws_id: int, source_id: int) -> Source:
    """One source of the workspace by id (NotFoundError otherwise)."""
    row = conn.execute(
        _select().where(source.c.id == source_id, source.c.workspace_id == ws_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no source {source_id}")
    return _source(row)


def find_source(conn: Connection, ws_id: int, name: str) -> Source:
    """One source of the workspace by name (NotFoundError otherwise)."""
    row = conn.execute(
        _select().where(source.c.name == name, source.c.workspace_id == ws_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no source named {name!r}; `otklik sources list` shows them")
    return _source(row)


def list_sources(conn: Connection, ws_id: int, kinds: tuple[str, ...]) -> list[Source]:
    """The workspace's sources of these kinds, by name."""
    rows = conn.execute(
        _select()
        .where(source.c.workspace_id == ws_id, source.c.kind.in_(kinds))
        .order_by(source.c.name)
    )
    return [_source(r) for r in rows]


def secret_of(conn: Connection, source_id: int) -> str | None:
    """A source's secret (webhook signing key, IMAP password)."""
    found = conn.execute(sa.select(source.c.secret).where(source.c.id == source_id)).scalar()
    return str(found) if found is not None else None


def record_run(
    conn: Connection,
    source_id: int,
    *,
    at: datetime,
    status: str,
    error: str | None,
    taken: int,
    state: Mapping[str, Any] | None,
) -> None:
    """A poll's or push's outcome: health, items taken added, new poll state (if given)."""
    values: dict[str, Any] = {
        "last_run_at": at,
        "last_status": status,
        "last_error": error,
        "items_total": source.c.items_total + taken,
    }
    if state is not None:
        values["state"] = dict(state)
    conn.execute(sa.update(source).where(source.c.id == source_id).values(**values))


def set_paused(conn: Connection, ws_id: int, source_id: int, paused: bool) -> None:
    """Pause or resume a source and its schedule."""
    found = get_source(conn, ws_id, source_id)
    conn.execute(sa.update(source).where(source.c.id == source_id).values(is_paused=paused))
    if found.schedule_id is not None:
        conn.execute(
            sa.update(schedule)
            .where(schedule.c.id == found.schedule_id)
            .values(is_enabled=not paused)
        )


def remove_source(conn: Connection, ws_id: int, source_id: int) -> None:
    """Delete a source and its schedule; its mentions stay (their source becomes none)."""
    found = get_source(conn, ws_id, source_id)
    if found.schedule_id is not None:
        conn.execute(sa.delete(schedule).where(schedule.c.id == found.schedule_id))
    conn.execute(sa.delete(source).where(source.c.id == source_id))
