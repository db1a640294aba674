"""Alert rules and their delivery log; the mentions a rule's filter selects since a cursor or
within a time range (through the feed's own filter conditions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.alerts import AlertRule, Delivery, Recipient
from otklik.domain.filters import Filters
from otklik.errors import InputError, NotFoundError
from otklik.storage import filtering
from otklik.storage.schema import alert_delivery, alert_rule, analysis, mention


def _rule(row: sa.Row[Any]) -> AlertRule:
    m = dict(row._mapping)
    m["filters"] = dict(m["filters"] or {})
    m["recipients"] = tuple(Recipient.from_dict(r) for r in m["recipients"] or [])
    m["is_muted"] = bool(m["is_muted"])
    return AlertRule(**m)


def _delivery(row: sa.Row[Any], name: str = "") -> Delivery:
    m = dict(row._mapping)
    m.pop("workspace_id")
    m.pop("rule_name", None)
    m["message"] = dict(m["message"] or {})
    return Delivery(**m, rule_name=name)


# Rules


def add_rule(conn: Connection, ws_id: int, values: dict[str, Any], now: datetime) -> AlertRule:
    """Store a new rule (already checked); InputError when the name is taken."""
    if conn.execute(
        sa.select(alert_rule.c.id).where(
            alert_rule.c.workspace_id == ws_id, alert_rule.c.name == values["name"]
        )
    ).first():
        raise InputError(f"an alert called {values['name']!r} already exists")
    row = conn.execute(
        sa.insert(alert_rule).returning(*alert_rule.c),
        {**values, "workspace_id": ws_id, "created_at": now, "updated_at": now},
    ).one()
    return _rule(row)


def update_rule(conn: Connection, rule_id: int, now: datetime, **values: Any) -> AlertRule:
    """Change a rule's fields."""
    row = conn.execute(
        sa.update(alert_rule)
        .where(alert_rule.c.id == rule_id)
        .values(**values, updated_at=now)
        .returning(*alert_rule.c)
    ).one()
    return _rule(row)


def move_cursor(conn: Connection, rule_id: int, cursor: int) -> None:
    """Remember the last mention an instant rule looked at."""
    conn.execute(
        sa.update(alert_rule).where(alert_rule.c.id == rule_id).values(cursor_mention_id=cursor)
    )


def mark_checked(conn: Connection, rule_id: int, moment: datetime) -> None:
    """Remember when a spike rule was last checked."""
    conn.execute(sa.update(alert_rule).where(alert_rule.c.id == rule_id).values(checked_at=moment))


def get_rule(conn: Connection, ws_id: int, name: str) -> AlertRule:
    """The rule called `name`; NotFoundError naming it otherwise."""
    row = conn.execute(
        sa.select(alert_rule).where(alert_rule.c.workspace_id == ws_id, alert_rule.c.name == name)
    ).first()
    if row is None:
        raise NotFoundError(f"no alert called {name!r}")
    return _rule(row)


def list_rules(conn: Connection, ws_id: int) -> list[AlertRule]:
    """The workspace's rules by name."""
    rows = conn.execute(
        sa.select(alert_rule).where(alert_rule.c.workspace_id == ws_id).order_by(alert_rule.c.name)
    )
    return [_rule(r) for r in rows]


def remove_rule(conn: Connection, ws_id: int, name: str) -> None:
    """Delete a rule and its delivery log."""
    found = get_rule(conn, ws_id, name)
    conn.execute(sa.delete(alert_delivery).where(alert_delivery.c.rule_id == found.id))
    conn.execute(sa.delete(alert_rule).where(alert_rule.c.id == found.id))


# Mentions a rule selects


def last_mention_id(conn: Connection, ws_id: int) -> int:
    """The newest mention id of the workspace (0 when it has none)."""
    found = conn.execute(
        sa.select(sa.func.max(mention.c.id)).where(mention.c.workspace_id == ws_id)
    ).scalar()
    return int(found or 0)


def matches_after(
    conn: Connection,
    filters: Filters,
    after_id: int,
    groups_for: filtering.GroupsFor | None,
    predicate_for: filtering.PredicateFor | None,
) -> tuple[list[int], int]:
    """Ids (oldest first) of the mentions after `after_id` that the filters select, and the
    last mention id looked at (the rule's next cursor)."""
    assert filters.workspace_id is not None
    newest = conn.execute(
        sa.select(sa.func.max(mention.c.id)).where(
            mention.c.workspace_id == filters.workspace_id, mention.c.id > after_id
        )
    ).scalar()
    if newest is None:
        return [], after_id
    where = filtering.conditions(filters, conn.dialect.name, groups_for or _plain)
    keep = predicate_for(filters.q) if (filters.q and predicate_for) else None
    columns: list[Any] = [mention.c.id]
    if keep is not None:
        columns += [mention.c.title, mention.c.text]
    rows = conn.execute(
        sa.select(*columns)
        .select_from(filtering.base_from())
        .where(*where, mention.c.id > after_id, mention.c.id <= newest)
        .order_by(mention.c.id)
    ).all()
    ids = [r.id for r in rows if keep is None or keep(filtering.searchable(r.title, r.text))]
    return ids, int(newest)


