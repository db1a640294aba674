"""The campaign report, the SMM period report and the monthly brand report as plain data:
goal vs actual, before/during/after with a noise test, the funnel, what customers said,
and every number beside the same span before it."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.campaign import Campaign
from otklik.domain.records import Workspace
from otklik.errors import InputError, NotFoundError
from otklik.pipeline.stage import Item
from otklik.reports import html, pdf, xlsx
from otklik.reports.document import Document, build_document
from otklik.services import campaigns as camp
from otklik.services import surveys as survey_service
from otklik.services.context import Services
from otklik.services.mentions import count_by, newest
from otklik.services.smm import post_er, smm_report
from otklik.surveys import scores

KINDS = ("campaign", "smm", "brand")
MAX_DAYS = 3660  # ten years: a longer period is a typo
NOISE_P = 0.05  # a change is "more than noise" when the test's p-value is below this
QUOTES_PER_SENTIMENT = 2
QUOTES_PER_QUESTION = 5


def previous_span(start: date, end: date) -> tuple[date, date]:
    """The span of the same length right before start..end."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def last_full_month(today: date) -> tuple[date, date]:
    """The calendar month before the one `today` is in."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _span(start: date, end: date) -> dict[str, str]:
    return {"from": start.isoformat(), "to": end.isoformat()}


def _stats() -> Any:
    # scipy.stats takes over a second to import: only reports with tests pay it, not every
    # command-line start (the CLI imports this module to register its commands).
    from scipy import stats

    return stats


def poisson_p(before: float, during: float, days_before: int, days_during: int) -> float | None:
    """Two-sided p-value that two counts over spans of days come from one Poisson rate
    (the exact conditional binomial test)."""
    n = int(before + during)
    if n == 0:
        return None
    expected = days_during / (days_before + days_during)
    return float(_stats().binomtest(int(during), n, expected).pvalue)


def welch_p(before: Sequence[float], during: Sequence[float]) -> float | None:
    """Welch's t-test p-value of two samples (None with fewer than two values a side or no
    spread at all)."""
    if len(before) < 2 or len(during) < 2:
        return None
    if len(set(before)) == 1 and len(set(during)) == 1:
        return None if before[0] == during[0] else 0.0
    p = float(_stats().ttest_ind(during, before, equal_var=False).pvalue)
    return None if math.isnan(p) else p


def share_p(hits: tuple[int, int], totals: tuple[int, int]) -> float | None:
    """Fisher's exact p-value that two shares (hits of totals) are the same."""
    if min(totals) == 0:
        return None
    table = [[hits[0], totals[0] - hits[0]], [hits[1], totals[1] - hits[1]]]
    return float(_stats().fisher_exact(table).pvalue)


def _row(
    metric: str, values: dict[str, float | None], p: float | None, test: str
) -> dict[str, Any]:
    before, during = values["before"], values["during"]
    change = (during - before) / before if before and during is not None else None
    return {
        "metric": metric,
        **values,
        "change": change,
        "p_value": p,
        "test": test,
        "beyond_noise": p is not None and p < NOISE_P,
    }


