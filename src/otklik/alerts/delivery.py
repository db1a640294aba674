"""Sending one alert message: e-mail through the configured SMTP server, or a webhook POST
signed with the rule's secret (X-Otklik-Signature)."""

from __future__ import annotations

import smtplib

import httpx

from otklik import mail, signing
from otklik.settings import Settings

TIMEOUT_S = 15.0


class DeliveryError(Exception):
    """A message that did not go out this time (the reason is the text)."""


def send_email(settings: Settings, to: str, message: dict[str, str]) -> None:
    """Send a stored e-mail message; DeliveryError with the reason when it fails."""
    try:
        mail.send(
            settings, to, message["subject"], message["text"], message["html"], message["language"]
        )
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def post_webhook(client: httpx.Client, url: str, body: bytes, secret: str) -> None:
    """POST a signed JSON body; DeliveryError unless the receiver answers 2xx."""
    headers = {"Content-Type": "application/json", signing.HEADER: signing.sign(secret, body)}
    try:
        answer = client.post(url, content=body, headers=headers, timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if not answer.is_success:
        raise DeliveryError(f"the receiver answered {answer.status_code}: {answer.text[:200]}")
