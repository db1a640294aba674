"""Alert rules: a saved filter plus a kind (instant, digest, spike) and recipients; checking
them (run by `otklik worker` as jobs), composing messages in each reader's language, sending
them with retries, a per-rule mute, and a cap per hour after which the rest is summarised."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from otklik import mail, signing
from otklik.alerts import messages
from otklik.alerts.delivery import DeliveryError, post_webhook, send_email
from otklik.alerts.messages import Body, Reader
from otklik.alerts.spike import SpikeDetector
from otklik.domain.alerts import (
    CHANNELS,
    EVERY,
    KINDS,
    STYLES,
    WEEKDAYS,
    AlertRule,
    Delivery,
    Recipient,
)
from otklik.domain.filters import Filters
from otklik.domain.records import MentionRecord, Workspace
from otklik.errors import ConfigError, InputError
from otklik.i18n import LANGUAGES, language_or_default
from otklik.services import catalog, queries
from otklik.services.context import Services
from otklik.storage import alerts as stored
from otklik.storage import feed, jobqueue, utcnow

RULE_FILTERS = (
    "brand",
    "tag",
    "sentiment",
    "channel",
    "source",
    "language",
    "role",
    "rating_min",
    "rating_max",
    "q",
)
DEFAULT_CAP = 10
CHECK_SCHEDULE = "alerts"
RETRY_AFTER_S = (30, 120, 600, 1800)  # then the delivery has failed
SPIKE_EVERY = timedelta(minutes=59)
SPIKE_COOLDOWN = timedelta(hours=3)
DETECTOR = SpikeDetector()


# Rules


def recipients_from(
    svc: Services,
    ws: Workspace,
    emails: Sequence[str],
    webhooks: Sequence[str],
    language: str | None = None,
    style: str = "json",
) -> list[Recipient]:
    """Recipients from edge values: `ADDR` or `ADDR:LANG` e-mails, webhook URLs; e-mails
    without a language are read in `language`, else the workspace's or the settings' one."""
    default = language or ws.language or svc.settings.language
    out: list[Recipient] = []
    for raw in emails:
        address, _, lang = raw.strip().partition(":")
        if not mail.is_address(address):
            raise InputError(f"email: {address!r} is not an e-mail address", field="emails")
        if lang and lang not in LANGUAGES:
            raise InputError(
                f"email {address}: language {lang!r} is not one of kk, ru, en", field="emails"
            )
        out.append(Recipient("email", address, lang or language_or_default(default)))
    for url in webhooks:
        url = url.strip()
        if not url.startswith(("http://", "https://")):
            raise InputError(
                f"webhook: {url!r} is not an http:// or https:// URL", field="webhooks"
            )
        if style not in STYLES:
            raise InputError(
                f"webhook style {style!r} is not one of {', '.join(STYLES)}", field="webhooks"
            )
        out.append(Recipient("webhook", url, style=style))
    return out


def _checked(
    ws: Workspace,
    name: str,
    kind: str,
    filters: Mapping[str, Any],
    recipients: Sequence[Recipient],
    at: str | None,
    every: str | None,
    weekday: int | str | None,
    cap_per_hour: int,
) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise InputError("name: an alert needs a name", field="name")
    if kind not in KINDS:
        raise InputError(f"kind: {kind!r} is not one of {', '.join(KINDS)}", field="kind")
    unknown = sorted(set(filters) - set(RULE_FILTERS))
    if unknown:
        raise InputError(
            f"{unknown[0]}: not a filter alerts use ({', '.join(RULE_FILTERS)})", field="filters"
        )
    clean = {k: v for k, v in filters.items() if v not in (None, "", [], ())}
    queries.filters(ws, clean)  # FilterError / QueryError name what is wrong
    if not recipients:
        raise InputError(
            "recipients: give at least one e-mail address or webhook URL", field="emails"
        )
    for r in recipients:
        if r.channel not in CHANNELS:
            raise InputError(f"recipient {r.address}: channel {r.channel!r} is unknown")
    if cap_per_hour < 1:
        raise InputError("cap per hour: 1 or more", field="cap_per_hour")
    if kind == "digest":
        at, every = at or "09:00", every or "day"
        if every not in EVERY:
            raise InputError(f"every: {every!r} is not one of {', '.join(EVERY)}", field="every")
        day = weekday_of(weekday) if every == "week" else None
        try:
            _rule_of(ws, at, every, day).check()
        except InputError as exc:
            raise InputError(f"at: {exc}", field="at") from exc
    else:
        at = every = day = None
    return {
        "name": name,
        "kind": kind,
        "filters": clean,
        "recipients": [r.to_dict() for r in recipients],
        "at_time": at,
        "every": every,
        "weekday": day,
        "cap_per_hour": cap_per_hour,
    }


def weekday_of(value: int | str | None) -> int:
    """A weekly digest's day: 0 (Monday) to 6 (Sunday), or its English name or first three
    letters; Monday when none is given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    text = str(value).strip().lower()
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    for number, name in enumerate(WEEKDAYS):
        if len(text) >= 3 and name.startswith(text):
            return number
    raise InputError(
        f"day: {value!r} is not a weekday; give 0 (Monday) to 6 (Sunday) or a name",
        field="weekday",
    )


