"""Campaigns and their SMART goals: create, list, check, and measure a goal's metric."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from otklik.domain.campaign import SMART_FIELDS, Campaign, Goal, Post, Traffic
from otklik.domain.filters import Filters
from otklik.domain.records import Rejection, Workspace
from otklik.errors import InputError
from otklik.ingest.sheets import read_values
from otklik.services import surveys as survey_service
from otklik.services.catalog import brands as list_brands
from otklik.services.context import Services
from otklik.services.mentions import count_by
from otklik.services.queries import filters as parse_filters
from otklik.storage import campaigns as store
from otklik.storage import posts as post_store
from otklik.storage import utcnow
from otklik.surveys import scores

# Metrics Otklik computes itself; `manual:NAME` names a metric the team enters per day.
METRICS = (
    "mentions",
    "share_of_voice",
    "positive_share",
    "negative_share",
    "response_rate",
    "first_response_hours",
    "engagement_rate",
    "reach",
    "clicks",
    "sessions",
    "conversions",
    "nps",
    "csat",
    "ces",
)
# Scored from survey answers (otklik.surveys.scores): NPS −100..100, CSAT in % (80 = 80%),
# CES the mean on 1–7; each with its 95% interval and no value on too few answers.
SURVEY_METRICS = ("nps", "csat", "ces")
LOWER_IS_BETTER = frozenset({"negative_share", "first_response_hours"})
FRACTIONS = frozenset(
    {"share_of_voice", "positive_share", "negative_share", "response_rate", "engagement_rate"}
)
MANUAL = "manual:"


@dataclass(frozen=True)
class GoalCheck:
    """What a goal lacks to be SMART: `problems` are codes (not_measurable, no_target,
    no_date, date_outside, wording_missing:FIELD)."""

    problems: tuple[str, ...]

    @property
    def is_smart(self) -> bool:
        """True when nothing is missing."""
        return not self.problems


def _list(values: Sequence[str] | None) -> list[str]:
    return [v.strip() for v in values or () if v and v.strip()]


def add_campaign(
    svc: Services,
    ws: Workspace,
    name: str,
    starts_on: date,
    ends_on: date,
    *,
    brand: str | None = None,
    partners: Sequence[str] = (),
    channels: Sequence[str] = (),
    utm_campaigns: Sequence[str] = (),
    notes: str | None = None,
    surveys: Sequence[str] = (),
) -> Campaign:
    """Create a campaign (InputError for an empty name, an end before the start, a brand
    or a linked survey the workspace does not have, or a name already taken)."""
    name = name.strip()
    if not name:
        raise InputError("a campaign needs a name")
    if ends_on < starts_on:
        raise InputError(f"the campaign ends ({ends_on}) before it starts ({starts_on})")
    if starts_on.year < 1970 or ends_on.year > 2999 or (ends_on - starts_on).days > 3660:
        raise InputError("a campaign runs between 1970 and 2999, for at most ten years")
    if brand and brand not in {b.name for b in list_brands(svc, ws)}:
        raise InputError(f"no brand named {brand!r}; add it first (otklik brands add)")
    values = {
        "name": name,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "brand": brand or None,
        "partners": _list(partners),
        "channels": _list(channels),
        "utm_campaigns": [u.lower() for u in _list(utm_campaigns)],
        "surveys": _known_surveys(svc, ws, surveys),
        "notes": notes or None,
    }
    with svc.store.begin() as conn:
        store.add_campaign(conn, ws.id, values, utcnow())
    return campaign(svc, ws, name)


def _known_surveys(svc: Services, ws: Workspace, names: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(_list(names)))
    known = {r.name for r in survey_service.list_surveys(svc, ws)}
    missing = [n for n in wanted if n not in known]
    if missing:
        raise InputError(
            f"no survey named {', '.join(map(repr, missing))}; add it first (otklik surveys add)"
        )
    return wanted


def link_surveys(svc: Services, ws: Workspace, name: str, surveys: Sequence[str]) -> Campaign:
    """Replace the surveys linked to a campaign (InputError for a survey not in the workspace)."""
    found = campaign(svc, ws, name)
    with svc.store.begin() as conn:
        store.update_campaign(conn, ws.id, found.id, {"surveys": _known_surveys(svc, ws, surveys)})
    return campaign(svc, ws, name)


def campaigns(svc: Services, ws: Workspace) -> list[Campaign]:
    """The workspace's campaigns, newest first."""
    with svc.store.connect() as conn:
        return store.list_campaigns(conn, ws.id)


