"""Passwords: argon2id hashes, checking them, and generated ones."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from otklik.errors import InputError


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    if len(password) < 8:
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
