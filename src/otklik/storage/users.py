"""People who use the web app, their API tokens, and server-wide settings."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.errors import InputError, NotFoundError
from otklik.storage.schema import api_token, app_setting, app_user
from otklik.storage.sessions import end_user_sessions

ROLES = ("admin", "analyst", "viewer")
TOKEN_PREFIX = "otk_"
# last_used_at is refreshed at most this often, so reads do not become writes.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class User:
    """A person who signs in; role decides what they may change."""

    id: int
    email: str
    role: str
    password_hash: str
    created_at: datetime
    is_active: bool = True
    name: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ApiToken:
    """An API token as listed (its secret is never stored, only its hash)."""

    id: int
    user_id: int
    email: str
    name: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def hash_token(token: str) -> str:
    """SHA-256 of a token, the only form the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: sa.Row[tuple[object, ...]]) -> User:
    m = row._mapping
    return User(
        int(m["id"]),
        str(m["email"]),
        str(m["role"]),
        str(m["password_hash"]),
        m["created_at"],
        bool(m["is_active"]),
        m["name"],
        m["language"],
    )


def normalise_email(email: str) -> str:
    """Emails compare without case or surrounding spaces."""
    cleaned = email.strip().lower()
    if "@" not in cleaned or len(cleaned) > 320 or any(c.isspace() for c in cleaned):
        raise InputError(f"{email!r} is not an e-mail address")
    return cleaned


def add_user(conn: Connection, email: str, role: str, password_hash: str, now: datetime) -> User:
    """Create a user; the e-mail must be new."""
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    address = normalise_email(email)
    if conn.execute(sa.select(app_user.c.id).where(app_user.c.email == address)).first():
        raise InputError(f"user {address} already exists")
    new_id = conn.execute(
        sa.insert(app_user).returning(app_user.c.id),
        {"email": address, "role": role, "password_hash": password_hash, "created_at": now},
    ).scalar_one()
    return User(int(new_id), address, role, password_hash, now)


def list_users(conn: Connection) -> list[User]:
    """All users by e-mail."""
    return [_user(r) for r in conn.execute(sa.select(app_user).order_by(app_user.c.email))]


def count_users(conn: Connection) -> int:
    """How many users exist."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(app_user)).scalar_one())


def user_by_email(conn: Connection, email: str) -> User | None:
    """The user with this e-mail, or None."""
    try:
        address = normalise_email(email)
    except InputError:
        return None
    row = conn.execute(sa.select(app_user).where(app_user.c.email == address)).first()
    return _user(row) if row is not None else None


def user_by_id(conn: Connection, user_id: int) -> User | None:
    """The user with this id, or None."""
    row = conn.execute(sa.select(app_user).where(app_user.c.id == user_id)).first()
    return _user(row) if row is not None else None


def update_user(
    conn: Connection,
    user_id: int,
    *,
    role: str | None = None,
    password_hash: str | None = None,
    is_active: bool | None = None,
    language: str | None = None,
) -> User:
    """Change a user's role, password hash, active flag or UI language."""
    if role is not None and role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    values = {
        k: v
        for k, v in {
            "role": role,
            "password_hash": password_hash,
            "is_active": is_active,
            "language": language,
        }.items()
        if v is not None
    }
    if values:
        conn.execute(sa.update(app_user).where(app_user.c.id == user_id).values(**values))
    if values.keys() & {"role", "password_hash", "is_active"}:
        # A new password, role or a disabled account: sessions begun before it stop working
        # (a new UI language is no reason to sign anyone out).
        end_user_sessions(conn, user_id)
    found = user_by_id(conn, user_id)
    if found is None:
        raise NotFoundError(f"no user with id {user_id}")
    return found


def create_token(
    conn: Connection, user_id: int, name: str | None, now: datetime
) -> tuple[int, str]:
    """A new token for a user: (id, the token itself — shown once, stored only hashed)."""
    if user_by_id(conn, user_id) is None:
        raise NotFoundError(f"no user with id {user_id}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    new_id = conn.execute(
        sa.insert(api_token).returning(api_token.c.id),
        {"user_id": user_id, "name": name, "token_hash": hash_token(token), "created_at": now},
    ).scalar_one()
    return int(new_id), token


def user_for_token(conn: Connection, token: str, now: datetime) -> User | None:
    """The active user a live token belongs to (and note its use), or None."""
    row = conn.execute(
        sa.select(app_user, api_token.c.id.label("token_id"), api_token.c.last_used_at)
        .join(api_token, api_token.c.user_id == app_user.c.id)
        .where(api_token.c.token_hash == hash_token(token), api_token.c.revoked_at.is_(None))
    ).first()
    if row is None or not row.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > _TOUCH_EVERY:
        conn.execute(
            sa.update(api_token).where(api_token.c.id == row.token_id).values(last_used_at=now)
        )
    return _user(row)


def list_tokens(conn: Connection, user_id: int | None = None) -> list[ApiToken]:
    """Tokens (all, or one user's), newest first."""
    stmt = (
        sa.select(api_token, app_user.c.email)
        .join(app_user, app_user.c.id == api_token.c.user_id)
        .order_by(api_token.c.id.desc())
    )
    if user_id is not None:
        stmt = stmt.where(api_token.c.user_id == user_id)
    return [
        ApiToken(r.id, r.user_id, r.email, r.name, r.created_at, r.last_used_at, r.revoked_at)
        for r in conn.execute(stmt)
    ]


def revoke_token(conn: Connection, token_id: int, now: datetime) -> None:
    """Make a token stop working (kept, marked revoked)."""
    done = conn.execute(
        sa.update(api_token)
        .where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if done.rowcount == 0:
        exists = conn.execute(sa.select(api_token.c.id).where(api_token.c.id == token_id)).first()
        if exists is None:
            raise NotFoundError(f"no API token with id {token_id}")


def get_setting(conn: Connection, key: str) -> str | None:
    """A stored server setting, or None."""
    value = conn.execute(sa.select(app_setting.c.value).where(app_setting.c.key == key)).scalar()
    return None if value is None else str(value)


def set_setting(conn: Connection, key: str, value: str) -> None:
    """Store a server setting, replacing any earlier value."""
    conn.execute(sa.delete(app_setting).where(app_setting.c.key == key))
    conn.execute(sa.insert(app_setting), {"key": key, "value": value})


def setting_or_create(conn: Connection, key: str, make: str) -> str:
    """The stored value for `key`, storing `make` first when there is none."""
    found = get_setting(conn, key)
    if found is not None:
        return found
    conn.execute(sa.insert(app_setting), {"key": key, "value": make})
    return make
