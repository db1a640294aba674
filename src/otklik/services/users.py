"""People who sign in, their roles, sessions and API tokens."""

from __future__ import annotations

from otklik.errors import NotFoundError
from otklik.services.context import Services
from otklik.services.passwords import hash_password, new_password, verify_password
from otklik.storage import sessions, utcnow
from otklik.storage import users as accounts
from otklik.storage.users import ROLES, ApiToken, User

__all__ = ["FIRST_ADMIN", "ROLES", "ApiToken", "User"]

FIRST_ADMIN = "admin@otklik.local"
SECRET_SETTING = "secret_key"


def add_user(svc: Services, email: str, role: str, password: str) -> User:
    """Add a user with a role (InputError for a short password or a taken e-mail)."""
    password_hash = hash_password(password)
    with svc.store.begin() as conn:
        return accounts.add_user(conn, email, role, password_hash, utcnow())


def first_admin(svc: Services) -> tuple[User, str] | None:
    """With no users at all, create an admin with a generated password: (user, password)."""
    with svc.store.begin() as conn:
        if accounts.count_users(conn) > 0:
            return None
        password = new_password()
        user = accounts.add_user(conn, FIRST_ADMIN, "admin", hash_password(password), utcnow())
    return user, password


def users(svc: Services) -> list[User]:
    """Every user."""
    with svc.store.connect() as conn:
        return accounts.list_users(conn)


def user_by_email(svc: Services, email: str) -> User | None:
    """The user with this e-mail, or None."""
    with svc.store.connect() as conn:
        return accounts.user_by_email(conn, email)


def set_password(svc: Services, email: str, password: str) -> User:
    """Set a user's password (a lost one): their sessions end, API tokens stay valid.
    NotFoundError for an unknown e-mail, InputError for a short password."""
    password_hash = hash_password(password)
    with svc.store.begin() as conn:
        user = accounts.user_by_email(conn, email)
        if user is None:
            raise NotFoundError(f"no user with e-mail {email!r}; see otklik users list")
        return accounts.update_user(conn, user.id, password_hash=password_hash)


def set_role(svc: Services, user_id: int, role: str) -> User:
    """Change a user's role (InputError for an unknown role)."""
    with svc.store.begin() as conn:
        return accounts.update_user(conn, user_id, role=role)


def authenticate(svc: Services, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = user_by_email(svc, email)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        return None
    return user


def session_user(svc: Services, nonce: str, user_id: int) -> User | None:
    """The active user of a live session (not signed out, expired, or ended by a password or
    role change), or None."""
    with svc.store.connect() as conn:
        if sessions.session_user_id(conn, nonce, utcnow()) != user_id:
            return None
        user = accounts.user_by_id(conn, user_id)
    return user if user is not None and user.is_active else None


def create_token(svc: Services, user_id: int, name: str | None) -> tuple[int, str]:
    """A new API token: (id, the token itself, shown once and stored only hashed)."""
    with svc.store.begin() as conn:
        return accounts.create_token(conn, user_id, name, utcnow())


def user_for_token(svc: Services, token: str) -> User | None:
    """The active user a live API token belongs to (its use noted), or None."""
    with svc.store.begin() as conn:
        return accounts.user_for_token(conn, token, utcnow())


def tokens(svc: Services) -> list[ApiToken]:
    """Every API token, newest first (never their secrets)."""
    with svc.store.connect() as conn:
        return accounts.list_tokens(conn)


def revoke_token(svc: Services, token_id: int) -> None:
    """Make a token stop working (NotFoundError for an unknown id)."""
    with svc.store.begin() as conn:
        accounts.revoke_token(conn, token_id, utcnow())


def secret_key(svc: Services, make: str) -> str:
    """The key that signs session cookies: the setting, else the stored one (storing `make`
    the first time)."""
    if svc.settings.secret_key is not None:
        return svc.settings.secret_key.get_secret_value()
    with svc.store.begin() as conn:
        return accounts.setting_or_create(conn, SECRET_SETTING, make)


def set_language(svc: Services, user_id: int, language: str) -> User:
    """Remember a user's UI language (InputError for one we do not serve)."""
    from otklik.errors import InputError
    from otklik.i18n import LANGUAGES

    if language not in LANGUAGES:
        raise InputError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    with svc.store.begin() as conn:
        return accounts.update_user(conn, user_id, language=language)
