"""Campaigns, their SMART goals, social-media posts and web-analytics traffic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

PLANS = ("on_plan", "off_plan", "unplanned")
ACCOUNT_KINDS = ("own", "partner", "competitor")
POST_FORMATS = ("photo", "video", "carousel", "text", "story", "reels", "other")
SMART_FIELDS = ("specific", "measurable", "achievable", "relevant", "time_bound")


@dataclass(frozen=True)
class Campaign:
    """A marketing activity over whole local days, with what the team said afterwards."""

    id: int
    name: str
    starts_on: date
    ends_on: date
    brand: str | None = None
    partners: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    utm_campaigns: tuple[str, ...] = ()
    surveys: tuple[str, ...] = ()  # names of linked surveys (partner debrief, team retro, ...)
    notes: str | None = None
    worked: str | None = None
    not_worked: str | None = None
    ideas: str | None = None

    @property
    def days(self) -> int:
        """How many days it runs."""
        return (self.ends_on - self.starts_on).days + 1

    def periods(self) -> dict[str, tuple[date, date]]:
        """Before, during and after: three spans of the campaign's own length."""
        span = timedelta(days=self.days)
        return {
            "before": (self.starts_on - span, self.starts_on - timedelta(days=1)),
            "during": (self.starts_on, self.ends_on),
            "after": (self.ends_on + timedelta(days=1), self.ends_on + span),
        }

    def phase(self, today: date) -> str:
        """before | during | after, as of `today`."""
        if today < self.starts_on:
            return "before"
        return "during" if today <= self.ends_on else "after"


@dataclass(frozen=True)
class Goal:
    """A goal: a metric, the target it should reach by the deadline, its SMART wording."""

    id: int
    campaign_id: int
    metric: str
    target: float | None
    deadline: date | None
    wording: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Post:
    """One social-media post with its counters as exported."""

    published_at: datetime  # naive UTC
    platform: str
    account: str
    account_kind: str
    format: str
    plan: str
    url: str | None = None
    rubric: str | None = None
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    reposts: int | None = None
    saves: int | None = None
    link_clicks: int | None = None
    followers: int | None = None

    @property
    def actions(self) -> int:
        """Likes, comments, reposts and saves together (link clicks are counted apart)."""
        return sum(v or 0 for v in (self.likes, self.comments, self.reposts, self.saves))


@dataclass(frozen=True)
class Traffic:
    """Sessions of one day from one UTM source/medium/campaign (and device)."""

    day: date
    source: str
    medium: str
    campaign: str
    sessions: int
    device: str | None = None
    bounce_rate: float | None = None
    pages_per_session: float | None = None
    duration_s: float | None = None
    conversions: int | None = None