def compare_periods(
    svc: Services, ws: Workspace, found: Campaign, periods: dict[str, tuple[date, date]]
) -> list[dict[str, Any]]:
    """Before / during / after for the campaign's main metrics, each with the change from
    before to during and whether it is more than noise."""
    days = {k: (e - s).days + 1 for k, (s, e) in periods.items()}
    rows = []
    mentions = {k: camp.measure(svc, ws, found, "mentions", *span) for k, span in periods.items()}
    rows.append(
        _row(
            "mentions",
            mentions,
            poisson_p(
                mentions["before"] or 0, mentions["during"] or 0, days["before"], days["during"]
            ),
            "poisson",
        )
    )
    negative = {k: camp.measure(svc, ws, found, "negative_share", *s) for k, s in periods.items()}
    hits = (
        round((negative["before"] or 0) * (mentions["before"] or 0)),
        round((negative["during"] or 0) * (mentions["during"] or 0)),
    )
    totals = (int(mentions["before"] or 0), int(mentions["during"] or 0))
    rows.append(_row("negative_share", negative, share_p(hits, totals), "fisher"))
    posts = {k: camp.own_posts(svc, ws, *span) for k, span in periods.items()}
    er = {k: camp.engagement_rate(v) for k, v in posts.items()}
    per_post = {k: [e for p in v if (e := post_er(p)) is not None] for k, v in posts.items()}
    rows.append(
        _row("engagement_rate", er, welch_p(per_post["before"], per_post["during"]), "welch")
    )
    reach = {k: float(sum(p.reach or 0 for p in v)) if v else None for k, v in posts.items()}
    daily_reach = {
        k: _daily(periods[k], [(p.published_at.date(), p.reach or 0) for p in v])
        for k, v in posts.items()
    }
    rows.append(
        _row("reach", reach, welch_p(daily_reach["before"], daily_reach["during"]), "welch")
    )
    # All imported traffic: the campaign's own UTM names carry no sessions before or after it.
    traffic = {
        k: camp.campaign_traffic(svc, ws, found, *span, every=True) for k, span in periods.items()
    }
    for metric in ("sessions", "conversions"):
        values = {
            k: float(sum(getattr(r, metric) or 0 for r in v)) if v else None
            for k, v in traffic.items()
        }
        daily = {
            k: _daily(periods[k], [(r.day, getattr(r, metric) or 0) for r in v])
            for k, v in traffic.items()
        }
        rows.append(_row(metric, values, welch_p(daily["before"], daily["during"]), "welch"))
    return rows


def _daily(span: tuple[date, date], values: Sequence[tuple[date, float]]) -> list[float]:
    sums: dict[date, float] = defaultdict(float)
    for day, value in values:
        sums[day] += value
    start, end = span
    return [sums.get(start + timedelta(days=i), 0.0) for i in range((end - start).days + 1)]


def funnel(svc: Services, ws: Workspace, found: Campaign) -> dict[str, Any]:
    """Reach → link clicks → sessions → conversions during the campaign, each step's share
    of the one before, and the step that lost the most."""
    start, end = found.starts_on, found.ends_on
    posts = camp.own_posts(svc, ws, start, end)
    traffic = camp.campaign_traffic(svc, ws, found, start, end)
    values = [
        ("reach", sum(p.reach or 0 for p in posts)),
        ("clicks", sum(p.link_clicks or 0 for p in posts)),
        ("sessions", sum(t.sessions for t in traffic)),
        ("conversions", sum(t.conversions or 0 for t in traffic)),
    ]
    steps: list[dict[str, Any]] = []
    worst, worst_kept = None, 2.0
    for i, (name, value) in enumerate(values):
        kept = value / values[i - 1][1] if i and values[i - 1][1] else None
        steps.append({"step": name, "value": value, "kept": kept})
        if kept is not None and kept < worst_kept:
            worst, worst_kept = name, kept
    return {"steps": steps, "lost_most": worst}


def voice(
    svc: Services,
    ws: Workspace,
    brand: str | None,
    start: date,
    end: date,
    trend_from: date,
    trend_to: date,
) -> dict[str, Any]:
    """What customers said in start..end: top tags, representative quotes (the most
    confident positive and negative ones) and sentiment by day over trend_from..trend_to."""
    current = camp.mention_filters(ws, start, end, brand)
    tags = sorted(
        (r for r in count_by(svc, ws, current, ["tag"]) if r.get("tag")),
        key=lambda r: (-int(r["count"]), str(r["tag"])),
    )[:10]
    quotes = []
    for sentiment in ("positive", "negative"):
        chosen = camp.mention_filters(ws, start, end, brand, sentiment)
        found = newest(svc, ws, chosen, 50)
        found.sort(key=lambda r: -(r.analysis.sentiment_score or 0))
        for record in found[:QUOTES_PER_SENTIMENT]:
            text = record.mention.text
            quotes.append(
                {
                    "sentiment": sentiment,
                    "text": text if len(text) <= 300 else text[:297] + "…",
                    "url": record.mention.url,
                    "day": record.day.isoformat(),
                    "channel": record.mention.channel,
                }
            )
    cells = count_by(
        svc,
        ws,
        camp.mention_filters(ws, trend_from, max(trend_to, end), brand),
        ["day", "sentiment"],
    )
    by_day: dict[str, dict[str, int]] = defaultdict(
        lambda: {"positive": 0, "neutral": 0, "negative": 0}
    )
    for cell in cells:
        if cell.get("sentiment") in ("positive", "neutral", "negative"):
            by_day[str(cell["day"])][cell["sentiment"]] += int(cell["count"])
    trend = [{"day": d, **by_day[d]} for d in sorted(by_day)]
    return {
        "top_tags": [{"tag": r["tag"], "count": int(r["count"])} for r in tags],
        "quotes": quotes,
        "sentiment_by_day": trend,
    }