def add(
    svc: Services,
    ws: Workspace,
    name: str,
    kind: str,
    filters: Mapping[str, Any],
    recipients: Sequence[Recipient],
    *,
    at: str | None = None,
    every: str | None = None,
    weekday: int | str | None = None,
    cap_per_hour: int = DEFAULT_CAP,
    now: datetime | None = None,
) -> AlertRule:
    """Save a rule; an instant rule starts from the newest mention (history is not sent); a
    weekly digest goes out on `weekday` (default Monday). InputError, FilterError or
    QueryError say which field is wrong."""
    values = _checked(ws, name, kind, filters, recipients, at, every, weekday, cap_per_hour)
    moment = now or utcnow()
    with svc.store.begin() as conn:
        if kind == "instant":
            values["cursor_mention_id"] = stored.last_mention_id(conn, ws.id)
        rule = stored.add_rule(
            conn, ws.id, {**values, "secret": signing.new_secret(), "is_muted": False}, moment
        )
    _schedule(svc, ws, rule, moment)
    return rule


def edit(
    svc: Services,
    ws: Workspace,
    name: str,
    *,
    new_name: str | None = None,
    kind: str,
    filters: Mapping[str, Any],
    recipients: Sequence[Recipient],
    at: str | None = None,
    every: str | None = None,
    weekday: int | str | None = None,
    cap_per_hour: int = DEFAULT_CAP,
    now: datetime | None = None,
) -> AlertRule:
    """Change a rule (its secret, cursor and log stay)."""
    old = get(svc, ws, name)
    values = _checked(
        ws, new_name or name, kind, filters, recipients, at, every, weekday, cap_per_hour
    )
    moment = now or utcnow()
    with svc.store.begin() as conn:
        if values["name"] != old.name and any(
            r.name == values["name"] for r in stored.list_rules(conn, ws.id)
        ):
            raise InputError(f"an alert called {values['name']!r} already exists")
        if kind == "instant" and old.cursor_mention_id is None:
            values["cursor_mention_id"] = stored.last_mention_id(conn, ws.id)
        rule = stored.update_rule(conn, old.id, moment, **values)
    _schedule(svc, ws, rule, moment)
    return rule


def change(
    svc: Services,
    ws: Workspace,
    name: str,
    *,
    new_name: str | None = None,
    kind: str | None = None,
    filters: Mapping[str, Any] | None = None,
    emails: Sequence[str] | None = None,
    webhooks: Sequence[str | Recipient] | None = None,
    style: str | None = None,
    at: str | None = None,
    every: str | None = None,
    weekday: int | str | None = None,
    cap_per_hour: int | None = None,
    now: datetime | None = None,
) -> AlertRule:
    """Change only what is given, keeping the rest: given filters replace those filters (an
    empty value drops one); given e-mails (`ADDR[:LANG]`) or webhooks (URLs in `style`, else
    the rule's; or recipients) replace that channel's recipients; `style` alone restyles the
    webhooks. NotFoundError for an unknown rule."""
    rule = get(svc, ws, name)
    kept = {
        r.channel: [x for x in rule.recipients if x.channel == r.channel] for r in rule.recipients
    }
    if emails is not None:
        kept["email"] = recipients_from(svc, ws, emails, [])
    if webhooks is not None or style is not None:
        hooks = kept.get("webhook", [])
        given = webhooks if webhooks is not None else [r.address for r in hooks]
        default = style or next((r.style for r in hooks), "json")
        kept["webhook"] = [
            hook
            if isinstance(hook, Recipient)
            else recipients_from(svc, ws, [], [hook], style=default)[0]
            for hook in given
        ]
    return edit(
        svc,
        ws,
        name,
        new_name=new_name,
        kind=kind or rule.kind,
        filters={**rule.filters, **(filters or {})},
        recipients=[*kept.get("email", []), *kept.get("webhook", [])],
        at=at or rule.at_time,
        every=every or rule.every,
        weekday=rule.weekday if weekday is None else weekday,
        cap_per_hour=rule.cap_per_hour if cap_per_hour is None else cap_per_hour,
        now=now,
    )


