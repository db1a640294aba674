"""Sources that bring mentions by themselves: RSS/Atom feeds, webhook pushes, IMAP mailboxes
and public Telegram channels. Adding, listing, pausing and removing them, polling one now (the
`poll_source` job runs the same), and taking a webhook's pushed items. Every item goes in
through the intake with the source's id and the item's external id, so nothing is taken twice.
"""

from __future__ import annotations

import functools
import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import certifi
import httpx

from otklik import signing
from otklik.domain.records import SOURCE_KINDS, Source, Workspace
from otklik.errors import InputError, NotFoundError
from otklik.ingest import imap, rss, telegram, webhook
from otklik.ingest.intake import IntakeOptions, IntakeResult, take
from otklik.ingest.poll import Poll, SourceError
from otklik.ingest.webhook import BodyError
from otklik.jobs.schedules import Rule, add_schedule
from otklik.services import alerts, jobs, upgrade
from otklik.services.context import Services
from otklik.storage import sources as stored
from otklik.storage import utcnow

__all__ = [
    "KINDS",
    "Added",
    "BodyError",
    "PausedError",
    "PushResult",
    "RunResult",
    "SignatureError",
    "Source",
    "SourceError",
]

KINDS = SOURCE_KINDS
POLL_KIND = "poll_source"
DEFAULT_EVERY = {"rss": 15, "imap": 5, "telegram": 30}
DEFAULT_DEPTH = 3
_EVERY = re.compile(r"^\s*(\d+)\s*(m|min|h|d)?\s*$", re.IGNORECASE)

Progress = Callable[[str], None]
"""Called with a line saying how far a poll has got."""


LIVE_BATCH_LIMIT = 200
"""More items than this in one poll or push are labelled by the compact tier first."""


class SignatureError(InputError):
    """A push without a valid signature or token: nothing in it is taken."""


class PausedError(InputError):
    """A push to a paused source: nothing in it is taken."""


@dataclass(frozen=True)
class Added:
    """A new source; a webhook's secret is here once and never shown again."""

    source: Source
    secret: str | None = None
    webhook_url: str | None = None
    job_id: int | None = None


@dataclass(frozen=True)
class RunResult:
    """One poll: status (ok, not_modified, error) and the intake's counts."""

    status: str
    read: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON values (a job's result, the API's answer)."""
        return dict(vars(self))


@dataclass
class PushResult:
    """Per item of a push: position, status (accepted, updated, duplicate, rejected),
    external_id, and for a rejected one the field and the reason."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many items ended with `status`."""
        return sum(1 for i in self.items if i["status"] == status)


def parse_every(text: str | int | None, kind: str) -> int:
    """Minutes between polls from `15m`, `2h`, `1d` or a number of minutes."""
    if text is None or text == "":
        return DEFAULT_EVERY.get(kind, 15)
    found = _EVERY.match(str(text))
    if not found or int(found.group(1)) < 1:
        raise InputError(f"every {text!r}: write a period such as 15m, 2h or 1d")
    scale = {"": 1, "m": 1, "min": 1, "h": 60, "d": 1440}[(found.group(2) or "").lower()]
    return int(found.group(1)) * scale


# Adding


def add(svc: Services, ws: Workspace, kind: str, name: str, **options: Any) -> Added:
    """Add a source of `kind` (rss, webhook, imap, telegram) with its options; a polled one is
    polled at once and then every `every` (15m, 2h…)."""
    name = (name or "").strip()
    if not name:
        raise InputError("a source needs a name")
    if kind == "rss":
        return add_rss(svc, ws, name, options.get("url") or "", options.get("every"))
    if kind == "webhook":
        return add_webhook(svc, ws, name)
    if kind == "imap":
        return add_imap(
            svc,
            ws,
            name,
            host=options.get("host") or "",
            user=options.get("user") or "",
            password=options.get("password") or "",
            folder=options.get("folder") or "INBOX",
            port=options.get("port"),
            security=options.get("security") or "ssl",
            every=options.get("every"),
        )
    if kind == "telegram":
        return add_telegram(
            svc, ws, name, options.get("channel") or "", options.get("depth"), options.get("every")
        )
    raise InputError(f"unknown source kind {kind!r}: use one of {', '.join(KINDS)}")


