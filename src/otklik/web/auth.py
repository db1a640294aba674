"""Signed session cookies (each backed by a session row, see `services.sessions`), CSRF tokens
and roles."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from otklik.services.sessions import SESSION_SECONDS

ROLE_RANK = {"viewer": 0, "analyst": 1, "admin": 2}
SESSION_COOKIE = "otklik_session"
PRE_SESSION_COOKIE = "otklik_pre"


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
