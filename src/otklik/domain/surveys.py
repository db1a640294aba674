"""What storage hands back about surveys: the stored document, responses and invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SurveyRecord:
    """A stored survey: its id, name, public slug, JSON document and, once it stopped taking
    answers, when it was closed."""

    id: int
    workspace_id: int
    name: str
    slug: str
    document: dict[str, Any]
    source_id: int | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None

    @property
    def is_closed(self) -> bool:
        """Whether the survey takes no answers and sends no invitations."""
        return self.closed_at is not None


@dataclass(frozen=True)
class ResponseRecord:
    """One stored response: typed answers, the contact's fields and the scores it gave."""

    id: int
    survey_id: int
    mention_id: int | None
    invitation_id: int | None
    language: str
    answers: dict[str, Any]
    contact: dict[str, Any]
    via: str
    nps: int | None
    csat: int | None
    ces: int | None
    is_case: bool
    created_at: datetime


@dataclass(frozen=True)
class InvitationRecord:
    """One personal invitation: who, in which language, when it is sent and what happened."""

    id: int
    survey_id: int
    token: str
    email: str
    name: str | None
    language: str
    fields: dict[str, Any]
    send_at: datetime
    sent_at: datetime | None
    remind_at: datetime | None
    reminded_at: datetime | None
    answered_at: datetime | None
    skipped: str | None
    error: str | None
