from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from otklik.storage import Store, migrate
from otklik.storage.migrate import head_revision
from otklik.storage.schema import (
    alert_delivery,
    alert_rule,
    job,
    metadata,
    schedule,
    survey,
    survey_invitation,
    survey_response,
    workspace,
)

_OURS_OUTSIDE_METADATA = ("mention_fts", "ix_mention_fts")


def _include(_obj: object, name: str | None, _type: str, _reflected: bool, _to: object) -> bool:
    return not (name or "").startswith(_OURS_OUTSIDE_METADATA)


def test_upgrade_to_head_gives_the_declared_schema(db_url: str) -> None:
    store = Store.open(db_url)
    assert store.init() == head_revision()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": _include, "compare_type": True}
        )
        diff = compare_metadata(context, metadata)
    store.close()
    assert diff == []


def test_the_migrations_have_one_head() -> None:
    from alembic.script import ScriptDirectory

    from otklik.storage.migrate import alembic_config

    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [head_revision()]


def test_init_twice_is_harmless(db_url: str) -> None:
    store = Store.open(db_url)
    store.init()
    ws = store.workspace("acme", "Asia/Almaty")
    store.init()
    assert store.workspace("acme").id == ws.id
    store.close()


def test_unprepared_database_is_refused_with_the_fix(sqlite_url: str) -> None:
    import pytest

    from otklik.errors import ConfigError

    with pytest.raises(ConfigError, match="otklik init"):
        Store.open(sqlite_url).check_schema()


def test_upgrading_a_database_with_surveys_keeps_their_answers_and_leaves_them_open(
    db_url: str,
) -> None:
    store = Store.open(db_url)
    # The head before survey.closed_at; SQLite must add the column in place: rebuilding the
    # table would delete every response and invitation through their ON DELETE CASCADE.
    migrate.upgrade(store.engine, "0009_flags")
    at = datetime(2026, 12, 1, 10, 0)
    with store.engine.begin() as conn:
        ws_id = conn.execute(
            sa.insert(workspace).returning(workspace.c.id),
            {"name": "w", "timezone": "UTC", "created_at": at},
        ).scalar_one()
        row = {"workspace_id": ws_id, "document": {}, "created_at": at, "updated_at": at}
        survey_id = conn.execute(
            sa.insert(survey).returning(survey.c.id), {**row, "name": "s", "slug": "s-1"}
        ).scalar_one()
        conn.execute(
            sa.insert(survey_response),
            {
                "workspace_id": ws_id,
                "survey_id": survey_id,
                "language": "ru",
                "answers": {"nps": 9},
                "contact": {},
                "via": "link",
                "created_at": at,
            },
        )
        conn.execute(
            sa.insert(survey_invitation),
            {
                "workspace_id": ws_id,
                "survey_id": survey_id,
                "token": "t",
                "email": "a@example.kz",
                "language": "ru",
                "fields": {},
                "send_at": at,
                "created_at": at,
            },
        )
    assert store.init() == head_revision()
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(survey.c.name, survey.c.closed_at)).all() == [("s", None)]
        for table in (survey_response, survey_invitation):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 1
    store.close()


def test_upgrading_moves_monthly_report_schedules_to_the_1st_and_keeps_weekly_digests_on_monday(
    db_url: str,
) -> None:
    store = Store.open(db_url)
    migrate.upgrade(store.engine, "0011_survey_closed")  # monthly reports ran daily then
    at = datetime(2026, 12, 14, 10, 0)
    with store.engine.begin() as conn:
        ws_id = conn.execute(
            sa.insert(workspace).returning(workspace.c.id),
            {"name": "w", "timezone": "Asia/Almaty", "created_at": at},
        ).scalar_one()
        plan = {"workspace_id": ws_id, "kind": "report", "at_time": "09:00", "created_at": at}
        plan |= {"timezone": "Asia/Almaty", "next_run_at": datetime(2026, 12, 15, 4, 0)}
        ids = [
            conn.execute(
                sa.insert(schedule).returning(schedule.c.id),
                {**plan, "name": every, "arguments": {"every": every}, "weekday": weekday},
            ).scalar_one()
            for every, weekday in (("month", None), ("week", 0))
        ]
        runs = {"workspace_id": ws_id, "kind": "report", "arguments": {"every": "month"}}
        runs |= {"schedule_id": ids[0], "run_after": at, "attempts": 0, "max_attempts": 3}
        for status, result, made in (
            ("done", {"sent": 1}, datetime(2026, 12, 1, 4, 0)),
            ("done", {"sent": 0, "skipped": "monthly reports go out on the 1st"}, at),
            ("queued", None, datetime(2026, 12, 13, 23, 0)),  # the 14th in Almaty
            ("queued", None, datetime(2026, 11, 30, 20, 0)),  # the 1st in Almaty
        ):
            conn.execute(
                sa.insert(job), {**runs, "status": status, "result": result, "created_at": made}
            )
        rule = {"workspace_id": ws_id, "filters": {}, "recipients": [], "cap_per_hour": 10}
        rule |= {"secret": "s", "created_at": at, "updated_at": at, "at_time": "09:00"}
        for name, kind, every in (("weekly", "digest", "week"), ("daily", "digest", "day")):
            rule_id = conn.execute(
                sa.insert(alert_rule).returning(alert_rule.c.id),
                {**rule, "name": name, "kind": kind, "every": every},
            ).scalar_one()
        conn.execute(
            sa.insert(alert_delivery),
            {
                "workspace_id": ws_id,
                "rule_id": rule_id,
                "kind": "digest",
                "channel": "email",
                "recipient": "a@example.kz",
                "status": "sent",
                "message": {},
                "created_at": at,
            },
        )
    assert store.init() == head_revision()
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.select(schedule.c.name, schedule.c.monthday, schedule.c.next_run_at).order_by(
                schedule.c.id
            )
        ).all()
        left = conn.execute(sa.select(job.c.status, job.c.created_at).order_by(job.c.id)).all()
        rules = conn.execute(sa.select(alert_rule.c.name, alert_rule.c.weekday)).all()
        deliveries = conn.execute(sa.select(sa.func.count()).select_from(alert_delivery)).scalar()
    assert stored == [
        ("month", 1, datetime(2027, 1, 1, 4, 0)),  # the next 1st at 09:00 in Almaty
        ("week", None, datetime(2026, 12, 15, 4, 0)),
    ]
    # the skipped daily run is gone; the daily run queued on the 14th will not send
    assert left == [
        ("done", datetime(2026, 12, 1, 4, 0)),
        ("cancelled", datetime(2026, 12, 13, 23, 0)),
        ("queued", datetime(2026, 11, 30, 20, 0)),
    ]
    assert sorted(rules) == [("daily", None), ("weekly", 0)]
    assert deliveries == 1
    store.close()
