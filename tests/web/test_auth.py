"""Sessions, CSRF tokens, passwords and the login limit on their own."""

from __future__ import annotations

from datetime import datetime, timedelta

from otklik.services import Services
from otklik.services.passwords import hash_password, verify_password
from otklik.services.sessions import SESSION_SECONDS, LoginLimiter
from otklik.settings import Settings
from otklik.storage import Store
from otklik.web.auth import Signer


def test_session_cookie_round_trips_and_rejects_tampering() -> None:
    signer = Signer("secret")
    cookie = signer.session_cookie(7, now=1000.0)
    session = signer.read_session(cookie, now=1001.0)
    assert session is not None and session.user_id == 7
    body, mac = cookie.rsplit(".", 1)
    forged = Signer("secret").session_cookie(8, now=1000.0).rsplit(".", 1)[0] + "." + mac
    assert signer.read_session(forged, now=1001.0) is None
    assert Signer("other").read_session(cookie, now=1001.0) is None
    assert signer.read_session(cookie, now=1000.0 + SESSION_SECONDS + 1) is None
    assert signer.read_session("garbage", now=1001.0) is None


def test_csrf_token_belongs_to_one_nonce() -> None:
    signer = Signer("secret")
    token = signer.csrf_token("nonce-a")
    assert signer.csrf_ok("nonce-a", token)
    assert not signer.csrf_ok("nonce-b", token)
    assert not signer.csrf_ok(None, token) and not signer.csrf_ok("nonce-a", None)


def test_passwords_are_argon2_hashed() -> None:
    stored = hash_password("long enough")
    assert stored.startswith("$argon2id$") and "long enough" not in stored
    assert verify_password(stored, "long enough") and not verify_password(stored, "wrong")
    assert not verify_password("not a hash", "long enough")


def test_login_limit_counts_failures_per_email_and_address_in_a_window(store: Store) -> None:
    settings = Settings(database_url=str(store.engine.url))
    limiter = LoginLimiter(Services(settings, store), attempts=3, window=60)
    start = datetime(2025, 1, 1, 12, 0)

    def at(seconds: float) -> datetime:
        return start + timedelta(seconds=seconds)

    for moment in (0.0, 1.0, 2.0):
        assert limiter.retry_after("a@x.io", "1.1.1.1", now=at(moment)) == 0
        limiter.failed("A@x.io ", "1.1.1.1", now=at(moment))
    assert limiter.retry_after("a@x.io", "1.1.1.1", now=at(3.0)) == 58
    assert limiter.retry_after("a@x.io", "2.2.2.2", now=at(3.0)) == 0
    assert limiter.retry_after("b@x.io", "1.1.1.1", now=at(3.0)) == 0
    assert limiter.retry_after("a@x.io", "1.1.1.1", now=at(61.5)) == 0
    other = Services(settings, Store.open(str(store.engine.url)))
    other_process = LoginLimiter(other, attempts=3, window=60)
    assert other_process.retry_after("a@x.io", "1.1.1.1", now=at(3.0)) == 58
    other_process.succeeded("a@x.io", "1.1.1.1")
    assert limiter.retry_after("a@x.io", "1.1.1.1", now=at(3.0)) == 0
    other_process.store.close()
