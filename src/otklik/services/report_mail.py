"""Reports e-mailed on a schedule through the worker: weekly (the seven days up to
yesterday) or monthly (the last full month, sent on the 1st), each with its stable link."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from otklik import mail
from otklik.domain.records import Workspace
from otklik.errors import ConfigError
from otklik.services import reports
from otklik.services.context import Services

EVERY = ("week", "month")
KIND = "report"  # the job kind the worker runs


def schedule(
    svc: Services,
    ws: Workspace,
    kind: str,
    every: str,
    to: list[str],
    *,
    name: str | None = None,
    brand: str | None = None,
    language: str = "en",
    at_time: str = "09:00",
) -> int:
    """Store a schedule that e-mails the report; weekly on Mondays, monthly on the 1st.
    Returns the schedule's id; see report_schedules for listing, changing, pausing and
    removing them."""
    from otklik.services import report_schedules

    added = report_schedules.add(
        svc, ws, kind, every, to, campaign=name, brand=brand, language=language, at_time=at_time
    )
    return added.id


def period_of(every: str, today: date) -> tuple[date, date]:
    """The days a scheduled report covers when sent on `today`."""
    if every == "week":
        return today - timedelta(days=7), today - timedelta(days=1)
    return reports.last_full_month(today)


def link(settings_url: str | None, kind: str, data: dict[str, Any], name: str | None) -> str:
    """The report's stable link (absolute: OTKLIK_PUBLIC_URL, else http://HOST:PORT)."""
    base = (settings_url or "").rstrip("/")
    if kind == "campaign":
        return f"{base}/campaigns/{quote(name or '')}"
    query = {"since": data["period"]["from"], "until": data["period"]["to"]}
    if data.get("brand"):
        query["brand"] = data["brand"]
    return f"{base}/reports/{kind}?{urlencode(query)}"


def send(svc: Services, ws: Workspace, arguments: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Build the scheduled report and e-mail it: a weekly one covers the seven days up to
    yesterday, a monthly one the last full month whatever day it runs (its schedule runs it
    on the 1st; a send made late, the worker having been down on the 1st, still goes out)."""
    from zoneinfo import ZoneInfo

    today = now.astimezone(ZoneInfo(ws.timezone)).date()
    every, kind = arguments["every"], arguments["kind"]
    if not mail.can_send(svc.settings):
        raise ConfigError("e-mail is not configured: set OTKLIK_SMTP_URL and OTKLIK_SMTP_FROM")
    start, end = period_of(every, today)
    data = reports.build(
        svc,
        ws,
        kind,
        today,
        name=arguments.get("name"),
        start=start,
        end=end,
        brand=arguments.get("brand"),
    )
    language = arguments.get("language") or "en"
    doc = reports.document(data, language, ws.timezone)
    href = link(svc.settings.base_url, kind, data, arguments.get("name"))
    text = f"{doc.title}\n{doc.subtitle}\n\n{href}\n"
    html = (
        f'<h1>{_escape(doc.title)}</h1><p><a href="{_escape(href)}">{_escape(href)}</a></p>'
        f"{reports.html_body(doc)}"
    )
    for address in arguments["to"]:
        mail.send(svc.settings, address, f"{doc.title} — {doc.subtitle}", text, html, language)
    return {"sent": len(arguments["to"]), "link": href, "period": data["period"]}


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