def rules(svc: Services, ws: Workspace) -> list[AlertRule]:
    """The workspace's rules by name."""
    with svc.store.connect() as conn:
        return stored.list_rules(conn, ws.id)


def get(svc: Services, ws: Workspace, name: str) -> AlertRule:
    """One rule; NotFoundError naming it."""
    with svc.store.connect() as conn:
        return stored.get_rule(conn, ws.id, name)


def set_muted(svc: Services, ws: Workspace, name: str, muted: bool) -> AlertRule:
    """Mute a rule (nothing is sent; an instant rule's new matches are skipped) or unmute it."""
    rule = get(svc, ws, name)
    with svc.store.begin() as conn:
        return stored.update_rule(conn, rule.id, utcnow(), is_muted=muted)


def remove(svc: Services, ws: Workspace, name: str) -> None:
    """Delete a rule, its schedule and its delivery log."""
    rule = get(svc, ws, name)
    with svc.store.begin() as conn:
        stored.remove_rule(conn, ws.id, name)
        jobqueue.remove_schedule(conn, ws.id, _digest_schedule(rule))
        if not stored.list_rules(conn, ws.id):
            jobqueue.remove_schedule(conn, ws.id, CHECK_SCHEDULE)


def log(svc: Services, ws: Workspace, name: str | None = None, limit: int = 100) -> list[Delivery]:
    """The delivery log, newest first (one rule's, or every rule's)."""
    rule_id = get(svc, ws, name).id if name else None
    with svc.store.connect() as conn:
        return stored.deliveries(conn, ws.id, rule_id, limit)


def secret(svc: Services, ws: Workspace, name: str) -> str:
    """The secret a rule's webhooks are signed with (receivers verify X-Otklik-Signature)."""
    return get(svc, ws, name).secret


def _digest_schedule(rule: AlertRule) -> str:
    return f"alert digest {rule.id}"


def _rule_of(ws: Workspace, at: str, every: str, weekday: int | None) -> Any:
    from otklik.jobs.schedules import Rule

    day = (weekday or 0) if every == "week" else None  # a rule stored without one: Monday
    return Rule(at_time=at, weekday=day, timezone=ws.timezone)


def _schedule(svc: Services, ws: Workspace, rule: AlertRule, now: datetime) -> None:
    """The every-minute check of the workspace's rules, and a digest's own schedule."""
    from otklik.jobs.schedules import Rule, add_schedule

    with svc.store.begin() as conn:
        jobqueue.remove_schedule(conn, ws.id, _digest_schedule(rule))
        names = {s.name for s in jobqueue.list_schedules(conn, ws.id)}
    if CHECK_SCHEDULE not in names:
        add_schedule(
            svc.store, ws.id, CHECK_SCHEDULE, "alerts_check", {}, Rule(every_minutes=1), now
        )
    if rule.kind == "digest" and rule.at_time and rule.every:
        add_schedule(
            svc.store,
            ws.id,
            _digest_schedule(rule),
            "alert_digest",
            {"rule_id": rule.id},
            _rule_of(ws, rule.at_time, rule.every, rule.weekday),
            now,
        )


# Checking


@dataclass
class Outcome:
    """What one check did."""

    messages: int = 0
    held: int = 0
    summaries: int = 0
    retried: int = 0
    spikes: int = 0

    def to_dict(self) -> dict[str, int]:
        """For the job's result."""
        return dict(vars(self))


def check(
    svc: Services,
    ws: Workspace,
    now: datetime | None = None,
    client: httpx.Client | None = None,
    detector: SpikeDetector = DETECTOR,
) -> Outcome:
    """One round (the worker runs it every minute): instant rules send their new matches as
    one message per recipient, spike rules are tested once an hour, held mentions of past
    hours go out as summaries, and failed deliveries whose time has come are tried again."""
    moment = now or utcnow()
    outcome = Outcome()
    with _client(client) as http:
        for rule in rules(svc, ws):
            if rule.kind == "instant":
                _instant(svc, ws, rule, moment, http, outcome)
            elif rule.kind == "spike" and (
                rule.checked_at is None or moment - rule.checked_at >= SPIKE_EVERY
            ):
                _spike(svc, ws, rule, moment, http, outcome, detector)
            if rule.kind != "digest":
                _summaries(svc, ws, rule, moment, http, outcome)
        retry(svc, ws, moment, http, outcome)
    return outcome


