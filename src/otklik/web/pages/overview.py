"""The overview dashboard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from babel import Locale
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from otklik.i18n import translator
from otklik.services import catalog, overview
from otklik.services.users import User
from otklik.web.deps import page_user, render, web
from otklik.web.i18n import language_of
from otklik.web.labels import LABELS, label

router = APIRouter()


@router.get("/")
def overview_page(
    request: Request,
    user: Annotated[User, Depends(page_user("viewer"))],
    days: int = 30,
    brand: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    """Volume, channels, share of voice, tags, ratings and languages for a period."""
    state = web(request)
    now = datetime.now(UTC)
    days = days if days in overview.PERIODS else 30
    start, end = _period(request, days, since, until)
    data = overview.overview(state.svc, state.ws, start, end, brand or None, now)
    brands = catalog.brands(state.svc, state.ws)
    lang = language_of(request, user)
    for kind, rows in (("channel", data["channels"]), ("language", data["languages"])):
        for row in rows:
            row["label"] = label(lang, kind, row["name"]) if row["name"] != "?" else "?"
    context = {
        "data": data,
        "chart_labels": chart_labels(lang),
        "since_day": start,
        "until_day": end,
        "days": days,
        "brand": brand,
        "brands": brands,
        "periods": overview.PERIODS,
        "since": start.isoformat(),
        "until": end.isoformat(),
    }
    return render(request, "overview.html", context, user=user)


def chart_labels(lang: str) -> dict[str, object]:
    """The words and number format the charts need, in the page's language."""
    tr = translator(lang)
    symbols = Locale.parse(lang).number_symbols.get("latn", {})
    return {
        "locale": lang,
        "decimal": symbols.get("decimal", "."),
        "group": symbols.get("group", ","),
        "sentiment": {s: label(lang, "sentiment", s) for s in LABELS["sentiment"]},
        "mentions": tr.gettext("Mentions"),
        "day": tr.gettext("Day"),
        "share": tr.gettext("Share"),
        "new": tr.gettext("new this period"),
        "rating": tr.gettext("Rating"),
    }


def _period(request: Request, days: int, since: str, until: str) -> tuple[date, date]:
    today = datetime.now(UTC).astimezone(web(request).tz).date()
    start, end = overview.period_bounds(days, today)
    if since and until:
        start, end = _day(since, start), _day(until, end)
    return start, end


def _day(text: str, fallback: date) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return fallback