def published_between(
    conn: Connection,
    filters: Filters,
    since: datetime,
    until: datetime,
    groups_for: filtering.GroupsFor | None,
    predicate_for: filtering.PredicateFor | None,
) -> list[tuple[datetime, str | None]]:
    """(published_at, sentiment) of every mention the filters select in [since, until)."""
    where = filtering.conditions(filters, conn.dialect.name, groups_for or _plain)
    keep = predicate_for(filters.q) if (filters.q and predicate_for) else None
    columns: list[Any] = [mention.c.published_at, analysis.c.sentiment]
    if keep is not None:
        columns += [mention.c.title, mention.c.text]
    rows = conn.execute(
        sa.select(*columns)
        .select_from(filtering.base_from())
        .where(*where, mention.c.published_at >= since, mention.c.published_at < until)
    ).all()
    return [
        (r.published_at, r.sentiment)
        for r in rows
        if keep is None or keep(filtering.searchable(r.title, r.text))
    ]


def _plain(q: str) -> Any:
    from otklik.storage.search import plain_groups

    return plain_groups(q)


# The delivery log


def add_delivery(conn: Connection, ws_id: int, rule_id: int, **values: Any) -> Delivery:
    """Log one delivery (or held mentions)."""
    row = conn.execute(
        sa.insert(alert_delivery).returning(*alert_delivery.c),
        {"workspace_id": ws_id, "rule_id": rule_id, **values},
    ).one()
    return _delivery(row)


def update_delivery(conn: Connection, delivery_id: int, **values: Any) -> None:
    """Record an attempt's outcome."""
    conn.execute(
        sa.update(alert_delivery).where(alert_delivery.c.id == delivery_id).values(**values)
    )


def deliveries(
    conn: Connection, ws_id: int, rule_id: int | None = None, limit: int = 100
) -> list[Delivery]:
    """The log, newest first."""
    stmt = (
        sa.select(alert_delivery, alert_rule.c.name.label("rule_name"))
        .join(alert_rule, alert_rule.c.id == alert_delivery.c.rule_id)
        .where(alert_delivery.c.workspace_id == ws_id)
        .order_by(alert_delivery.c.id.desc())
        .limit(limit)
    )
    if rule_id is not None:
        stmt = stmt.where(alert_delivery.c.rule_id == rule_id)
    return [_delivery(r, r.rule_name) for r in conn.execute(stmt)]


def due_retries(conn: Connection, ws_id: int, now: datetime) -> list[Delivery]:
    """Deliveries waiting for another attempt whose time has come."""
    rows = conn.execute(
        sa.select(alert_delivery)
        .where(
            alert_delivery.c.workspace_id == ws_id,
            alert_delivery.c.status == "retrying",
            alert_delivery.c.next_attempt_at <= now,
        )
        .order_by(alert_delivery.c.id)
    )
    return [_delivery(r) for r in rows]


def sent_since(conn: Connection, rule_id: int, recipient: str, since: datetime) -> int:
    """Messages (not held mentions) made for one recipient of a rule since a moment."""
    return int(
        conn.execute(
            sa.select(sa.func.count()).where(
                alert_delivery.c.rule_id == rule_id,
                alert_delivery.c.recipient == recipient,
                alert_delivery.c.kind.in_(("instant", "spike")),
                alert_delivery.c.status != "summarised",
                alert_delivery.c.created_at >= since,
            )
        ).scalar()
        or 0
    )


def held(conn: Connection, rule_id: int, before: datetime) -> list[Delivery]:
    """Held (summarised) rows no summary carried yet, made before a moment."""
    rows = conn.execute(
        sa.select(alert_delivery)
        .where(
            alert_delivery.c.rule_id == rule_id,
            alert_delivery.c.status == "summarised",
            alert_delivery.c.summary_id.is_(None),
            alert_delivery.c.created_at < before,
        )
        .order_by(alert_delivery.c.id)
    )
    return [_delivery(r) for r in rows]


def mark_carried(conn: Connection, ids: Sequence[int], summary_id: int) -> None:
    """Note the summary that carried held rows."""
    conn.execute(
        sa.update(alert_delivery)
        .where(alert_delivery.c.id.in_(list(ids)))
        .values(summary_id=summary_id)
    )


def last_made(conn: Connection, rule_id: int, kind: str, measure: str) -> datetime | None:
    """When a rule last made a message of a kind for a measure (the spike cool-down)."""
    rows = conn.execute(
        sa.select(alert_delivery.c.created_at, alert_delivery.c.message)
        .where(alert_delivery.c.rule_id == rule_id, alert_delivery.c.kind == kind)
        .order_by(alert_delivery.c.id.desc())
        .limit(50)
    )
    for created, message in rows:
        if (message or {}).get("measure") == measure:
            return created  # type: ignore[no-any-return]
    return None


def get_rule_by_id(conn: Connection, rule_id: int) -> AlertRule:
    """A rule by id; NotFoundError when it is gone."""
    row = conn.execute(sa.select(alert_rule).where(alert_rule.c.id == rule_id)).first()
    if row is None:
        raise NotFoundError(f"alert rule {rule_id} is gone")
    return _rule(row)


def claim_cursor(conn: Connection, rule_id: int, old: int | None, new: int) -> bool:
    """Move an instant rule's cursor from `old` to `new`; False when another check moved it
    first (so two workers never send the same mentions twice)."""
    moved = conn.execute(
        sa.update(alert_rule)
        .where(
            alert_rule.c.id == rule_id,
            alert_rule.c.cursor_mention_id.is_(None)
            if old is None
            else alert_rule.c.cursor_mention_id == old,
        )
        .values(cursor_mention_id=new)
    )
    return bool(moved.rowcount)


def first_published(conn: Connection, ws_id: int) -> datetime | None:
    """When the workspace's oldest mention was published (history starts there)."""
    found = conn.execute(
        sa.select(sa.func.min(mention.c.published_at)).where(mention.c.workspace_id == ws_id)
    ).scalar()
    return found
