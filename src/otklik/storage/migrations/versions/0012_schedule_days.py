"""schedule.monthday: monthly schedules run on one day of the month (monthly report schedules
move from a daily run that skipped all days but the 1st); alert_rule.weekday: the day a weekly
digest goes out (existing ones keep Monday)

Revision ID: 0012_schedule_days
Revises: 0011_survey_closed
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0012_schedule_days"
down_revision = "0011_survey_closed"
branch_labels = None
depends_on = None

# The tables as this migration knows them (not schema.py's, which moves on).
_schedule = sa.table(
    "schedule",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("arguments", sa.JSON),
    sa.column("at_time", sa.String),
    sa.column("timezone", sa.String),
    sa.column("next_run_at", sa.DateTime),
    sa.column("monthday", sa.SmallInteger),
)
_job = sa.table(
    "job",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("status", sa.String),
    sa.column("result", sa.JSON),
    sa.column("schedule_id", sa.Integer),
    sa.column("created_at", sa.DateTime),
    sa.column("finished_at", sa.DateTime),
)
_alert_rule = sa.table(
    "alert_rule",
    sa.column("kind", sa.String),
    sa.column("every", sa.String),
    sa.column("weekday", sa.SmallInteger),
)


def upgrade() -> None:
    # Plain ADD COLUMN: rebuilding alert_rule on SQLite would delete its delivery log through
    # ON DELETE CASCADE.
    op.add_column("schedule", sa.Column("monthday", sa.SmallInteger(), nullable=True))
    op.add_column("alert_rule", sa.Column("weekday", sa.SmallInteger(), nullable=True))
    bind = op.get_bind()
    _monthly_reports_on_the_1st(bind)
    _forget_skipped_report_runs(bind)
    bind.execute(
        sa.update(_alert_rule)
        .where(_alert_rule.c.kind == "digest", _alert_rule.c.every == "week")
        .values(weekday=0)
    )


def _monthly_reports_on_the_1st(bind: Any) -> None:
    """A monthly report schedule ran daily; it now runs on the 1st, from the first 1st at its
    time at or after the run it had planned (a run already due stays due)."""
    rows = bind.execute(sa.select(_schedule).where(_schedule.c.kind == "report")).all()
    zones: dict[int, ZoneInfo] = {}
    for row in rows:
        if (row.arguments or {}).get("every") != "month" or not row.at_time:
            continue
        zones[row.id] = ZoneInfo(row.timezone)
        bind.execute(
            sa.update(_schedule)
            .where(_schedule.c.id == row.id)
            .values(monthday=1, next_run_at=_first_1st(row.next_run_at, row.at_time, row.timezone))
        )
    # A daily run queued on another day and not yet run would now send: cancel it.
    queued = sa.select(_job.c.id, _job.c.schedule_id, _job.c.created_at).where(
        _job.c.kind == "report", _job.c.status == "queued", _job.c.schedule_id.in_(list(zones))
    )
    for job_id, schedule_id, created_at in bind.execute(queued).all():
        if created_at.replace(tzinfo=UTC).astimezone(zones[schedule_id]).day != 1:
            bind.execute(
                sa.update(_job)
                .where(_job.c.id == job_id)
                .values(status="cancelled", finished_at=datetime.now(UTC).replace(tzinfo=None))
            )


def _first_1st(planned: datetime, at_time: str, timezone: str) -> datetime:
    zone = ZoneInfo(timezone)
    hour, minute = (int(p) for p in at_time.split(":"))
    day = planned.replace(tzinfo=UTC).astimezone(zone).date()
    while True:
        if day.day == 1:
            moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
            utc = moment.astimezone(UTC).replace(tzinfo=None)
            if utc >= planned:
                return utc
        day += timedelta(days=1)


def _forget_skipped_report_runs(bind: Any) -> None:
    """The daily runs that skipped are not sends; gone, they cannot hide the last real one."""
    done = sa.select(_job.c.id, _job.c.result).where(
        _job.c.kind == "report", _job.c.status == "done"
    )
    skipped = [row.id for row in bind.execute(done) if (row.result or {}).get("skipped")]
    for start in range(0, len(skipped), 500):
        bind.execute(sa.delete(_job).where(_job.c.id.in_(skipped[start : start + 500])))


def downgrade() -> None:
    # Monthly report schedules then run daily from their next 1st, as the old code expects.
    op.drop_column("alert_rule", "weekday")  # SQLite 3.35+ drops in place, keeping the log
    op.drop_column("schedule", "monthday")
