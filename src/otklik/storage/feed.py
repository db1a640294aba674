"""Reading stored mentions: filtered, newest first, with cursor paging."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from otklik.domain.filters import Filters
from otklik.domain.mention import Analysis, Author, Engagement, Mention
from otklik.domain.records import BrandRef, MentionRecord
from otklik.errors import InputError
from otklik.storage import filtering, surveys
from otklik.storage.schema import analysis, brand, mention, mention_brand, mention_tag, source, tag

_COLUMNS: list[Any] = [
    mention,
    analysis.c.language,
    analysis.c.sentiment,
    analysis.c.sentiment_score,
    analysis.c.sentiment_source,
    analysis.c.sentiment_tier,
    analysis.c.is_spam,
    analysis.c.is_complaint,
    analysis.c.is_question,
    analysis.c.duplicate_of,
]


def encode_cursor(published_at: datetime, mention_id: int) -> str:
    """An opaque cursor for the page after a mention."""
    raw = f"{published_at.isoformat()}|{mention_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor stands for; a clear error for a damaged one."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, mid = base64.urlsafe_b64decode(padded).decode().split("|")
        position = datetime.fromisoformat(moment), int(mid)
        if not 0 < position[1] < 2**63:  # the database could not even compare it
            raise ValueError(mid)
        return position
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cursor {cursor!r} is not one this server gave out") from exc


def list_mentions(
    conn: Connection,
    filters: Filters,
    *,
    limit: int = 50,
    cursor: str | None = None,
    groups_for: filtering.GroupsFor | None = None,
    predicate_for: filtering.PredicateFor | None = None,
) -> tuple[list[MentionRecord], str | None]:
    """A page of mentions, newest first, and the cursor of the next page (None at the end).

    With `q` and an exact test, the text index gives candidates and the test keeps the
    mentions that really match, reading on until the page is full.
    """
    where = filtering.conditions(filters, conn.dialect.name, groups_for or _default_groups())
    keep = predicate_for(filters.q) if (filters.q and predicate_for) else None
    chunk = limit + 1 if keep is None else max(200, limit * 4)
    found: list[Row[Any]] = []
    while True:
        page_where = list(where)
        if cursor:
            moment, mid = decode_cursor(cursor)
            page_where.append(
                sa.or_(
                    mention.c.published_at < moment,
                    sa.and_(mention.c.published_at == moment, mention.c.id < mid),
                )
            )
        stmt = (
            sa.select(*_COLUMNS)
            .select_from(filtering.base_from())
            .where(*page_where)
            .order_by(mention.c.published_at.desc(), mention.c.id.desc())
            .limit(chunk)
        )
        rows = conn.execute(stmt).all()
        for row in rows:
            if keep is None or keep(filtering.searchable(row.title, row.text)):
                found.append(row)
                if len(found) > limit:
                    break
        if len(found) > limit or len(rows) < chunk:
            break
        cursor = encode_cursor(rows[-1].published_at, rows[-1].id)
    records = hydrate(conn, found[:limit])
    next_cursor = None
    if len(found) > limit:
        last = found[limit - 1]
        next_cursor = encode_cursor(last.published_at, last.id)
    return records, next_cursor


def iter_mentions(conn: Connection, filters: Filters, batch: int = 1000) -> Any:
    """Every mention matching the filters, in pages (for exports)."""
    cursor: str | None = None
    while True:
        records, cursor = list_mentions(conn, filters, limit=batch, cursor=cursor)
        yield from records
        if cursor is None:
            return


def get_records(conn: Connection, ids: Sequence[int]) -> list[MentionRecord]:
    """Mentions by id, in the order given (missing ids are left out)."""
    rows = conn.execute(
        sa.select(*_COLUMNS).select_from(filtering.base_from()).where(mention.c.id.in_(list(ids)))
    ).all()
    by_id = {r.id: r for r in rows}
    return hydrate(conn, [by_id[i] for i in ids if i in by_id])


def hydrate(conn: Connection, rows: Sequence[Row[Any]]) -> list[MentionRecord]:
    """Domain records for mention rows, with brands, tags and source names."""
    ids = [r.id for r in rows]
    brands: dict[int, list[BrandRef]] = {}
    tags: dict[int, list[str]] = {}
    sources: dict[int, str] = {}
    if ids:
        for r in conn.execute(
            sa.select(mention_brand, brand.c.name)
            .join(brand, brand.c.id == mention_brand.c.brand_id)
            .where(mention_brand.c.mention_id.in_(ids))
            .order_by(brand.c.name)
        ):
            brands.setdefault(r.mention_id, []).append(
                BrandRef(r.brand_id, r.name, r.role, r.sentiment, r.is_comparison, r.role_reason)
            )
        for mid, name in conn.execute(
            sa.select(mention_tag.c.mention_id, tag.c.name)
            .join(tag, tag.c.id == mention_tag.c.tag_id)
            .where(mention_tag.c.mention_id.in_(ids))
            .distinct()
            .order_by(tag.c.name)
        ):
            tags.setdefault(mid, []).append(name)
        source_ids = {r.source_id for r in rows if r.source_id is not None}
        if source_ids:
            sources = dict(
                conn.execute(
                    sa.select(source.c.id, source.c.name).where(source.c.id.in_(source_ids))
                ).all()
            )
    survey_ids = [r.id for r in rows if r.channel == "survey"]
    answers = surveys.answers_of(conn, survey_ids)
    records = [_record(r, brands.get(r.id, []), tags.get(r.id, []), sources) for r in rows]
    for record in records:
        record.answers = answers.get(record.mention.id or 0)
    return records


def _record(
    r: Row[Any], brands: list[BrandRef], tags: list[str], sources: dict[int, str]
) -> MentionRecord:
    m = Mention(
        id=r.id,
        source_id=r.source_id,
        external_id=r.external_id,
        text=r.text,
        title=r.title,
        url=r.url,
        author=Author(r.author_name, r.author_id, r.author_kind, r.author_audience),
        published_at=r.published_at,
        collected_at=r.collected_at,
        channel=r.channel,
        location=r.location,
        rating=r.rating,
        engagement=Engagement(r.likes, r.comments, r.reposts, r.views),
        language=r.language_given,
        raw=r.raw,
    )
    a = Analysis(
        language=r.language,
        sentiment=r.sentiment,
        sentiment_score=r.sentiment_score,
        sentiment_source=r.sentiment_source,
        sentiment_tier=r.sentiment_tier,
        is_spam=bool(r.is_spam),
        is_complaint=bool(r.is_complaint),
        is_question=bool(r.is_question),
        duplicate_of=r.duplicate_of,
    )
    return MentionRecord(
        mention=m,
        analysis=a,
        day=r.day,
        source=sources.get(r.source_id) if r.source_id is not None else None,
        brands=brands,
        tags=tags,
        status=r.status,
        assignee=r.assignee,
        first_response_at=r.first_response_at,
        resolved_at=r.resolved_at,
    )


def _default_groups() -> filtering.GroupsFor:
    from otklik.storage.search import plain_groups

    return plain_groups