def add_rss(svc: Services, ws: Workspace, name: str, url: str, every: str | None) -> Added:
    """Add an RSS/Atom feed polled every `every` (default 15 minutes)."""
    url = url.strip()
    if not re.match(r"^https?://\S+$", url):
        raise InputError(f"feed URL {url!r}: give an http:// or https:// address")
    return _add_polled(svc, ws, name, "rss", {"url": url}, None, parse_every(every, "rss"))


def add_webhook(svc: Services, ws: Workspace, name: str) -> Added:
    """Add a webhook source; the result carries its URL and secret (shown this once)."""
    secret = signing.new_secret()
    with svc.store.begin() as conn:
        found = stored.add_source(
            conn, ws.id, name, "webhook", {}, secret=secret, every_minutes=None, now=utcnow()
        )
    return Added(found, secret=secret, webhook_url=webhook_url(svc, found.id))


def add_imap(
    svc: Services,
    ws: Workspace,
    name: str,
    *,
    host: str,
    user: str,
    password: str,
    folder: str = "INBOX",
    port: int | str | None = None,
    security: str = "ssl",
    every: str | None = None,
) -> Added:
    """Add an IMAP mailbox polled every `every` (default 5 minutes); the password is kept in
    the database (see README) and never shown again."""
    imap.check_security(security)
    if not host.strip() or not user.strip():
        raise InputError("an IMAP source needs --host and --user")
    if not password:
        raise InputError("an IMAP source needs the mailbox password")
    chosen = _port(port, 993 if security == "ssl" else 143)
    settings = {"host": host.strip(), "port": chosen, "user": user.strip()}
    settings |= {"folder": folder or "INBOX", "security": security}
    return _add_polled(svc, ws, name, "imap", settings, password, parse_every(every, "imap"))


def add_telegram(
    svc: Services,
    ws: Workspace,
    name: str,
    channel: str,
    depth: int | str | None = None,
    every: str | None = None,
) -> Added:
    """Add a public Telegram channel read from its web preview; the first poll pages back
    `depth` pages (about 20 posts each)."""
    settings = {"channel": telegram.channel_name(channel), "depth": _depth(depth)}
    return _add_polled(svc, ws, name, "telegram", settings, None, parse_every(every, "telegram"))