def campaign(svc: Services, ws: Workspace, name: str) -> Campaign:
    """The campaign called `name` (NotFoundError when none)."""
    with svc.store.connect() as conn:
        return store.get_campaign(conn, ws.id, name)


def save_retrospective(
    svc: Services, ws: Workspace, name: str, worked: str, not_worked: str, ideas: str
) -> Campaign:
    """Store the team's three fields: what worked, what did not, ideas for next time."""
    found = campaign(svc, ws, name)
    values = {"worked": worked or None, "not_worked": not_worked or None, "ideas": ideas or None}
    with svc.store.begin() as conn:
        store.update_campaign(conn, ws.id, found.id, values)
    return campaign(svc, ws, name)


def add_goal(
    svc: Services,
    ws: Workspace,
    campaign_name: str,
    metric: str,
    target: float | None,
    deadline: date | None = None,
    wording: Mapping[str, str | None] | None = None,
) -> tuple[Goal, GoalCheck]:
    """Add a goal (its deadline defaults to the campaign's end) and say what it lacks."""
    found = campaign(svc, ws, campaign_name)
    metric = metric.strip()
    if not metric:
        raise InputError("a goal needs a metric")
    unknown = set(wording or {}) - set(SMART_FIELDS)
    if unknown:
        raise InputError(f"unknown wording fields {sorted(unknown)}; use {', '.join(SMART_FIELDS)}")
    values: dict[str, Any] = {
        "campaign_id": found.id,
        "metric": metric,
        "target": target,
        "deadline": deadline or found.ends_on,
        **{k: (wording or {}).get(k) or None for k in SMART_FIELDS},
    }
    with svc.store.begin() as conn:
        goal_id = store.add_goal(conn, ws.id, values, utcnow())
    stored = next(g for g in goals(svc, ws, found) if g.id == goal_id)
    return stored, check_goal(found, stored)


def goals(svc: Services, ws: Workspace, found: Campaign) -> list[Goal]:
    """A campaign's goals."""
    with svc.store.connect() as conn:
        return store.list_goals(conn, ws.id, found.id)


def is_measurable(metric: str) -> bool:
    """True for a metric Otklik computes or a manual one (`manual:NAME`)."""
    return metric in METRICS or (metric.startswith(MANUAL) and len(metric) > len(MANUAL))


def check_goal(found: Campaign, goal: Goal) -> GoalCheck:
    """Point out what keeps a goal from being SMART."""
    problems: list[str] = []
    if not is_measurable(goal.metric):
        problems.append("not_measurable")
    if goal.target is None:
        problems.append("no_target")
    if goal.deadline is None:
        problems.append("no_date")
    elif goal.deadline < found.starts_on:
        problems.append("date_outside")
    problems += [f"wording_missing:{k}" for k in SMART_FIELDS if not goal.wording.get(k)]
    return GoalCheck(tuple(problems))


def set_manual_values(svc: Services, ws: Workspace, name: str, values: Mapping[date, float]) -> int:
    """Store a manual metric's numbers per day (sales from a CRM, leads)."""
    if not name.strip():
        raise InputError("a manual metric needs a name")
    with svc.store.begin() as conn:
        return store.set_values(conn, ws.id, name.strip(), values)


def local_bounds(ws: Workspace, start: date, end: date) -> tuple[datetime, datetime]:
    """Naive UTC [from, to) covering local days start..end."""
    zone = ZoneInfo(ws.timezone)

    def utc(day: date) -> datetime:
        moment = datetime.combine(day, time(), tzinfo=zone)
        return moment.astimezone(UTC).replace(tzinfo=None)

    return utc(start), utc(end + timedelta(days=1))


def own_posts(svc: Services, ws: Workspace, start: date, end: date) -> list[Post]:
    """Posts of the workspace's own accounts published on local days start..end."""
    return [p for p in posts_between(svc, ws, start, end) if p.account_kind == "own"]


