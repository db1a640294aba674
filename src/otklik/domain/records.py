"""What storage hands back: a stored mention with its analysis and case, and small rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from otklik.domain.mention import Analysis, Mention


@dataclass(frozen=True)
class Workspace:
    """One team's or one client's space."""

    id: int
    name: str
    timezone: str
    language: str | None = None  # the UI's default when neither user nor browser picks one


@dataclass(frozen=True)
class BrandRef:
    """A brand as shown on a mention."""

    id: int
    name: str
    role: str
    sentiment: str | None
    is_comparison: bool = False
    role_reason: str | None = None


@dataclass
class MentionRecord:
    """A stored mention with its analysis, brands, tags and case fields."""

    mention: Mention
    analysis: Analysis
    day: date
    source: str | None = None
    brands: list[BrandRef] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status: str = "new"
    assignee: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    answers: dict[str, Any] | None = None  # a survey response's structured answers

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready view used by the CLI, API and exports."""
        m, a = self.mention, self.analysis
        return {
            "id": m.id,
            "text": m.text,
            "title": m.title,
            "language": a.language,
            "sentiment": a.sentiment,
            "sentiment_score": a.sentiment_score,
            "sentiment_source": a.sentiment_source,
            "sentiment_tier": a.sentiment_tier,
            "is_complaint": a.is_complaint,
            "is_question": a.is_question,
            "published_at": m.published_at.isoformat() + "Z" if m.published_at else None,
            "collected_at": m.collected_at.isoformat() + "Z" if m.collected_at else None,
            "channel": m.channel,
            "source": self.source,
            "url": m.url,
            "author": m.author.name,
            "author_id": m.author.id,
            "rating": m.rating,
            "likes": m.engagement.likes,
            "comments": m.engagement.comments,
            "reposts": m.engagement.reposts,
            "views": m.engagement.views,
            "location": m.location,
            "brands": [
                {"name": b.name, "role": b.role, "sentiment": b.sentiment} for b in self.brands
            ],
            "tags": list(self.tags),
            "duplicate_of": a.duplicate_of,
            "status": self.status,
            "assignee": self.assignee,
            "answers": self.answers,
        }


@dataclass(frozen=True)
class ImportRun:
    """One file import: its counts and where its rejected rows are."""

    id: int
    path: str
    status: str
    rows_read: int
    imported: int
    duplicates: int
    rejected: int
    started_at: datetime
    finished_at: datetime | None
    message: str | None = None
    updated: int = 0
    source_id: int | None = None
    pid: int | None = None
    hostname: str | None = None
    heartbeat_at: datetime | None = None


@dataclass(frozen=True)
class Rejection:
    """A row that could not be stored, with why, kept in its raw form."""

    row_number: int
    field: str | None
    reason: str
    raw: str


@dataclass(frozen=True)
class Brand:
    """A monitored object: ours (is_own) or a competitor, with the query that finds it."""

    id: int
    name: str
    query: str
    is_own: bool


@dataclass(frozen=True)
class Tag:
    """A named category; with a query, a rule applies it automatically."""

    id: int
    name: str
    query: str | None


@dataclass(frozen=True)
class Correction:
    """A person's sentiment correction of a mention (optionally towards one brand)."""

    mention_id: int
    text: str
    language: str | None
    label: str
    previous: str | None
    corrected_by: str
    created_at: datetime
    brand_id: int | None = None


SOURCE_KINDS = ("rss", "webhook", "imap", "telegram")
"""Kinds of sources a person adds (file imports make `file` sources on their own)."""


@dataclass(frozen=True)
class Source:
    """Where items come from, with its settings, schedule, poll state and health."""

    id: int
    workspace_id: int
    name: str
    kind: str
    settings: dict[str, Any]
    every_minutes: int | None
    is_paused: bool
    state: dict[str, Any]
    items_total: int
    last_run_at: datetime | None
    last_status: str | None
    last_error: str | None
    next_run_at: datetime | None
    created_at: datetime
    schedule_id: int | None = None
    has_secret: bool = False
