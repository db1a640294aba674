"""E-mail through IMAP: each new message a mention (subject as title, the plain text body with
quoted replies and signatures cut, the sender as author). The mailbox is only read (BODY.PEEK,
nothing marked); what was taken is remembered as UIDVALIDITY plus the last UID."""

from __future__ import annotations

import imaplib
import json
import re
import ssl
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from otklik.ingest.html_text import html_to_text
from otklik.ingest.poll import Poll, SourceError
from otklik.ingest.raw import RawItem

SECURITY = ("ssl", "starttls", "none")
MAX_PER_POLL = 500

# A line that opens the quoted earlier message, in the languages we serve and mail clients'.
_QUOTE_HEADER = re.compile(
    r"^(On .{3,200} wrote:|.{0,200}\b(написал|написала|написал\(а\)|пишет|жазды)\s*:"
    r"|-{2,}\s*(Original Message|Исходное сообщение|Пересылаемое сообщение|Forwarded message)"
    r"\s*-{2,}|From:\s.+|От:\s.+|Кімнен:\s.+)\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^(-- ?|__+|Sent from my \w+.*|Отправлено с \w+.*|Отправлено из .+|"
    r"С уважением,?|Best regards,?|Kind regards,?|Құрметпен,?)\s*$",
    re.IGNORECASE,
)


def poll_mailbox(
    *,
    host: str,
    port: int,
    user: str,
    password: str,
    folder: str,
    security: str,
    state: dict[str, Any],
    timeout: float,
) -> Poll:
    """The messages that arrived in `folder` since the last poll (SourceError saying why when
    the server cannot be reached or refuses the login)."""
    try:
        client = _connect(host, port, security, timeout)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise SourceError(f"cannot reach IMAP server {host}:{port} ({exc})") from exc
    try:
        try:
            client.login(user, password)
        except imaplib.IMAP4.error as exc:
            raise SourceError(f"IMAP login as {user} refused: {_text(exc)}") from exc
        return _read_new(client, folder, state)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise SourceError(f"IMAP {host}:{port} failed: {_text(exc)}") from exc
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _connect(host: str, port: int, security: str, timeout: float) -> imaplib.IMAP4:
    if security == "ssl":
        return imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    client = imaplib.IMAP4(host, port, timeout=timeout)
    if security == "starttls":
        client.starttls(ssl.create_default_context())
    return client


def _read_new(client: imaplib.IMAP4, folder: str, state: dict[str, Any]) -> Poll:
    status, _ = client.select(_quoted(folder), readonly=True)
    if status != "OK":
        raise SourceError(f"IMAP folder {folder!r} cannot be opened")
    validity = _uidvalidity(client)
    last = int(state.get("last_uid") or 0) if state.get("uidvalidity") == validity else 0
    status, found = client.uid("SEARCH", f"UID {last + 1}:*")
    if status != "OK":
        raise SourceError(f"IMAP search in {folder!r} failed")
    # `n:*` always matches the newest message, even one taken already: keep only newer UIDs.
    uids = sorted(u for u in (int(x) for x in (found[0] or b"").split()) if u > last)
    uids = uids[:MAX_PER_POLL]
    items: list[RawItem] = []
    for n, uid in enumerate(uids, start=1):
        status, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
        body = next((p[1] for p in parts if isinstance(p, tuple)), None)
        if status != "OK" or not isinstance(body, bytes):
            continue
        items.append(message_item(n, body, f"imap:{validity}:{uid}"))
    newest = max([last, *uids])
    return Poll(items=items, state={"uidvalidity": validity, "last_uid": newest})


def _uidvalidity(client: imaplib.IMAP4) -> str:
    _, values = client.response("UIDVALIDITY")
    value = values[0] if values else None
    return value.decode() if isinstance(value, bytes) else str(value or "")


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(exc: BaseException) -> str:
    return " ".join(
        a.decode(errors="replace") if isinstance(a, bytes) else str(a) for a in exc.args
    )


def message_item(position: int, data: bytes, fallback_id: str) -> RawItem:
    """One e-mail as a raw item; its Message-ID is its identity."""
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    name, address = _sender(message)
    message_id = (message.get("Message-ID") or "").strip() or fallback_id
    data_out = {
        "text": clean_body(_body(message)),
        "title": (message.get("Subject") or "").strip() or None,
        "author": name or address,
        "author_id": address,
        "published_at": _date(message),
        "channel": "email",
    }
    raw = {
        "message_id": message_id,
        "from": str(message.get("From") or ""),
        "subject": data_out["title"],
        "date": str(message.get("Date") or ""),
    }
    return RawItem(
        position=position,
        data=data_out,
        raw=json.dumps(raw, ensure_ascii=False),
        payload={**raw, "text": data_out["text"]},
        external_id=message_id[:500],
    )


def _sender(message: EmailMessage) -> tuple[str | None, str | None]:
    found = getaddresses([str(message.get("From") or "")])
    if not found:
        return None, None
    name, address = found[0]
    return (name.strip() or None), (address.strip() or None)


def _date(message: EmailMessage) -> str | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value)).isoformat()
    except (TypeError, ValueError):
        return None


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    text = str(content)
    return html_to_text(text) if part.get_content_type() == "text/html" else text


def clean_body(text: str) -> str:
    """The author's own words: quoted replies (`>` lines, "On … wrote:" and what follows)
    and the signature (from "-- " or a closing like "С уважением") cut."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if _QUOTE_HEADER.match(stripped) or _SIGNATURE.match(line.rstrip("\n")):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def check_security(value: str) -> str:
    """`ssl`, `starttls` or `none` (SourceError otherwise)."""
    if value not in SECURITY:
        raise SourceError(f"IMAP security must be one of {', '.join(SECURITY)}, not {value!r}")
    return value


__all__ = ["SECURITY", "check_security", "clean_body", "message_item", "poll_mailbox"]
