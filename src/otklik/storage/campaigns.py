"""Campaigns, goals and manual daily values; case response numbers for their reports."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from otklik.domain.campaign import SMART_FIELDS, Campaign, Goal
from otklik.errors import InputError, NotFoundError
from otklik.storage.schema import brand, campaign, goal, manual_value, mention, mention_brand


def _campaign(row: Row[Any]) -> Campaign:
    return Campaign(
        id=row.id,
        name=row.name,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        brand=row.brand,
        partners=tuple(row.partners or ()),
        channels=tuple(row.channels or ()),
        utm_campaigns=tuple(row.utm_campaigns or ()),
        surveys=tuple(row.surveys or ()),
        notes=row.notes,
        worked=row.worked,
        not_worked=row.not_worked,
        ideas=row.ideas,
    )


def add_campaign(conn: Connection, ws_id: int, values: Mapping[str, Any], now: datetime) -> int:
    """Store a campaign; InputError when the name is taken."""
    taken = conn.execute(
        sa.select(campaign.c.id).where(
            campaign.c.workspace_id == ws_id, campaign.c.name == values["name"]
        )
    ).first()
    if taken is not None:
        raise InputError(f"a campaign named {values['name']!r} already exists")
    return int(
        conn.execute(
            sa.insert(campaign).returning(campaign.c.id),
            {**values, "workspace_id": ws_id, "created_at": now},
        ).scalar_one()
    )


def update_campaign(
    conn: Connection, ws_id: int, campaign_id: int, values: Mapping[str, Any]
) -> None:
    """Change stored fields of a campaign."""
    conn.execute(
        sa.update(campaign)
        .where(campaign.c.workspace_id == ws_id, campaign.c.id == campaign_id)
        .values(**values)
    )


def unlink_survey(conn: Connection, ws_id: int, name: str) -> None:
    """Take a survey's name out of every campaign that links it (the survey is gone)."""
    relink_survey(conn, ws_id, name, None)


def relink_survey(conn: Connection, ws_id: int, name: str, new_name: str | None) -> None:
    """In every campaign that links survey `name`, link `new_name` instead (the survey was
    renamed), or drop it when `new_name` is None."""
    rows = conn.execute(
        sa.select(campaign.c.id, campaign.c.surveys).where(campaign.c.workspace_id == ws_id)
    )
    for campaign_id, linked in rows.all():
        if name in (linked or ()):
            kept: list[str] = []
            for n in linked:
                n = new_name if n == name else n
                if n is not None and n not in kept:
                    kept.append(n)
            update_campaign(conn, ws_id, campaign_id, {"surveys": kept})


def list_campaigns(conn: Connection, ws_id: int) -> list[Campaign]:
    """The workspace's campaigns, newest start first."""
    rows = conn.execute(
        sa.select(campaign)
        .where(campaign.c.workspace_id == ws_id)
        .order_by(campaign.c.starts_on.desc(), campaign.c.id.desc())
    )
    return [_campaign(r) for r in rows]


def get_campaign(conn: Connection, ws_id: int, name: str) -> Campaign:
    """The campaign called `name` (NotFoundError when none)."""
    row = conn.execute(
        sa.select(campaign).where(campaign.c.workspace_id == ws_id, campaign.c.name == name)
    ).first()
    if row is None:
        raise NotFoundError(f"no campaign named {name!r}")
    return _campaign(row)


def add_goal(conn: Connection, ws_id: int, values: Mapping[str, Any], now: datetime) -> int:
    """Store a goal of a campaign."""
    return int(
        conn.execute(
            sa.insert(goal).returning(goal.c.id),
            {**values, "workspace_id": ws_id, "created_at": now},
        ).scalar_one()
    )


def list_goals(conn: Connection, ws_id: int, campaign_id: int) -> list[Goal]:
    """A campaign's goals in the order they were set."""
    rows = conn.execute(
        sa.select(goal)
        .where(goal.c.workspace_id == ws_id, goal.c.campaign_id == campaign_id)
        .order_by(goal.c.id)
    )
    return [
        Goal(
            r.id,
            r.campaign_id,
            r.metric,
            r.target,
            r.deadline,
            {name: getattr(r, name) for name in SMART_FIELDS},
        )
        for r in rows
    ]


def set_values(conn: Connection, ws_id: int, name: str, values: Mapping[date, float]) -> int:
    """Store a manual metric's numbers per day (a day given again is replaced)."""
    if not values:
        return 0
    conn.execute(
        sa.delete(manual_value).where(
            manual_value.c.workspace_id == ws_id,
            manual_value.c.name == name,
            manual_value.c.day.in_(list(values)),
        )
    )
    conn.execute(
        sa.insert(manual_value),
        [{"workspace_id": ws_id, "name": name, "day": d, "value": v} for d, v in values.items()],
    )
    return len(values)


def manual_values(
    conn: Connection, ws_id: int, name: str, start: date, end: date
) -> dict[date, float]:
    """A manual metric's numbers per day between two days, inclusive."""
    rows = conn.execute(
        sa.select(manual_value.c.day, manual_value.c.value).where(
            manual_value.c.workspace_id == ws_id,
            manual_value.c.name == name,
            manual_value.c.day.between(start, end),
        )
    )
    return {r.day: float(r.value) for r in rows}


def manual_names(conn: Connection, ws_id: int) -> list[str]:
    """The names of the workspace's manual metrics."""
    rows = conn.execute(
        sa.select(manual_value.c.name)
        .where(manual_value.c.workspace_id == ws_id)
        .distinct()
        .order_by(manual_value.c.name)
    )
    return [r[0] for r in rows]


def case_times(
    conn: Connection, ws_id: int, start: date, end: date, brand_name: str | None
) -> list[tuple[datetime, datetime | None]]:
    """(published, first response) of each mention whose local day falls in the span,
    of one brand when named; duplicates are left out."""
    query = sa.select(mention.c.published_at, mention.c.first_response_at).where(
        mention.c.workspace_id == ws_id, mention.c.day.between(start, end)
    )
    if brand_name:
        query = query.where(
            mention.c.id.in_(
                sa.select(mention_brand.c.mention_id)
                .join(brand, brand.c.id == mention_brand.c.brand_id)
                .where(brand.c.workspace_id == ws_id, brand.c.name == brand_name)
            )
        )
    return [(r.published_at, r.first_response_at) for r in conn.execute(query)]