def check_soon(svc: Services, ws: Workspace) -> bool:
    """Queue a check now, if the workspace has instant rules (a source calls this after taking
    items, so their alerts go out within the worker's poll interval, not at the next minute).
    One such job waits at a time."""
    if not any(r.kind == "instant" and not r.is_muted for r in rules(svc, ws)):
        return False
    with svc.store.begin() as conn:
        jobqueue.enqueue(conn, ws.id, "alerts_check", {}, utcnow(), dedupe_key="alerts-check")
    return True


class _client:
    """The given HTTP client, or one made (and closed) for the round."""

    def __init__(self, given: httpx.Client | None) -> None:
        self.given, self.made = given, None if given else httpx.Client()

    def __enter__(self) -> httpx.Client:
        return self.given or self.made  # type: ignore[return-value]

    def __exit__(self, *_: object) -> None:
        if self.made is not None:
            self.made.close()


def rule_filters(ws: Workspace, rule: AlertRule) -> Filters:
    """The rule's saved filter as Filters of its workspace."""
    return replace(queries.filters(ws, rule.filters), workspace_id=ws.id)


def _instant(
    svc: Services,
    ws: Workspace,
    rule: AlertRule,
    now: datetime,
    http: httpx.Client,
    outcome: Outcome,
) -> None:
    store = svc.store
    with store.connect() as conn:
        if rule.cursor_mention_id is None:
            ids: list[int] = []
            last = stored.last_mention_id(conn, ws.id)
        else:
            ids, last = stored.matches_after(
                conn,
                rule_filters(ws, rule),
                rule.cursor_mention_id,
                store.groups_for,
                store.predicate_for,
            )
    if last == rule.cursor_mention_id:
        return
    with store.begin() as conn:
        if not stored.claim_cursor(conn, rule.id, rule.cursor_mention_id, last):
            return  # another worker's check took these mentions
        if rule.is_muted or not ids:
            return
        records = feed.get_records(conn, ids[: messages.SHOWN])

        def body(reader: Reader) -> Body:
            return _instant_body(rule, records, len(ids), reader)

        pending = _plan(svc, conn, ws, rule, "instant", body, ids, now, outcome)
    _attempt_all(svc, rule, pending, now, http)


def _instant_body(
    rule: AlertRule, records: Sequence[MentionRecord], count: int, reader: Reader
) -> Body:
    headline = reader.t.ngettext("%(num)s new mention", "%(num)s new mentions", count)
    more = count - len(records)
    return Body("instant", rule.name, headline, [], list(records), more, {"count": count})