def posts_between(svc: Services, ws: Workspace, start: date, end: date) -> list[Post]:
    """Every stored post published on local days start..end."""
    since, until = local_bounds(ws, start, end)
    with svc.store.connect() as conn:
        return post_store.posts(conn, ws.id, since, until)


def campaign_traffic(
    svc: Services, ws: Workspace, found: Campaign, start: date, end: date, *, every: bool = False
) -> list[Traffic]:
    """Traffic rows of the days whose UTM campaign is one of the campaign's (all rows when
    it names none, or with `every`), matched ignoring case."""
    with svc.store.connect() as conn:
        rows = post_store.traffic_rows(conn, ws.id, start, end)
    names = set() if every else set(found.utm_campaigns)
    return [r for r in rows if not names or r.campaign.lower() in names]


def engagement_rate(posts: Sequence[Post]) -> float | None:
    """All actions ÷ all reach of the posts (a fraction); None without reach."""
    reach = sum(p.reach or 0 for p in posts if p.reach)
    if not reach:
        return None
    return sum(p.actions for p in posts if p.reach) / reach


def measure(
    svc: Services, ws: Workspace, found: Campaign, metric: str, start: date, end: date
) -> float | None:
    """The metric's value over local days start..end (None when there is nothing to measure)."""
    if metric.startswith(MANUAL):
        with svc.store.connect() as conn:
            days = store.manual_values(conn, ws.id, metric[len(MANUAL) :], start, end)
        return sum(days.values()) if days else None
    if metric in ("mentions", "positive_share", "negative_share"):
        return _mention_metric(svc, ws, found.brand, metric, start, end)
    if metric == "share_of_voice":
        return _share_of_voice(svc, ws, found.brand, start, end)
    if metric in ("response_rate", "first_response_hours"):
        return _response(svc, ws, found.brand, metric, start, end)
    if metric in ("engagement_rate", "reach", "clicks"):
        posts = own_posts(svc, ws, start, end)
        if metric == "engagement_rate":
            return engagement_rate(posts)
        field = "reach" if metric == "reach" else "link_clicks"
        return float(sum(getattr(p, field) or 0 for p in posts)) if posts else None
    if metric in ("sessions", "conversions"):
        rows = campaign_traffic(svc, ws, found, start, end)
        return float(sum(getattr(r, metric) or 0 for r in rows)) if rows else None
    if metric in SURVEY_METRICS:
        value = survey_score(svc, ws, found, metric, start, end)["value"]
        return float(value) if value is not None else None
    return None


def scored_surveys(svc: Services, ws: Workspace, found: Campaign, kind: str) -> list[Any]:
    """The surveys a campaign's `kind` (nps, csat, ces) score comes from: its linked surveys
    that ask such a question, or, when none of them does, every survey of the workspace
    that does."""
    every = [
        r
        for r in survey_service.list_surveys(svc, ws)
        if survey_service.survey_of(r).first_of(kind) is not None
    ]
    linked = [r for r in every if r.name in found.surveys]
    return linked or every


def survey_score(
    svc: Services,
    ws: Workspace,
    found: Campaign,
    kind: str,
    start: date,
    end: date,
    min_answers: int = scores.MIN_ANSWERS,
) -> dict[str, Any]:
    """NPS, CSAT or CES of the answers given on local days start..end (see `scored_surveys`),
    by the surveys' own scoring: value (None on too few answers), interval, responses,
    too_few and the survey names."""
    since, until = local_bounds(ws, start, end)
    chosen = scored_surveys(svc, ws, found, kind)
    values = [
        getattr(r, kind)
        for record in chosen
        for r in survey_service.responses_of(svc, record, since, until)
        if getattr(r, kind) is not None
    ]
    result: scores.Nps | scores.Share | scores.Mean
    if kind == "nps":
        result = scores.nps(values, min_answers)
    elif kind == "csat":
        result = scores.csat(values, min_answers)
    else:
        result = scores.ces(values, min_answers)
    return {
        "value": result.value,
        "ci": None if result.low is None else [result.low, result.high],
        "responses": result.responses,
        "too_few": result.value is None,
        "min_answers": min_answers,
        "surveys": [r.name for r in chosen],
    }


