"""Alert rules, their recipients and the delivery log, as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KINDS = ("instant", "digest", "spike")
CHANNELS = ("email", "webhook")
STYLES = ("json", "slack", "telegram")
EVERY = ("day", "week")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
STATUSES = ("sent", "failed", "retrying", "summarised")


@dataclass(frozen=True)
class Recipient:
    """Where an alert goes: an e-mail address read in `language`, or a webhook URL whose
    payload has the `style` (plain JSON, Slack, Telegram bot)."""

    channel: str
    address: str
    language: str | None = None
    style: str = "json"

    def to_dict(self) -> dict[str, Any]:
        """The stored form (also the API's)."""
        out: dict[str, Any] = {"channel": self.channel, "address": self.address}
        if self.channel == "email":
            out["language"] = self.language
        else:
            out["style"] = self.style
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipient:
        """From the stored form."""
        return cls(
            str(data["channel"]),
            str(data["address"]),
            data.get("language"),
            str(data.get("style") or "json"),
        )


@dataclass(frozen=True)
class AlertRule:
    """A saved filter (the feed's filter values, `q` included) plus a kind and recipients."""

    id: int
    workspace_id: int
    name: str
    kind: str
    filters: dict[str, Any]
    recipients: tuple[Recipient, ...]
    at_time: str | None
    every: str | None
    weekday: int | None  # 0 = Monday, weekly digests only
    cap_per_hour: int
    is_muted: bool
    secret: str
    cursor_mention_id: int | None
    checked_at: datetime | None
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view for the CLI and API (the webhook secret left out)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "filters": self.filters,
            "recipients": [r.to_dict() for r in self.recipients],
            "at": self.at_time,
            "every": self.every,
            "weekday": self.weekday,
            "cap_per_hour": self.cap_per_hour,
            "muted": self.is_muted,
            "created_at": self.created_at.isoformat() + "Z",
        }


@dataclass(frozen=True)
class Delivery:
    """One message to one recipient (or mentions held for the hour's summary)."""

    id: int
    rule_id: int
    kind: str
    channel: str
    recipient: str
    status: str
    error: str | None
    attempts: int
    mention_count: int
    message: dict[str, Any] = field(repr=False)
    summary_id: int | None
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    rule_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view for the CLI and API."""
        return {
            "id": self.id,
            "rule": self.rule_name,
            "kind": self.kind,
            "channel": self.channel,
            "recipient": self.recipient,
            "status": self.status,
            "error": self.error,
            "attempts": self.attempts,
            "mentions": self.mention_count,
            "created_at": self.created_at.isoformat() + "Z",
            "sent_at": self.sent_at.isoformat() + "Z" if self.sent_at else None,
        }
