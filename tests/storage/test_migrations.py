from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from otklik.storage import Store, migrate
from otklik.storage.migrate import head_revision
from otklik.storage.schema import (
    metadata,
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
    assert store.init() == head_revision() == "0011_survey_closed"
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(survey.c.name, survey.c.closed_at)).all() == [("s", None)]
        for table in (survey_response, survey_invitation):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 1
    store.close()