def mention_filters(
    ws: Workspace, start: date, end: date, brand: str | None, sentiment: str | None = None
) -> Filters:
    """Filters for the mentions of local days start..end (of a brand, a sentiment)."""
    params = {"since": start.isoformat(), "until": end.isoformat()}
    if brand:
        params["brand"] = brand
    if sentiment:
        params["sentiment"] = sentiment
    return parse_filters(ws, params)


def _mention_metric(
    svc: Services, ws: Workspace, brand: str | None, metric: str, start: date, end: date
) -> float | None:
    rows = count_by(svc, ws, mention_filters(ws, start, end, brand), ["sentiment"])
    total = sum(int(r["count"]) for r in rows)
    if metric == "mentions":
        return float(total)
    if not total:
        return None
    wanted = metric.removesuffix("_share")
    return sum(int(r["count"]) for r in rows if r["sentiment"] == wanted) / total


def _share_of_voice(
    svc: Services, ws: Workspace, brand: str | None, start: date, end: date
) -> float | None:
    rows = count_by(svc, ws, mention_filters(ws, start, end, None), ["brand"])
    counts = {r["brand"]: int(r["count"]) for r in rows if r.get("brand")}
    own = brand or next((b.name for b in list_brands(svc, ws) if b.is_own), None)
    total = sum(counts.values())
    return counts.get(own, 0) / total if own and total else None


def _response(
    svc: Services, ws: Workspace, brand: str | None, metric: str, start: date, end: date
) -> float | None:
    value = response_numbers(svc, ws, brand, start, end)[metric]
    return float(value) if value is not None else None


def response_numbers(
    svc: Services, ws: Workspace, brand: str | None, start: date, end: date
) -> dict[str, float | int | None]:
    """Mentions of the local days (of one brand when named), how many got a first response,
    the response rate and the median hours to it."""
    with svc.store.connect() as conn:
        times = store.case_times(conn, ws.id, start, end, brand)
    answered = [(r - p).total_seconds() / 3600 for p, r in times if r is not None]
    return {
        "mentions": len(times),
        "answered": len(answered),
        "response_rate": len(answered) / len(times) if times else None,
        "first_response_hours": statistics.median(answered) if answered else None,
    }


def goal_status(
    svc: Services, ws: Workspace, found: Campaign, goal: Goal, today: date
) -> dict[str, Any]:
    """Goal vs actual: the value measured from the campaign's start to the deadline,
    met / not_met / in_progress / unmeasurable, and how far from the target. A survey
    metric carries its interval and answer count; on too few answers it is `too_few`,
    never judged."""
    deadline = goal.deadline or found.ends_on
    end = min(deadline, today)
    survey: dict[str, Any] | None = None
    if goal.metric in SURVEY_METRICS:
        survey = survey_score(svc, ws, found, goal.metric, found.starts_on, end)
        actual = survey["value"]
    else:
        actual = measure(svc, ws, found, goal.metric, found.starts_on, end)
    status = "too_few" if survey is not None and survey["too_few"] else "unmeasurable"
    gap = None
    if actual is not None and goal.target is not None:
        lower = goal.metric in LOWER_IS_BETTER
        is_met = actual <= goal.target if lower else actual >= goal.target
        gap = actual - goal.target
        status = "met" if is_met else ("in_progress" if today < deadline else "not_met")
    return {
        "metric": goal.metric,
        "target": goal.target,
        "deadline": deadline.isoformat(),
        "actual": actual,
        "gap": gap,
        "progress": (actual / goal.target) if actual is not None and goal.target else None,
        "status": status,
        "ci": survey["ci"] if survey else None,
        "responses": survey["responses"] if survey else None,
        "problems": list(check_goal(found, goal).problems),
        "wording": goal.wording,
    }


def import_manual_values(
    svc: Services, ws: Workspace, name: str, path: Path
) -> tuple[int, list[Rejection]]:
    """Store a manual metric's numbers from a CSV or XLSX of dates and values; the days
    stored and the rows that could not be read."""
    values, rejections = read_values(path)
    return set_manual_values(svc, ws, name, values), rejections