def _plan(
    svc: Services,
    conn: Any,
    ws: Workspace,
    rule: AlertRule,
    kind: str,
    body_for: Callable[[Reader], Body],
    mention_ids: Sequence[int | None],
    now: datetime,
    outcome: Outcome,
    measure: str | None = None,
) -> list[Delivery]:
    """Log one delivery per recipient (inside the caller's transaction): a message to send,
    or, for a recipient over the rule's cap this hour, the mentions held for a summary."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    pending: list[Delivery] = []
    for recipient in rule.recipients:
        capped = kind in ("instant", "spike") and (
            stored.sent_since(conn, rule.id, recipient.address, hour) >= rule.cap_per_hour
        )
        common = {
            "kind": kind,
            "channel": recipient.channel,
            "recipient": recipient.address,
            "mention_count": len(mention_ids),
            "created_at": now,
            "attempts": 0,
        }
        if capped:
            held = {"mention_ids": list(mention_ids)}
            stored.add_delivery(conn, ws.id, rule.id, **common, status="summarised", message=held)
            outcome.held += 1
            continue
        message = _render(svc, ws, recipient, body_for(_reader(svc, ws, recipient)))
        if measure:
            message["measure"] = measure
        pending.append(
            stored.add_delivery(
                conn,
                ws.id,
                rule.id,
                **common,
                status="retrying",
                message=message,
                next_attempt_at=now + timedelta(seconds=RETRY_AFTER_S[0]),
            )
        )
        outcome.messages += 1
    return pending


def _ids(records: Sequence[MentionRecord]) -> list[int | None]:
    return [r.mention.id for r in records]


def _reader(svc: Services, ws: Workspace, recipient: Recipient | None = None) -> Reader:
    """A recipient's reader; webhooks read in the workspace's (or the settings') language."""
    language = (recipient.language if recipient else None) or ws.language
    language = language_or_default(language or svc.settings.language)
    return Reader(language, ws.timezone, svc.settings.public_url)


def _render(svc: Services, ws: Workspace, recipient: Recipient, body: Body) -> dict[str, Any]:
    reader = _reader(svc, ws, recipient)
    if recipient.channel == "email":
        return messages.email(body, reader)
    return {"body": messages.payload(body, reader, recipient.style, ws.name).decode("utf-8")}


# Sending and retrying


def _attempt_all(
    svc: Services,
    rule: AlertRule,
    pending: Sequence[Delivery],
    now: datetime,
    http: httpx.Client,
) -> None:
    for delivery in pending:
        _attempt(svc, rule, delivery, now, http)


def _attempt(
    svc: Services, rule: AlertRule, delivery: Delivery, now: datetime, http: httpx.Client
) -> str:
    """Send one logged message once; record sent, retrying (with the next time) or failed."""
    attempts = delivery.attempts + 1
    try:
        if delivery.channel == "email":
            send_email(svc.settings, delivery.recipient, delivery.message)
        else:
            body = str(delivery.message["body"]).encode("utf-8")
            post_webhook(http, delivery.recipient, body, rule.secret)
    except (DeliveryError, ConfigError) as exc:
        final = isinstance(exc, ConfigError) or attempts > len(RETRY_AFTER_S)
        status = "failed" if final else "retrying"
        later = None if final else now + timedelta(seconds=RETRY_AFTER_S[attempts - 1])
        with svc.store.begin() as conn:
            stored.update_delivery(
                conn,
                delivery.id,
                status=status,
                attempts=attempts,
                error=str(exc)[:2000],
                next_attempt_at=later,
            )
        return status
    with svc.store.begin() as conn:
        stored.update_delivery(
            conn,
            delivery.id,
            status="sent",
            attempts=attempts,
            error=None,
            sent_at=utcnow(),
            next_attempt_at=None,
        )
    return "sent"


def retry(
    svc: Services,
    ws: Workspace,
    now: datetime | None = None,
    client: httpx.Client | None = None,
    outcome: Outcome | None = None,
) -> Outcome:
    """Try again every delivery whose next attempt is due (backoff 30 s, 2, 10, 30 min)."""
    moment = now or utcnow()
    outcome = outcome or Outcome()
    with svc.store.connect() as conn:
        due = stored.due_retries(conn, ws.id, moment)
        by_id = {r.id: r for r in stored.list_rules(conn, ws.id)}
    with _client(client) as http:
        for delivery in due:
            rule = by_id.get(delivery.rule_id)
            if rule is not None:
                _attempt(svc, rule, delivery, moment, http)
                outcome.retried += 1
    return outcome


def _summaries(
    svc: Services,
    ws: Workspace,
    rule: AlertRule,
    now: datetime,
    http: httpx.Client,
    outcome: Outcome,
) -> None:
    """Held mentions of past hours: one summary message per recipient."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    with svc.store.begin() as conn:
        held = stored.held(conn, rule.id, hour)
        if not held:
            return
        pending: list[Delivery] = []
        carried: set[int] = set()
        for recipient in rule.recipients:
            mine = [d for d in held if d.recipient == recipient.address]
            if not mine:
                continue
            ids = [int(i) for d in mine for i in d.message.get("mention_ids", [])]
            records = feed.get_records(conn, ids[-messages.SHOWN :])
            body = _summary_body(rule, mine, len(ids), records, _reader(svc, ws, recipient))
            made = stored.add_delivery(
                conn,
                ws.id,
                rule.id,
                kind="summary",
                channel=recipient.channel,
                recipient=recipient.address,
                status="retrying",
                attempts=0,
                mention_count=len(ids),
                message=_render(svc, ws, recipient, body),
                created_at=now,
                next_attempt_at=now + timedelta(seconds=RETRY_AFTER_S[0]),
            )
            stored.mark_carried(conn, [d.id for d in mine], made.id)
            carried.update(d.id for d in mine)
            pending.append(made)
            outcome.summaries += 1
        # Held for a recipient the rule no longer has: nobody to summarise them to.
        stored.mark_carried(conn, [d.id for d in held if d.id not in carried], 0)
    _attempt_all(svc, rule, pending, now, http)


def _summary_body(
    rule: AlertRule,
    held: Sequence[Delivery],
    total: int,
    records: Sequence[MentionRecord],
    reader: Reader,
) -> Body:
    t, fmt = reader.t, reader.fmt
    headline = t.ngettext("summary: %(num)s more mention", "summary: %(num)s more mentions", total)
    line = t.gettext(
        "The alert reached its cap of %(cap)s messages an hour; these matched between "
        "%(start)s and %(end)s.",
        cap=fmt.number(rule.cap_per_hour),
        start=fmt.moment(held[0].created_at),
        end=fmt.moment(held[-1].created_at),
    )
    shown = list(reversed(records))
    facts = {"count": total, "cap_per_hour": rule.cap_per_hour}
    return Body("summary", rule.name, headline, [line], shown, max(total - len(shown), 0), facts)


# Spikes


@dataclass(frozen=True)
class Rise:
    """A spike found for a rule: which measure rose, by how much against which baseline."""

    measure: str  # volume | negative
    observed: int
    expected: float
    spread: float
    share: float | None = None  # negative share in the last hour, percent
    usual_share: float | None = None


def hourly(times: Sequence[datetime], now: datetime, hours: int) -> list[int]:
    """Counts per hour ending at `now`, oldest first (the last one is the past 60 minutes)."""
    counts = [0] * hours
    for moment in times:
        ago = int((now - moment).total_seconds() // 3600)
        if 0 <= ago < hours:
            counts[hours - 1 - ago] += 1
    return counts


def spikes(
    svc: Services,
    ws: Workspace,
    rule: AlertRule,
    now: datetime,
    detector: SpikeDetector = DETECTOR,
) -> list[Rise]:
    """The rule's volume and negative-mention spikes in the last hour (none while its history
    is too short)."""
    filters = rule_filters(ws, rule)
    store = svc.store
    reach = detector.weeks * 168 + 1
    with store.connect() as conn:
        first = stored.first_published(conn, ws.id)
        if first is None:
            return []
        hours = min(reach, max(math.ceil((now - first).total_seconds() / 3600), 1))
        since = now - timedelta(hours=hours)
        rows = stored.published_between(
            conn, filters, since, now, store.groups_for, store.predicate_for
        )
        negative_rows = rows if not filters.sentiment else []
        if filters.brand and not filters.sentiment:  # sentiment towards the brand
            negative_rows = [
                (m, "negative")
                for m, _ in stored.published_between(
                    conn,
                    replace(filters, sentiment=("negative",)),
                    since,
                    now,
                    store.groups_for,
                    store.predicate_for,
                )
            ]
    volume = hourly([m for m, _ in rows], now, hours)
    found: list[Rise] = []
    hit = detector.check(volume)
    if hit:
        found.append(Rise("volume", hit.observed, hit.baseline.expected, hit.baseline.spread))
    if not filters.sentiment:
        negative = hourly([m for m, s in negative_rows if s == "negative"], now, hours)
        hit = detector.check(negative)
        if hit:
            usual_total = sum(volume[:-1]) or 1
            found.append(
                Rise(
                    "negative",
                    hit.observed,
                    hit.baseline.expected,
                    hit.baseline.spread,
                    100 * negative[-1] / max(volume[-1], 1),
                    100 * sum(negative[:-1]) / usual_total,
                )
            )
    return found


def _spike(
    svc: Services,
    ws: Workspace,
    rule: AlertRule,
    now: datetime,
    http: httpx.Client,
    outcome: Outcome,
    detector: SpikeDetector,
) -> None:
    with svc.store.begin() as conn:
        stored.mark_checked(conn, rule.id, now)
    if rule.is_muted:
        return
    for rise in spikes(svc, ws, rule, now, detector):
        with svc.store.connect() as conn:
            last = stored.last_made(conn, rule.id, "spike", rise.measure)
        if last is not None and now - last < SPIKE_COOLDOWN:
            continue
        outcome.spikes += 1
        hour = replace(rule_filters(ws, rule), since=now - timedelta(hours=1), until=now)
        if rise.measure == "negative":
            hour = replace(hour, sentiment=("negative",))
        examples, _ = svc.store.mentions(ws, hour, limit=5)
        tags = svc.store.count_by(ws, hour, ["tag"])
        top = [(str(t["tag"]), int(t["count"])) for t in tags if t["tag"]][:5]

        def body(
            reader: Reader,
            rise: Rise = rise,
            top: list[tuple[str, int]] = top,
            examples: list[MentionRecord] = examples,
        ) -> Body:
            return _spike_body(rule, rise, top, examples, reader)

        with svc.store.begin() as conn:
            pending = _plan(
                svc, conn, ws, rule, "spike", body, _ids(examples), now, outcome, rise.measure
            )
        _attempt_all(svc, rule, pending, now, http)


def _spike_body(
    rule: AlertRule,
    rise: Rise,
    top: Sequence[tuple[str, int]],
    examples: Sequence[MentionRecord],
    reader: Reader,
) -> Body:
    t, fmt = reader.t, reader.fmt
    values = {
        "observed": fmt.number(rise.observed),
        "expected": fmt.number(round(rise.expected, 1)),
        "spread": fmt.number(round(rise.spread, 1)),
        "ratio": fmt.number(round(rise.observed / rise.expected, 1)),
    }
    if rise.measure == "negative":
        headline = t.gettext(
            "negative mentions: %(observed)s in the last hour against %(expected)s ± "
            "%(spread)s usually",
            **values,
        )
    else:
        headline = t.gettext(
            "mentions: %(observed)s in the last hour against %(expected)s ± %(spread)s usually",
            **values,
        )
    lines = [
        t.gettext(
            "That is %(ratio)s times the usual level for this hour of the week (the same hour "
            "over the past weeks, scaled to the last seven days).",
            **values,
        )
    ]
    if rise.share is not None and rise.usual_share is not None:
        lines.append(
            t.gettext(
                "Negative share: %(share)s in the last hour against %(usual)s usually.",
                share=fmt.percent(rise.share),
                usual=fmt.percent(rise.usual_share),
            )
        )
    if top:
        tags = ", ".join(f"{name} ({fmt.number(n)})" for name, n in top)
        lines.append(t.gettext("Top tags: %(tags)s", tags=tags))
    if examples:
        lines.append(t.gettext("Examples:"))
    facts = {
        "measure": rise.measure,
        "observed": rise.observed,
        "expected": round(rise.expected, 2),
        "spread": round(rise.spread, 2),
        "negative_share": rise.share,
        "usual_negative_share": rise.usual_share,
        "top_tags": [{"tag": n, "count": c} for n, c in top],
    }
    return Body("spike", rule.name, headline, lines, list(examples), 0, facts)


# Digests


@dataclass
class DigestNumbers:
    """A digest's numbers for a period of whole local days [since, until)."""

    since: Any
    until: Any
    total: int
    previous: int
    negative: int
    tags: list[tuple[str, int]]
    voice: list[tuple[str, bool, int]]
    worst: list[MentionRecord]

    @property
    def change(self) -> float | None:
        """Change against the previous period, percent (None without one)."""
        return 100 * (self.total - self.previous) / self.previous if self.previous else None

    @property
    def negative_share(self) -> float | None:
        """Negative mentions' share, percent."""
        return 100 * self.negative / self.total if self.total else None


