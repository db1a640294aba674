"""The query language at the edges: checking a query, trying it on texts or stored mentions,
and turning filter values from a query string, API parameters or CLI flags into Filters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from otklik.domain.filters import Filters, parse_filters
from otklik.domain.records import MentionRecord, Workspace
from otklik.querylang.match import Matcher, Span, compile_query
from otklik.services.context import Services
from otklik.services.mentions import walk

__all__ = ["Matcher", "Span", "StoredMatches", "TextMatch", "check", "filters"]


def check(query: str) -> Matcher:
    """The compiled query; QueryError (with the position) when it cannot be parsed."""
    return compile_query(query)


def filters(ws: Workspace, params: Mapping[str, Sequence[str] | str | None]) -> Filters:
    """Filters from any edge's values, dates read in the workspace's time zone: FilterError
    names a bad filter, QueryError points into a bad `q`."""
    parsed = parse_filters(params, ZoneInfo(ws.timezone))
    if parsed.q:
        check(parsed.q)
    return parsed


@dataclass(frozen=True)
class TextMatch:
    """Whether a query matched a text, and the spans of the words it found."""

    text: str
    is_match: bool
    spans: list[Span]
    mention_id: int | None = None


def match_texts(matcher: Matcher, texts: Iterable[str]) -> Iterator[TextMatch]:
    """One result per text."""
    for text in texts:
        spans = matcher.find(text)
        yield TextMatch(text, bool(spans) or matcher.matches(text), spans)


@dataclass(frozen=True)
class StoredMatches:
    """How many stored mentions a query matches out of all, with the newest few."""

    matched: int
    total: int
    sample: list[TextMatch]


def match_stored(svc: Services, ws: Workspace, matcher: Matcher, sample: int) -> StoredMatches:
    """Try a query on every stored mention of the workspace (text or title)."""
    total = matched = 0
    shown: list[TextMatch] = []
    for record in walk(svc, ws, Filters()):
        total += 1
        text = record.mention.text
        spans = matcher.find(text)
        title = record.mention.title
        if spans or matcher.matches(text) or (title and matcher.matches(title)):
            matched += 1
            if len(shown) < sample:
                shown.append(TextMatch(text, True, spans, record.mention.id))
    return StoredMatches(matched, total, shown)


def preview(svc: Services, ws: Workspace, query: str, limit: int = 20) -> list[MentionRecord]:
    """The newest mentions a query matches (at most `limit`), over the whole workspace."""
    check(query)
    page, _ = svc.store.mentions(ws, Filters(q=query), limit=limit)
    return page
