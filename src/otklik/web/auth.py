"""Passwords (argon2), signed session cookies backed by session rows, CSRF tokens and the
login rate limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from otklik.storage import Store, sessions, utcnow

ROLE_RANK = {"viewer": 0, "analyst": 1, "admin": 2}
SESSION_COOKIE = "otklik_session"
PRE_SESSION_COOKIE = "otklik_pre"
SESSION_SECONDS = 14 * 24 * 3600


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    if len(password) < 8:
        from otklik.errors import InputError

        raise InputError("a password needs at least 8 characters")
    return PasswordHasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A generated password for the first admin."""
    return secrets.token_urlsafe(12)


def may(role: str, needed: str) -> bool:
    """True when `role` is at least `needed` (viewer < analyst < admin)."""
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[needed]


@dataclass(frozen=True)
class Session:
    """Who a session cookie belongs to, and the nonce its CSRF token derives from."""

    user_id: int
    nonce: str
    issued: int  # milliseconds since the epoch


class Signer:
    """Signs and checks session cookies and CSRF tokens with the server's secret key."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("otklik-session:" + secret).encode()).digest()

    def _mac(self, data: bytes) -> str:
        digest = hmac.new(self._key, data, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def session_cookie(self, user_id: int, now: float | None = None) -> str:
        """A signed cookie value for a new session."""
        issued = int((now if now is not None else time.time()) * 1000)
        payload = {"u": user_id, "n": secrets.token_urlsafe(16), "t": issued}
        body = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
        return f"{body}.{self._mac(body.encode())}"

    def read_session(self, value: str | None, now: float | None = None) -> Session | None:
        """The session a cookie stands for, or None when missing, forged or expired."""
        if not value or "." not in value:
            return None
        body, mac = value.rsplit(".", 1)
        if not hmac.compare_digest(mac, self._mac(body.encode())):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            session = Session(int(payload["u"]), str(payload["n"]), int(payload["t"]))
        except (ValueError, KeyError, TypeError):
            return None
        moment = now if now is not None else time.time()
        if moment * 1000 - session.issued > SESSION_SECONDS * 1000:
            return None
        return session

    def csrf_token(self, nonce: str) -> str:
        """The CSRF token forms carry for a session (or pre-session) nonce."""
        return self._mac(b"csrf:" + nonce.encode())

    def csrf_ok(self, nonce: str | None, token: str | None) -> bool:
        """True when a submitted token belongs to this nonce."""
        if not nonce or not token:
            return False
        return hmac.compare_digest(token, self.csrf_token(nonce))


class LoginLimiter:
    """At most `attempts` failed logins per e-mail and address within `window` seconds,
    counted in the database, so the limit holds across web processes and machines."""

    def __init__(self, store: Store, attempts: int = 5, window: float = 300.0) -> None:
        self.store = store
        self.attempts = attempts
        self.window = timedelta(seconds=window)

    def retry_after(self, email: str, address: str, now: datetime | None = None) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        moment = now or utcnow()
        with self.store.connect() as conn:
            recent = sessions.failures_since(conn, _key(email, address), moment - self.window)
        if len(recent) < self.attempts:
            return 0
        return max(1, int((recent[-self.attempts] + self.window - moment).total_seconds()) + 1)

    def failed(self, email: str, address: str, now: datetime | None = None) -> None:
        """Record a failed attempt."""
        moment = now or utcnow()
        with self.store.begin() as conn:
            sessions.add_failure(conn, _key(email, address), moment, moment - self.window)

    def succeeded(self, email: str, address: str) -> None:
        """Forget the failures of an e-mail and address after a good login."""
        with self.store.begin() as conn:
            sessions.clear_failures(conn, _key(email, address))


def _key(email: str, address: str) -> str:
    return f"{email.strip().lower()[:320]}|{address[:64]}"


def start_session(store: Store, signer: Signer, user_id: int) -> str:
    """Record a new session and return its signed cookie value."""
    cookie = signer.session_cookie(user_id)
    session = signer.read_session(cookie)
    assert session is not None
    with store.begin() as conn:
        sessions.drop_expired(conn, utcnow())
        sessions.start_session(
            conn, session.nonce, user_id, utcnow(), timedelta(seconds=SESSION_SECONDS)
        )
    return cookie


def session_is_live(store: Store, session: Session) -> bool:
    """True while the session's row exists (not signed out, password unchanged, not expired)."""
    with store.connect() as conn:
        return sessions.session_user_id(conn, session.nonce, utcnow()) == session.user_id


def end_session(store: Store, session: Session) -> None:
    """Sign this session out (its cookie stops working even if kept)."""
    with store.begin() as conn:
        sessions.end_session(conn, session.nonce)