def answers(svc: Services, ws: Workspace, found: Campaign, today: date) -> list[dict[str, Any]]:
    """The partner's and the team's answers: for each survey linked to the campaign, the
    responses given from the campaign's first day to the end of its after-period (or today),
    summarised per question: score questions as mean (and NPS/CSAT by the surveys' scoring),
    choice questions as counts per option, open answers quoted with their sentiment."""
    start = found.starts_on
    end = min(found.periods()["after"][1], today)
    since, until = camp.local_bounds(ws, start, max(end, start))
    out: list[dict[str, Any]] = []
    for name in found.surveys:
        try:
            record = survey_service.get(svc, ws, name)
        except NotFoundError:  # renamed or deleted since it was linked
            continue
        survey = survey_service.survey_of(record)
        given = survey_service.responses_of(svc, record, since, until)
        out.append(
            {
                "survey": record.name,
                "title": dict(survey.title),
                "languages": list(survey.languages),
                "responses": len(given),
                "period": _span(start, max(end, start)),
                "questions": [_question(svc, ws, q, given) for q in survey.questions],
            }
        )
    _quote_sentiments(
        svc, ws, [quote for s in out for q in s["questions"] for quote in q.get("quotes", [])]
    )
    return out


def _quote_sentiments(svc: Services, ws: Workspace, quotes: list[dict[str, Any]]) -> None:
    # Each open answer gets its own sentiment from the workspace's pipeline (a response's
    # mention joins all its answers); without a sentiment stage the mention's is kept.
    if not quotes:
        return
    found = svc.pipelines.for_workspace(ws).analyse([Item.of(q["text"]) for q in quotes])
    for quote, analysis in zip(quotes, found, strict=True):
        if analysis.sentiment is not None:
            quote["sentiment"] = analysis.sentiment


def _question(svc: Services, ws: Workspace, question: Any, given: Sequence[Any]) -> dict[str, Any]:
    values = [(r, r.answers[question.id]) for r in given if r.answers.get(question.id) is not None]
    out: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind,
        "text": dict(question.text),
        "answered": len(values),
    }
    if question.scale:
        numbers = [float(v) for _r, v in values if isinstance(v, int | float)]
        out["scale"] = list(question.scale)
        out["mean"] = round(sum(numbers) / len(numbers), 2) if numbers else None
        if question.kind == "nps":
            out.update(scores.nps([int(v) for v in numbers]).to_dict())
        elif question.kind == "csat":
            out.update(scores.csat([int(v) for v in numbers]).to_dict())
    elif question.options:
        counts: dict[str, int] = defaultdict(int)
        for _r, value in values:
            for chosen in value if isinstance(value, list) else [value]:
                counts[str(chosen)] += 1
        out["counts"] = [
            {"option": o.id, "text": dict(o.text), "count": counts.get(o.id, 0)}
            for o in question.options
        ]
    else:
        quotes = []
        for response, value in reversed(values[-QUOTES_PER_QUESTION:]):
            text = str(value).strip()
            if not text:
                continue
            sentiment = None
            if response.mention_id is not None:
                try:
                    sentiment = svc.store.mention(ws, response.mention_id).analysis.sentiment
                except NotFoundError:
                    sentiment = None
            quotes.append(
                {
                    "text": text if len(text) <= 300 else text[:297] + "…",
                    "sentiment": sentiment,
                    "language": response.language,
                    "day": _local_day(response.created_at, ws.timezone),
                }
            )
        out["quotes"] = quotes
    return out


def _local_day(moment: datetime, timezone: str) -> str:
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date().isoformat()


