"""The one filter model used by the UI query string, API parameters and CLI flags."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any


@dataclass(frozen=True)
class Filters:
    """Which mentions a list, count or report covers; empty fields do not filter."""

    brand: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    sentiment: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    # The brand's role in the mention: main (subject), passing, comparison (with another brand).
    role: tuple[str, ...] = ()
    rating_min: float | None = None
    rating_max: float | None = None
    # Only complaints (True), only non-complaints (False); the same for questions.
    complaint: bool | None = None
    question: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = None
    workspace_id: int | None = None
    include_duplicates: bool = field(default=True)

    def is_empty(self) -> bool:
        """True when nothing narrows the set."""
        return all(
            getattr(self, f.name) in ((), None)
            for f in fields(self)
            if f.name not in ("workspace_id", "include_duplicates")
        )


FILTER_NAMES = (
    "brand",
    "tag",
    "sentiment",
    "channel",
    "source",
    "language",
    "rating_min",
    "rating_max",
    "status",
    "role",
    "complaint",
    "question",
    "since",
    "until",
    "q",
)
_MULTI = ("brand", "tag", "sentiment", "channel", "source", "language", "status", "role")
ROLES = ("main", "passing", "comparison")
_ALLOWED = {
    "sentiment": ("positive", "neutral", "negative"),
    "status": ("new", "in_progress", "resolved", "ignored"),
    "role": ROLES,
}


class FilterError(ValueError):
    """A filter value that cannot be used; names the filter and what is allowed."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


def parse_filters(params: Mapping[str, Sequence[str] | str | None], tz: tzinfo) -> Filters:
    """Filters from query-string, API or CLI values; dates without a zone are read in `tz`.

    `until` given as a bare date includes that whole day.
    """
    values: dict[str, Any] = {}
    for name in _MULTI:
        raw = params.get(name)
        items = [raw] if isinstance(raw, str) else list(raw or [])
        flat = tuple(p.strip() for item in items for p in item.split(",") if p.strip())
        allowed = _ALLOWED.get(name)
        bad = [v for v in flat if allowed and v not in allowed]
        if bad:
            raise FilterError(name, f"{bad[0]!r} is not one of {', '.join(allowed or ())}")
        if flat:
            values[name] = flat
    for name in ("rating_min", "rating_max"):
        text = _single(params.get(name))
        if text:
            try:
                values[name] = float(text.replace(",", "."))
            except ValueError:
                raise FilterError(name, f"{text!r} is not a number") from None
    for name in ("since", "until"):
        text = _single(params.get(name))
        if text:
            values[name] = _moment(name, text, tz)
    for name in ("complaint", "question"):
        text = _single(params.get(name))
        if text:
            values[name] = _yes_no(name, text)
    q = _single(params.get("q"))
    if q:
        q = _take_flag_terms(q, values)
    if q:
        values["q"] = q
    return Filters(**values)


# `is:complaint`, `is:question` (each optionally after NOT) in a query select by the flags.
_FLAG_WORD = re.compile(r"is:(complaint|question)", re.IGNORECASE)


def _take_flag_terms(q: str, values: dict[str, Any]) -> str:
    """The query without its `is:` terms, which become the complaint/question filters; they
    combine with the rest by AND only (a query with OR or parentheses cannot hold them)."""
    words = q.split()
    if not any(_FLAG_WORD.fullmatch(w) for w in words):
        return q
    if "OR" in words or "(" in q or ")" in q:
        raise FilterError("q", "is:complaint and is:question combine with AND only (no OR, no ())")
    kept: list[str] = []
    for word in words:
        flag = _FLAG_WORD.fullmatch(word)
        if flag is None:
            kept.append(word)
            continue
        wanted = not (kept and kept[-1] == "NOT")
        if not wanted:
            kept.pop()
        name = flag.group(1).lower()
        if values.get(name, wanted) != wanted:
            raise FilterError(name, f"contradicts {'' if wanted else 'NOT '}{word} in the query")
        values[name] = wanted
    cleaned: list[str] = []
    for word in kept:  # no AND left dangling where a term was taken out
        if word == "AND" and (not cleaned or cleaned[-1] in ("AND", "NOT")):
            continue
        cleaned.append(word)
    while cleaned and cleaned[-1] in ("AND", "NOT"):
        cleaned.pop()
    return " ".join(cleaned)


YES = ("yes", "true", "1")
NO = ("no", "false", "0")


def _yes_no(name: str, text: str) -> bool:
    word = text.casefold()
    if word in YES or word in NO:
        return word in YES
    raise FilterError(name, f"{text!r} is not one of yes, no")


def _single(raw: Sequence[str] | str | None) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw.strip() or None
    return raw[-1].strip() if raw else None


def _moment(name: str, text: str, tz: tzinfo) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if name == "until":
                day += timedelta(days=1)
            moment = datetime.combine(day, time(), tzinfo=tz)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
    except ValueError:
        raise FilterError(name, f"{text!r} is not a date (use 2025-01-31 or ISO 8601)") from None
    return moment.astimezone(UTC).replace(tzinfo=None)
