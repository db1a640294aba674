"""Signed-in sessions backed by session rows, and the login rate limit, both in the database so
they hold across web processes and machines."""

from __future__ import annotations

from datetime import datetime, timedelta

from otklik.services.context import Services
from otklik.storage import sessions, utcnow

SESSION_SECONDS = 14 * 24 * 3600


class LoginLimiter:
    """At most `attempts` failed logins per e-mail and address within `window` seconds,
    counted in the database, so the limit holds across web processes and machines."""

    def __init__(self, svc: Services, attempts: int = 5, window: float = 300.0) -> None:
        self.store = svc.store
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


def start_session(svc: Services, nonce: str, user_id: int) -> None:
    """Record a new session under its cookie's nonce (expired ones are dropped meanwhile)."""
    with svc.store.begin() as conn:
        sessions.drop_expired(conn, utcnow())
        sessions.start_session(conn, nonce, user_id, utcnow(), timedelta(seconds=SESSION_SECONDS))


def end_session(svc: Services, nonce: str) -> None:
    """Sign this session out (its cookie stops working even if kept)."""
    with svc.store.begin() as conn:
        sessions.end_session(conn, nonce)