def campaign_report(svc: Services, ws: Workspace, name: str, today: date) -> dict[str, Any]:
    """Everything the campaign report shows."""
    found = camp.campaign(svc, ws, name)
    periods = found.periods()
    return {
        "kind": "campaign",
        "campaign": {
            "name": found.name,
            "brand": found.brand,
            "partners": list(found.partners),
            "channels": list(found.channels),
            "utm_campaigns": list(found.utm_campaigns),
            "surveys": list(found.surveys),
            "notes": found.notes,
            "phase": found.phase(today),
        },
        "period": _span(found.starts_on, found.ends_on),
        "periods": {k: _span(*v) for k, v in periods.items()},
        "goals": [camp.goal_status(svc, ws, found, g, today) for g in camp.goals(svc, ws, found)],
        "comparison": compare_periods(svc, ws, found, periods),
        "funnel": funnel(svc, ws, found),
        "voice": voice(
            svc,
            ws,
            found.brand,
            found.starts_on,
            found.ends_on,
            periods["before"][0],
            min(periods["after"][1], today),
        ),
        "smm": smm_report(svc, ws, found.starts_on, found.ends_on),
        "answers": answers(svc, ws, found, today),
        "team": {"worked": found.worked, "not_worked": found.not_worked, "ideas": found.ideas},
    }


def brand_report(
    svc: Services, ws: Workspace, start: date, end: date, brand: str | None
) -> dict[str, Any]:
    """The monthly brand report: mentions, sentiment, share of voice, response on cases,
    SMM headline and what customers said, beside the span before."""
    before = previous_span(start, end)
    probe = Campaign(0, "", start, end, brand=brand)
    metrics = (
        "mentions",
        "share_of_voice",
        "positive_share",
        "negative_share",
        "response_rate",
        "first_response_hours",
        "engagement_rate",
        "reach",
        "clicks",
    )
    rows = []
    for metric in metrics:
        now = camp.measure(svc, ws, probe, metric, start, end)
        then = camp.measure(svc, ws, probe, metric, *before)
        rows.append(
            {
                "metric": metric,
                "value": now,
                "previous": then,
                "change": (now - then) / then if now is not None and then else None,
            }
        )
    return {
        "kind": "brand",
        "brand": brand,
        "period": _span(start, end),
        "previous_period": _span(*before),
        "metrics": rows,
        "voice": voice(svc, ws, brand, start, end, start, end),
        "smm": smm_report(svc, ws, start, end),
    }


def build(
    svc: Services,
    ws: Workspace,
    kind: str,
    today: date,
    *,
    name: str | None = None,
    start: date | None = None,
    end: date | None = None,
    brand: str | None = None,
) -> dict[str, Any]:
    """The report of `kind` (campaign needs `name`; smm and brand default to the last full
    month)."""
    if kind == "campaign":
        if not name:
            raise InputError("name the campaign: otklik report campaign NAME")
        return campaign_report(svc, ws, name, today)
    if kind not in KINDS:
        raise InputError(f"unknown report {kind!r}; choose from {', '.join(KINDS)}")
    if start is None or end is None:
        start, end = last_full_month(today)
    if end < start:
        raise InputError(f"the period ends ({end}) before it starts ({start})")
    if start.year < 1970 or end.year > 2999 or (end - start).days > MAX_DAYS:
        raise InputError(f"choose a period between 1970 and 2999 of at most {MAX_DAYS} days")
    if kind == "smm":
        return {"kind": "smm", **smm_report(svc, ws, start, end)}
    return brand_report(svc, ws, start, end, brand)


FORMATS = ("json", "html", "pdf", "xlsx")
MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def document(data: dict[str, Any], language: str, timezone: str) -> Document:
    """The report's data as a document in one language."""
    return build_document(data, language, timezone)


def render(data: dict[str, Any], fmt: str, language: str, timezone: str) -> bytes:
    """The report as JSON, a self-contained HTML page, PDF or XLSX."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    doc = build_document(data, language, timezone)
    if fmt == "html":
        return html.standalone(doc).encode()
    if fmt == "pdf":
        return pdf.render(doc)
    return xlsx.render(doc)


def html_body(doc: Document) -> Any:
    """The document's sections as HTML for a page (charts drawn by static/report.js)."""
    return html.body(doc)
