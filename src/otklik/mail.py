"""Sending e-mail through the SMTP server named by OTKLIK_SMTP_URL (HTML with a plain-text
part); no server configured means no e-mail."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from otklik.errors import ConfigError
from otklik.settings import Settings

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_address(text: str) -> bool:
    """True when `text` looks like one e-mail address (name@domain.tld, no spaces)."""
    return bool(_ADDRESS.match(text))


def can_send(settings: Settings) -> bool:
    """True when an SMTP server and a sender address are configured."""
    return settings.smtp_url is not None and bool(settings.smtp_from)


def send(settings: Settings, to: str, subject: str, text: str, html: str, language: str) -> None:
    """Send one message; ConfigError when SMTP is not configured or the URL is wrong."""
    if settings.smtp_url is None or not settings.smtp_from:
        raise ConfigError("e-mail is not configured: set OTKLIK_SMTP_URL and OTKLIK_SMTP_FROM")
    url = urlsplit(settings.smtp_url.get_secret_value())
    if url.scheme not in ("smtp", "smtps", "smtp+starttls") or not url.hostname:
        raise ConfigError(
            "OTKLIK_SMTP_URL must look like smtp://USER:PASSWORD@HOST:PORT "
            "(or smtps://, smtp+starttls://)"
        )
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    # After the content: set_content drops Content-* headers set before it.
    message["Content-Language"] = language
    port = url.port or (465 if url.scheme == "smtps" else 25)
    client_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with client_class(url.hostname, port, timeout=30) as client:
        if url.scheme == "smtp+starttls":
            client.starttls()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)
