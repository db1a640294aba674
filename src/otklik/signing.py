"""HMAC-SHA256 signatures of request bodies, the same for webhooks coming in and going out.

The header is ``X-Otklik-Signature: sha256=<hex digest of the raw body keyed by the secret>``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "X-Otklik-Signature"
PREFIX = "sha256="


def new_secret() -> str:
    """A fresh random secret for a webhook (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def sign(secret: str, body: bytes) -> str:
    """The header value for ``body``: ``sha256=<hex>``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body`` with ``secret`` (constant-time)."""
    if not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(sign(secret, body), header.strip())