def digest_numbers(
    svc: Services, ws: Workspace, rule: AlertRule, now: datetime | None = None
) -> DigestNumbers:
    """The numbers of the day (or week) before `now` in the workspace's time zone."""
    zone = ZoneInfo(ws.timezone)
    moment = (now or utcnow()).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    days = 7 if rule.every == "week" else 1
    until = moment.date()
    since = until - timedelta(days=days)
    span = {
        "since": since.isoformat(),
        "until": (until - timedelta(days=1)).isoformat(),
    }
    before = {
        "since": (since - timedelta(days=days)).isoformat(),
        "until": (since - timedelta(days=1)).isoformat(),
    }
    current = replace(queries.filters(ws, {**rule.filters, **span}), workspace_id=ws.id)
    previous = replace(queries.filters(ws, {**rule.filters, **before}), workspace_id=ws.id)
    store = svc.store
    total, was = store.count(ws, current), store.count(ws, previous)
    negative = store.count(ws, replace(current, sentiment=("negative",)))
    tags = [
        (str(r["tag"]), int(r["count"])) for r in store.count_by(ws, current, ["tag"]) if r["tag"]
    ]
    tags.sort(key=lambda kv: (-kv[1], kv[0]))
    brands = catalog.brands(svc, ws)
    counts = Counter(
        {
            str(r["brand"]): int(r["count"])
            for r in store.count_by(ws, replace(current, brand=()), ["brand"])
            if r["brand"]
        }
    )
    voice = [(b.name, b.is_own, counts.get(b.name, 0)) for b in brands] if len(brands) > 1 else []
    voice.sort(key=lambda v: (-v[2], v[0]))
    candidates, _ = store.mentions(ws, replace(current, sentiment=("negative",)), limit=100)
    candidates.sort(key=_reach, reverse=True)
    return DigestNumbers(since, until, total, was, negative, tags[:5], voice, candidates[:5])


