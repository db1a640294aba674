"""Progress records of background jobs, kept in app_setting so they outlive the process."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.storage.schema import app_setting


def save_job(conn: Connection, key: str, record: Mapping[str, Any]) -> None:
    """Store a job's record (JSON-serialisable values), replacing the one before."""
    conn.execute(sa.delete(app_setting).where(app_setting.c.key == key))
    conn.execute(sa.insert(app_setting), {"key": key, "value": json.dumps(dict(record))})


def load_job(conn: Connection, key: str) -> dict[str, Any] | None:
    """A job's record, or None."""
    value = conn.execute(sa.select(app_setting.c.value).where(app_setting.c.key == key)).scalar()
    return None if value is None else dict(json.loads(value))


def jobs_under(conn: Connection, prefix: str) -> dict[str, dict[str, Any]]:
    """Every job record whose key starts with `prefix`, by key."""
    rows = conn.execute(
        sa.select(app_setting.c.key, app_setting.c.value).where(
            app_setting.c.key.startswith(prefix, autoescape=True)
        )
    )
    return {key: json.loads(value) for key, value in rows}


def forget_job(conn: Connection, key: str) -> None:
    """Drop a job's record (its brand or tag is gone)."""
    conn.execute(sa.delete(app_setting).where(app_setting.c.key == key))
