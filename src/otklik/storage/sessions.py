"""Signed-in browsers and failed sign-ins, kept in the database so every web process and
machine sees the same ones."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.storage.schema import login_failure, web_session


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start_session(conn: Connection, key: str, user_id: int, now: datetime, ttl: timedelta) -> None:
    """Record a new session; the cookie carries `key`, the table only its hash."""
    conn.execute(
        sa.insert(web_session),
        {"key_hash": _hash(key), "user_id": user_id, "created_at": now, "expires_at": now + ttl},
    )


def session_user_id(conn: Connection, key: str, now: datetime) -> int | None:
    """The user a live session belongs to, or None (ended, expired or never started)."""
    found = conn.execute(
        sa.select(web_session.c.user_id).where(
            web_session.c.key_hash == _hash(key), web_session.c.expires_at > now
        )
    ).scalar()
    return None if found is None else int(found)


def end_session(conn: Connection, key: str) -> None:
    """Sign one session out."""
    conn.execute(sa.delete(web_session).where(web_session.c.key_hash == _hash(key)))


def end_user_sessions(conn: Connection, user_id: int) -> int:
    """Sign a user out everywhere (password or role changed, user disabled); how many."""
    return int(
        conn.execute(sa.delete(web_session).where(web_session.c.user_id == user_id)).rowcount
    )


def drop_expired(conn: Connection, now: datetime) -> None:
    """Forget sessions past their expiry."""
    conn.execute(sa.delete(web_session).where(web_session.c.expires_at <= now))


def failures_since(conn: Connection, key: str, since: datetime) -> list[datetime]:
    """Times of the failed sign-ins under `key` since `since`, oldest first."""
    rows = conn.execute(
        sa.select(login_failure.c.failed_at)
        .where(login_failure.c.key == key, login_failure.c.failed_at > since)
        .order_by(login_failure.c.failed_at)
    )
    return [r[0] for r in rows]


def add_failure(conn: Connection, key: str, now: datetime, forget_before: datetime) -> None:
    """Record a failed sign-in, dropping every failure older than `forget_before`."""
    conn.execute(sa.delete(login_failure).where(login_failure.c.failed_at <= forget_before))
    conn.execute(sa.insert(login_failure), {"key": key, "failed_at": now})


def clear_failures(conn: Connection, key: str) -> None:
    """Forget the failures under `key` (a good sign-in)."""
    conn.execute(sa.delete(login_failure).where(login_failure.c.key == key))
