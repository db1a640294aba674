"""Engine creation and the per-dialect connection settings."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from otklik.errors import ConfigError


def make_engine(url: str) -> Engine:
    """An engine for `url`: SQLite gets WAL, a busy timeout and foreign keys."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(
            f"cannot read database URL {url!r}: use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST:PORT/DB"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        # The pool hands a connection to one thread at a time; the import's writer thread
        # may get one another thread opened.
        engine = sa.create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            json_serializer=_json_text,
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return sa.create_engine(parsed, pool_pre_ping=True, json_serializer=_json_text)
        except ModuleNotFoundError as exc:
            raise ConfigError(
                "PostgreSQL needs the driver: pip install 'otklik[postgres]'"
            ) from exc
    raise ConfigError(
        f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL"
    )


def is_sqlite(engine: Engine) -> bool:
    """True for an SQLite database."""
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _json_text(value: object) -> str:
    """JSON columns as readable UTF-8 (raw payloads in Cyrillic stay a sixth of the size)."""
    return json.dumps(value, ensure_ascii=False)