def _reach(record: MentionRecord) -> tuple[int, Any]:
    e = record.mention.engagement
    audience = record.mention.author.audience or 0
    engaged = sum(v or 0 for v in (e.likes, e.comments, e.reposts)) + (e.views or 0) // 100
    return (engaged + audience // 1000, record.mention.published_at)


def _digest_body(rule: AlertRule, n: DigestNumbers, reader: Reader) -> Body:
    t, fmt = reader.t, reader.fmt
    last = n.until - timedelta(days=1)
    if rule.every == "week":
        headline = t.gettext(
            "weekly report, %(since)s – %(until)s", since=fmt.day(n.since), until=fmt.day(last)
        )
    else:
        headline = t.gettext("daily report for %(day)s", day=fmt.day(n.since))
    lines = [t.ngettext("%(num)s mention", "%(num)s mentions", n.total)]
    if n.change is not None:
        sign = "+" if n.change > 0 else ""
        lines[0] += " " + t.gettext(
            "(%(change)s against the period before: %(previous)s)",
            change=sign + fmt.percent(n.change),
            previous=fmt.number(n.previous),
        )
    else:
        lines[0] += " " + t.gettext(
            "(%(previous)s in the period before)", previous=fmt.number(n.previous)
        )
    if n.negative_share is not None:
        lines.append(
            t.gettext(
                "Negative: %(count)s, %(share)s of all.",
                count=fmt.number(n.negative),
                share=fmt.percent(n.negative_share),
            )
        )
    if n.tags:
        tags = ", ".join(f"{name} ({fmt.number(c)})" for name, c in n.tags)
        lines.append(t.gettext("Top tags: %(tags)s", tags=tags))
    if n.voice:
        all_brands = sum(c for _, _, c in n.voice) or 1
        voice = ", ".join(
            f"{name}{'*' if own else ''} {fmt.percent(100 * c / all_brands)}"
            for name, own, c in n.voice
        )
        lines.append(t.gettext("Share of voice (* ours): %(voice)s", voice=voice))
    if n.worst:
        lines.append(t.gettext("Top negative mentions:"))
    facts = {
        "since": n.since.isoformat(),
        "until": last.isoformat(),
        "total": n.total,
        "previous": n.previous,
        "negative": n.negative,
        "top_tags": [{"tag": name, "count": c} for name, c in n.tags],
        "share_of_voice": [{"brand": b, "own": o, "count": c} for b, o, c in n.voice],
    }
    return Body("digest", rule.name, headline, lines, n.worst, 0, facts)


def digest(
    svc: Services,
    ws: Workspace,
    rule_id: int,
    now: datetime | None = None,
    client: httpx.Client | None = None,
) -> Outcome:
    """Send a digest rule's report of the day (or week) before now (nothing while muted)."""
    moment = now or utcnow()
    outcome = Outcome()
    with svc.store.connect() as conn:
        rule = stored.get_rule_by_id(conn, rule_id)
    if rule.is_muted:
        return outcome
    numbers = digest_numbers(svc, ws, rule, moment)

    def body(reader: Reader) -> Body:
        return _digest_body(rule, numbers, reader)

    with svc.store.begin() as conn:
        pending = _plan(svc, conn, ws, rule, "digest", body, _ids(numbers.worst), moment, outcome)
    with _client(client) as http:
        _attempt_all(svc, rule, pending, moment, http)
    return outcome


# Trying a rule out


def test(
    svc: Services, ws: Workspace, name: str, client: httpx.Client | None = None
) -> list[Delivery]:
    """Send a test message to each recipient of a rule now (with its newest matches) and
    return the log rows, sent or failed with the reason."""
    rule = get(svc, ws, name)
    moment = utcnow()
    newest, _ = svc.store.mentions(ws, rule_filters(ws, rule), limit=3)

    def body(reader: Reader) -> Body:
        t = reader.t
        return Body(
            "test",
            rule.name,
            t.gettext("test message"),
            [t.gettext("This is how this alert's messages look. Its newest matches:")],
            newest,
        )

    with svc.store.begin() as conn:
        pending = _plan(svc, conn, ws, rule, "test", body, _ids(newest), moment, Outcome())
    with _client(client) as http:
        for delivery in pending:
            _attempt(svc, rule, delivery, moment, http)
    ids = {d.id for d in pending}
    with svc.store.connect() as conn:
        return [d for d in stored.deliveries(conn, ws.id, rule.id, 100) if d.id in ids]
