"""Password reset links: a signed, expiring token that works once (it names a fingerprint of
the password it replaces, so setting a password spends it and every other link)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

from otklik.errors import InputError
from otklik.services import users as accounts
from otklik.services.context import Services
from otklik.services.passwords import hash_password
from otklik.services.users import User
from otklik.storage import users as stored

RESET_VALID = timedelta(hours=24)


class ResetTokenError(InputError):
    """A reset link that is forged, expired or already used."""


def reset_token(svc: Services, user: User, now: float | None = None) -> str:
    """A link token that lets `user` set a new password within RESET_VALID, once."""
    expires = int((now if now is not None else time.time()) + RESET_VALID.total_seconds())
    payload = {"u": user.id, "x": expires, "p": _fingerprint(user.password_hash)}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_mac(svc, body)}"


def reset_user(svc: Services, token: str, now: float | None = None) -> User:
    """The user a valid reset token is for (ResetTokenError otherwise)."""
    body, _, mac = token.strip().partition(".")
    if not body or not hmac.compare_digest(mac, _mac(svc, body)):
        raise ResetTokenError("the reset link is not valid")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        user_id, expires, fingerprint = int(payload["u"]), int(payload["x"]), str(payload["p"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ResetTokenError("the reset link is not valid") from exc
    if (now if now is not None else time.time()) > expires:
        raise ResetTokenError("the reset link has expired")
    with svc.store.connect() as conn:
        user = stored.user_by_id(conn, user_id)
    if user is None or not user.is_active:
        raise ResetTokenError("the reset link is not valid")
    if not hmac.compare_digest(fingerprint, _fingerprint(user.password_hash)):
        raise ResetTokenError("the reset link has already been used")
    return user


def reset_password(svc: Services, token: str, password: str, now: float | None = None) -> User:
    """Set a new password through a reset token; the token and the user's sessions end."""
    user = reset_user(svc, token, now)
    new_hash = hash_password(password)  # InputError for a short one
    with svc.store.begin() as conn:
        return stored.update_user(conn, user.id, password_hash=new_hash)  # sessions end too


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _mac(svc: Services, body: str) -> str:
    import secrets

    key = hashlib.sha256(
        ("otklik-reset:" + accounts.secret_key(svc, secrets.token_urlsafe(48))).encode()
    ).digest()
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
