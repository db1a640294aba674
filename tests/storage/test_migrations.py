from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from otklik.storage import Store
from otklik.storage.migrate import head_revision
from otklik.storage.schema import metadata

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
