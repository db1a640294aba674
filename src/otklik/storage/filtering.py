"""The Filters model turned into SQL conditions on mentions."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from otklik.domain.filters import Filters
from otklik.storage import search
from otklik.storage.schema import analysis, brand, mention, mention_brand, mention_tag, source, tag

# Turns a `q` string into search term groups; the query language plugs in here.
GroupsFor = Callable[[str], list[list[search.Term]]]
# Turns a `q` string into the exact test for a mention's title and text.
PredicateFor = Callable[[str], Callable[[str], bool]]


def searchable(title: str | None, text: str) -> str:
    """What `q` is tested against: the title (if any) and the text."""
    return f"{title}\n{text}" if title else text


def conditions(
    filters: Filters, dialect: str, groups_for: GroupsFor = search.plain_groups
) -> list[ColumnElement[bool]]:
    """WHERE conditions for mention joined with analysis (outer join)."""
    out: list[ColumnElement[bool]] = []
    if filters.workspace_id is not None:
        out.append(mention.c.workspace_id == filters.workspace_id)
    if filters.channel:
        out.append(mention.c.channel.in_(filters.channel))
    if filters.language:
        out.append(analysis.c.language.in_(filters.language))
    if filters.status:
        out.append(mention.c.status.in_(filters.status))
    if filters.rating_min is not None:
        out.append(mention.c.rating >= filters.rating_min)
    if filters.rating_max is not None:
        out.append(mention.c.rating <= filters.rating_max)
    if filters.complaint is not None:
        out.append(analysis.c.is_complaint.is_(sa.true() if filters.complaint else sa.false()))
    if filters.question is not None:
        out.append(analysis.c.is_question.is_(sa.true() if filters.question else sa.false()))
    if filters.since is not None:
        out.append(mention.c.published_at >= filters.since)
    if filters.until is not None:
        out.append(mention.c.published_at < filters.until)
    if filters.source:
        out.append(
            mention.c.source_id.in_(sa.select(source.c.id).where(source.c.name.in_(filters.source)))
        )
    if filters.tag:
        tagged = mention_tag.alias("tag_filter")
        out.append(
            sa.exists()
            .where(tagged.c.mention_id == mention.c.id)
            .where(tagged.c.tag_id.in_(sa.select(tag.c.id).where(tag.c.name.in_(filters.tag))))
        )
    out.extend(_brand_and_sentiment(filters))
    if not filters.include_duplicates:
        out.append(analysis.c.duplicate_of.is_(None))
    if filters.q:
        out.append(search.text_match(dialect, groups_for(filters.q)))
    return out


def _brand_and_sentiment(filters: Filters) -> list[ColumnElement[bool]]:
    # With a brand chosen, sentiment (and role) mean the sentiment towards that brand (and its
    # role in the mention); a role alone means some brand has it.
    # EXISTS, not IN: the feed walks mentions newest first and stops at a full page, probing
    # each one, where IN would first collect every mention of the brand (100 ms at 1M).
    hits = mention_brand.alias("brand_filter")  # the outer query may join mention_brand too
    if not filters.brand:
        out: list[ColumnElement[bool]] = (
            [analysis.c.sentiment.in_(filters.sentiment)] if filters.sentiment else []
        )
        if filters.role:
            out.append(
                sa.exists().where(hits.c.mention_id == mention.c.id, role_condition(hits, filters))
            )
        return out
    hit = (
        sa.exists()
        .where(hits.c.mention_id == mention.c.id)
        .where(hits.c.brand_id.in_(sa.select(brand.c.id).where(brand.c.name.in_(filters.brand))))
    )
    if filters.role:
        hit = hit.where(role_condition(hits, filters))
    if filters.sentiment:
        hit = hit.where(
            sa.func.coalesce(hits.c.sentiment, analysis.c.sentiment).in_(filters.sentiment)
        )
    return [hit]


def role_condition(hits: sa.FromClause, filters: Filters) -> ColumnElement[bool]:
    """A mention_brand row whose role is one of the filter's (comparison is its own flag)."""
    roles = [r for r in filters.role if r != "comparison"]
    parts: list[ColumnElement[bool]] = []
    if roles:
        parts.append(hits.c.role.in_(roles))
    if "comparison" in filters.role:
        parts.append(hits.c.is_comparison.is_(sa.true()))
    return sa.or_(*parts)


def base_from() -> sa.sql.expression.Join:
    """mention LEFT JOIN analysis, the FROM of every mention query."""
    return mention.outerjoin(analysis, analysis.c.mention_id == mention.c.id)