def _port(value: int | str | None, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        port = int(str(value))
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise InputError(f"port {value!r}: give a number from 1 to 65535")
    return port


def _depth(value: int | str | None) -> int:
    if value in (None, ""):
        return DEFAULT_DEPTH
    try:
        depth = int(str(value))
    except ValueError:
        depth = 0
    if not 1 <= depth <= 100:
        raise InputError(f"depth {value!r}: give a number of pages from 1 to 100")
    return depth


def _add_polled(
    svc: Services,
    ws: Workspace,
    name: str,
    kind: str,
    settings: Mapping[str, Any],
    secret: str | None,
    every: int,
) -> Added:
    with svc.store.begin() as conn:
        found = stored.add_source(
            conn, ws.id, name, kind, settings, secret=secret, every_minutes=every, now=utcnow()
        )
    plan = add_schedule(
        svc.store,
        ws.id,
        f"source:{found.id}",
        POLL_KIND,
        {"source_id": found.id},
        Rule(every_minutes=every, timezone="UTC"),
    )
    with svc.store.begin() as conn:
        stored.set_schedule(conn, found.id, plan.id)
    queued = queue_poll(svc, ws, found)
    return Added(source(svc, ws, found.name), job_id=queued)


def queue_poll(svc: Services, ws: Workspace, found: Source) -> int | None:
    """Queue a poll of a polled source now (a webhook has nothing to poll: None)."""
    if found.kind == "webhook":
        return None
    return jobs.enqueue(
        svc, ws, POLL_KIND, {"source_id": found.id}, dedupe_key=f"{POLL_KIND}:{found.id}"
    ).id


# Reading


def sources(svc: Services, ws: Workspace) -> list[Source]:
    """The workspace's feeds, webhooks, mailboxes and channels, by name."""
    with svc.store.connect() as conn:
        return stored.list_sources(conn, ws.id, KINDS)


def source(svc: Services, ws: Workspace, name: str) -> Source:
    """One source by name (NotFoundError otherwise)."""
    with svc.store.connect() as conn:
        return stored.find_source(conn, ws.id, name)


def source_by_id(svc: Services, ws: Workspace, source_id: int) -> Source:
    """One source by id (NotFoundError otherwise)."""
    with svc.store.connect() as conn:
        return stored.get_source(conn, ws.id, source_id)


def webhook_url(svc: Services, source_id: int) -> str:
    """Where a webhook source takes pushes."""
    base = svc.settings.base_url
    return f"{base.rstrip('/')}/api/v1/sources/{source_id}/items"


def source_dict(svc: Services, found: Source) -> dict[str, Any]:
    """A source as the CLI and the API show it (never its secret)."""
    shown = {k: v for k, v in found.settings.items() if k != "password"}
    return {
        "id": found.id,
        "name": found.name,
        "kind": found.kind,
        "settings": shown,
        "every_minutes": found.every_minutes,
        "paused": found.is_paused,
        "last_run_at": _iso(found.last_run_at),
        "last_status": found.last_status,
        "items_total": found.items_total,
        "last_error": found.last_error,
        "next_run_at": _iso(found.next_run_at),
        "webhook_url": webhook_url(svc, found.id) if found.kind == "webhook" else None,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() + "Z" if moment is not None else None


# Changing


def set_paused(svc: Services, ws: Workspace, name: str, paused: bool) -> Source:
    """Pause a source (no polls, pushes refused) or resume it."""
    found = source(svc, ws, name)
    with svc.store.begin() as conn:
        stored.set_paused(conn, ws.id, found.id, paused)
    return source(svc, ws, name)


def remove(svc: Services, ws: Workspace, name: str) -> None:
    """Remove a source and its schedule; the mentions it brought stay."""
    found = source(svc, ws, name)
    with svc.store.begin() as conn:
        stored.remove_source(conn, ws.id, found.id)


# Polling


def run_source(
    svc: Services,
    ws: Workspace,
    found: Source,
    progress: Progress | None = None,
    *,
    client: httpx.Client | None = None,
) -> RunResult:
    """Poll a source once now: read what is new, take it through the intake, record the
    source's health. A source that cannot be read is recorded with its error and raises
    SourceError; nothing of that poll is stored and its poll state stays."""
    say = progress or (lambda _line: None)
    if found.kind == "webhook":
        raise InputError(f"source {found.name!r} is a webhook: it is pushed to, not polled")
    say(f"reading {found.name} ({found.kind})")
    started = utcnow()
    try:
        poll = _poll(svc, found, client)
        if poll.is_not_modified:
            result = RunResult("not_modified")
        elif not poll.items:  # nothing new: no import run to record
            result = RunResult("ok")
        else:
            say(f"{len(poll.items)} items read; analysing and storing")
            taken = _take(svc, ws, found, poll, say)
            if taken.imported or taken.updated:
                alerts.check_soon(svc, ws)  # instant alerts go out now, not at the next minute
            result = RunResult(
                "ok",
                taken.read,
                taken.imported,
                taken.updated,
                taken.duplicates,
                taken.rejected,
            )
    except Exception as exc:
        message = str(exc) or type(exc).__name__
        with svc.store.begin() as conn:
            stored.record_run(
                conn, found.id, at=started, status="error", error=message, taken=0, state=None
            )
        if isinstance(exc, SourceError):
            raise
        raise SourceError(f"source {found.name!r}: {message}") from exc
    with svc.store.begin() as conn:
        stored.record_run(
            conn,
            found.id,
            at=started,
            status=result.status,
            error=None,
            taken=result.imported,
            state=poll.state,
        )
    return result


def _poll(svc: Services, found: Source, client: httpx.Client | None) -> Poll:
    settings, state = found.settings, found.state
    limit = svc.settings.source_max_bytes
    if found.kind == "imap":
        with svc.store.connect() as conn:
            password = stored.secret_of(conn, found.id) or ""
        return imap.poll_mailbox(
            host=settings["host"],
            port=int(settings["port"]),
            user=settings["user"],
            password=password,
            folder=settings.get("folder") or "INBOX",
            security=settings.get("security") or "ssl",
            state=state,
            timeout=svc.settings.source_timeout_s,
        )
    own = client is None
    http = client or httpx.Client(timeout=svc.settings.source_timeout_s, verify=_tls())
    try:
        if found.kind == "rss":
            return rss.poll_feed(http, settings["url"], state, max_bytes=limit)
        if found.kind == "telegram":
            return telegram.poll_channel(
                http,
                svc.settings.telegram_url,
                settings["channel"],
                state,
                depth=int(settings.get("depth") or DEFAULT_DEPTH),
                max_bytes=limit,
            )
    finally:
        if own:
            http.close()
    raise InputError(f"source kind {found.kind!r} cannot be polled")


@functools.cache
def _tls() -> ssl.SSLContext:
    # Building the CA bundle costs ~60 ms: once per process, not once per poll.
    return ssl.create_default_context(cafile=certifi.where())


def _take(svc: Services, ws: Workspace, found: Source, poll: Poll, say: Progress) -> IntakeResult:
    def counted(result: IntakeResult) -> None:
        say(f"{result.read} of {len(poll.items)} items stored or skipped")

    # New items are labelled by the encoder tier at once; a big first read (a whole mailbox,
    # a channel paged back) gets the compact labels now and the background upgrade after.
    is_bulk = len(poll.items) > LIVE_BATCH_LIMIT
    pipelines = svc.pipelines
    taken = take(
        svc.store,
        ws,
        pipelines.for_workspace(ws) if is_bulk else pipelines.for_live_source(ws),
        poll.items,
        source_id=found.id,
        label=_label(found),
        options=IntakeOptions(batch_size=svc.settings.batch_size),
        progress=counted,
    )
    if is_bulk and taken.imported:
        upgrade.queue(svc, ws)
    return taken


def _label(found: Source) -> str:
    settings = found.settings
    if found.kind == "rss":
        return str(settings.get("url"))
    if found.kind == "imap":
        return f"imap://{settings.get('user')}@{settings.get('host')}/{settings.get('folder')}"
    if found.kind == "telegram":
        return f"t.me/s/{settings.get('channel')}"
    return f"webhook:{found.id}"


# Pushing


def push(
    svc: Services,
    ws: Workspace,
    source_id: int,
    body: bytes,
    *,
    signature: str | None,
    has_token: bool,
) -> PushResult:
    """Take the items of a webhook push: authenticated by the caller's API token
    (`has_token`) or the body's HMAC signature with the source's secret (SignatureError
    otherwise); BodyError for a body that is not JSON. Per item: accepted, updated,
    duplicate (same external_id, same text) or rejected with the field and reason."""
    found = source_by_id(svc, ws, source_id)
    if found.kind != "webhook":
        raise NotFoundError(f"source {source_id} is not a webhook source")
    if not has_token:
        with svc.store.connect() as conn:
            secret = stored.secret_of(conn, found.id)
        if secret is None or not signing.verify(secret, body, signature):
            raise SignatureError(
                f"missing or wrong {signing.HEADER} (sha256=HMAC of the body with the source's "
                "secret), and no API token"
            )
    if found.is_paused:
        raise PausedError(f"source {found.name!r} is paused; resume it to take pushes")
    items = webhook.parse_body(body)
    started = utcnow()
    # A live item is labelled by the encoder tier at once; a big batch gets the compact labels
    # now (the caller waits) and the background upgrade after.
    is_bulk = len(items) > LIVE_BATCH_LIMIT
    pipelines = svc.pipelines
    taken = take(
        svc.store,
        ws,
        pipelines.for_workspace(ws) if is_bulk else pipelines.for_live_source(ws),
        items,
        source_id=found.id,
        label=_label(found),
        options=IntakeOptions(batch_size=svc.settings.batch_size, keep_outcomes=True),
    )
    with svc.store.begin() as conn:
        stored.record_run(
            conn, found.id, at=started, status="ok", error=None, taken=taken.imported, state=None
        )
    if taken.imported or taken.updated:
        alerts.check_soon(svc, ws)  # instant alerts go out now, not at the next minute
        if is_bulk:
            upgrade.queue(svc, ws)
    ids = {item.position: item.external_id for item in items}
    return PushResult(
        [
            {
                "position": o.position,
                "status": o.status,
                "external_id": ids.get(o.position),
                "field": o.field,
                "reason": o.reason,
            }
            for o in taken.outcomes
        ]
    )
