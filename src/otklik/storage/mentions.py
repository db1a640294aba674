"""Storing analysed mentions: skip what is stored, link copies, keep rollups in step."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.mention import Mention
from otklik.domain.records import Workspace
from otklik.pipeline.stages.dedupe import NEAR_THRESHOLD, similarity
from otklik.storage import rollups
from otklik.storage.schema import analysis, mention, mention_brand, mention_tag, near_key

_CHUNK = 2000


@dataclass
class AnalysedMention:
    """A mention with the values the pipeline produced for it."""

    mention: Mention
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class InsertResult:
    """What happened to each mention of a batch, by position."""

    ids: list[int | None]  # None where the mention was already stored
    already_stored: list[int]  # positions skipped as re-imports
    copies: int = 0  # stored, but marked as a copy (duplicate_of) of an earlier mention

    @property
    def inserted(self) -> int:
        """How many rows were written."""
        return sum(1 for i in self.ids if i is not None)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day of a naive-UTC moment in the workspace's time zone."""
    return moment.replace(tzinfo=UTC).astimezone(tz).date()


def insert_batch(
    conn: Connection, ws: Workspace, batch: Sequence[AnalysedMention], now: datetime
) -> InsertResult:
    """Store a batch in the caller's transaction; re-imports of stored items are skipped."""
    tz = ZoneInfo(ws.timezone)
    skip = _already_stored(conn, ws.id, batch)
    fresh = [i for i in range(len(batch)) if i not in skip]
    if not fresh:
        return InsertResult([None] * len(batch), sorted(skip))
    rows = [_mention_row(ws.id, batch[i].mention, now, tz) for i in fresh]
    # A plain executemany is many times faster than RETURNING row by row; the content hash is
    # unique in the workspace, so it gives the new ids back.
    insert_rows(conn, mention, rows)
    new_ids = _ids_by_hash(conn, ws.id, [r["content_hash"] for r in rows])
    ids: list[int | None] = [None] * len(batch)
    for position, row in zip(fresh, rows, strict=True):
        ids[position] = new_ids[row["content_hash"]]
        batch[position].mention.id = ids[position]
    originals = _find_originals(conn, ws.id, batch, fresh, ids)
    _insert_analysis(conn, ws.id, batch, fresh, ids, originals, now)
    delta = rollups.RollupDelta()
    for position, row in zip(fresh, rows, strict=True):
        values = batch[position].values
        delta.add(
            day=row["day"],
            channel=row["channel"],
            rating=row["rating"],
            sentiment=values.get("sentiment"),
            language=values.get("language"),
            brands=_brand_sentiments(values),
            tag_ids=values.get("tag_ids") or (),
        )
    rollups.apply(conn, ws.id, delta)
    return InsertResult(ids, sorted(skip), len(originals))


def _ids_by_hash(conn: Connection, ws_id: int, hashes: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        found.update(
            (h, i)
            for i, h in conn.execute(
                sa.select(mention.c.id, mention.c.content_hash).where(
                    mention.c.workspace_id == ws_id, mention.c.content_hash.in_(chunk)
                )
            )
        )
    return found


def _already_stored(conn: Connection, ws_id: int, batch: Sequence[AnalysedMention]) -> set[int]:
    """Positions whose content hash or (source, external id) is stored or repeats in the batch."""
    hashes = [am.mention.content_hash for am in batch]
    known: set[str] = set()
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        known.update(
            r[0]
            for r in conn.execute(
                sa.select(mention.c.content_hash).where(
                    mention.c.workspace_id == ws_id, mention.c.content_hash.in_(chunk)
                )
            )
        )
    external: dict[int, list[str]] = {}
    for am in batch:
        if am.mention.external_id is not None and am.mention.source_id is not None:
            external.setdefault(am.mention.source_id, []).append(am.mention.external_id)
    known_ext: set[tuple[int, str]] = set()
    for source_id, ext_ids in external.items():
        for start in range(0, len(ext_ids), _CHUNK):
            chunk = ext_ids[start : start + _CHUNK]
            known_ext.update(
                (source_id, r[0])
                for r in conn.execute(
                    sa.select(mention.c.external_id).where(
                        mention.c.source_id == source_id, mention.c.external_id.in_(chunk)
                    )
                )
            )
    skip: set[int] = set()
    seen_hash: set[str] = set()
    seen_ext: set[tuple[int, str]] = set()
    for position, am in enumerate(batch):
        m = am.mention
        ext = (m.source_id, m.external_id) if m.external_id and m.source_id else None
        if m.content_hash in known or m.content_hash in seen_hash:
            skip.add(position)
        elif ext is not None and (ext in known_ext or ext in seen_ext):
            skip.add(position)
        seen_hash.add(m.content_hash)
        if ext is not None:
            seen_ext.add(ext)
    return skip


def _mention_row(ws_id: int, m: Mention, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    published = m.published_at or now
    return {
        "workspace_id": ws_id,
        "source_id": m.source_id,
        "external_id": m.external_id,
        "content_hash": m.content_hash,
        "text": m.text,
        "title": m.title,
        "url": m.url,
        "author_name": m.author.name,
        "author_id": m.author.id,
        "author_kind": m.author.kind,
        "author_audience": m.author.audience,
        "published_at": published,
        "collected_at": m.collected_at or now,
        "day": local_day(published, tz),
        "channel": m.channel,
        "location": m.location,
        "rating": m.rating,
        "likes": m.engagement.likes,
        "comments": m.engagement.comments,
        "reposts": m.engagement.reposts,
        "views": m.engagement.views,
        "language_given": m.language,
        "raw": m.raw,
    }


def _find_originals(
    conn: Connection,
    ws_id: int,
    batch: Sequence[AnalysedMention],
    fresh: Sequence[int],
    ids: Sequence[int | None],
) -> dict[int, int]:
    """Position → id of the stored or earlier-in-batch mention it copies."""
    wanted: set[int] = set()
    for position in fresh:
        wanted.update(batch[position].values.get("dedupe_keys") or ())
    by_key: dict[int, int] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        for key, mid in conn.execute(
            sa.select(near_key.c.key, sa.func.min(near_key.c.mention_id))
            .where(near_key.c.workspace_id == ws_id, near_key.c.key.in_(chunk))
            .group_by(near_key.c.key)
        ):
            by_key[key] = mid
    signatures = _signatures(conn, sorted(set(by_key.values())))
    originals: dict[int, int] = {}
    local: dict[int, int] = {}  # key → position of an earlier original in this batch
    for position in fresh:
        values = batch[position].values
        keys_of = values.get("dedupe_keys") or []
        sig = values.get("signature") or b""
        for key in keys_of:
            candidate = by_key.get(key)
            if candidate is not None and _same(signatures.get(candidate, b""), sig):
                originals[position] = candidate
                break
            earlier = local.get(key)
            if earlier is not None and _same(batch[earlier].values.get("signature") or b"", sig):
                originals[position] = ids[earlier]  # type: ignore[assignment]
                break
        if position not in originals:
            for key in keys_of:
                local.setdefault(key, position)
    return originals


def _same(stored: bytes, new: bytes) -> bool:
    # Sharing a band key only makes a candidate; the whole signatures must agree closely.
    return similarity(stored, new) >= NEAR_THRESHOLD


def _signatures(conn: Connection, mention_ids: Sequence[int]) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for start in range(0, len(mention_ids), _CHUNK):
        chunk = mention_ids[start : start + _CHUNK]
        for mid, sig in conn.execute(
            sa.select(analysis.c.mention_id, analysis.c.signature).where(
                analysis.c.mention_id.in_(chunk)
            )
        ):
            found[mid] = sig or b""
    return found


def _insert_analysis(
    conn: Connection,
    ws_id: int,
    batch: Sequence[AnalysedMention],
    fresh: Sequence[int],
    ids: Sequence[int | None],
    originals: Mapping[int, int],
    now: datetime,
) -> None:
    analysis_rows: list[dict[str, Any]] = []
    key_rows: list[dict[str, Any]] = []
    brand_rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []
    for position in fresh:
        mid = ids[position]
        values = batch[position].values
        analysis_rows.append(analysis_row(ws_id, mid, values, originals.get(position), now))
        if position not in originals:
            key_rows.extend(
                {"workspace_id": ws_id, "key": k, "mention_id": mid}
                for k in dict.fromkeys(values.get("dedupe_keys") or ())
            )
        brand_rows.extend(brand_hit_rows(mid, values))
        tag_rows.extend(
            {
                "mention_id": mid,
                "tag_id": t,
                "origin": "rule",
                "created_by": None,
                "created_at": now,
            }
            for t in dict.fromkeys(values.get("tag_ids") or ())
        )
    insert_rows(conn, analysis, analysis_rows)
    insert_rows(conn, near_key, key_rows)
    for table, rows in ((mention_brand, brand_rows), (mention_tag, tag_rows)):
        if rows:
            conn.execute(sa.insert(table), rows)


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Many rows in one go (COPY on PostgreSQL, executemany on SQLite), values passed
    through their column types.

    SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself on
    batches of thousands; the column types' own converters keep the values identical.
    """
    if not rows:
        return
    columns = list(rows[0])
    dialect = conn.dialect
    converters = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    pairs = list(zip(columns, converters, strict=True))
    data = [
        tuple(row[name] if convert is None else convert(row[name]) for name, convert in pairs)
        for row in rows
    ]
    if dialect.name == "postgresql":
        # COPY streams the rows in one command; executemany sends a message per row.
        raw: Any = conn.connection.dbapi_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in data:
                copy.write_row(row)
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, data)


def analysis_row(
    ws_id: int, mid: int | None, values: Mapping[str, Any], duplicate_of: int | None, now: datetime
) -> dict[str, Any]:
    """The analysis table row for one mention's pipeline values."""
    return {
        "mention_id": mid,
        "workspace_id": ws_id,
        "language": values.get("language"),
        "sentiment": values.get("sentiment"),
        "sentiment_score": values.get("sentiment_score"),
        "sentiment_source": values.get("sentiment_source"),
        "is_spam": bool(values.get("is_spam", False)),
        "duplicate_of": duplicate_of,
        "signature": values.get("signature"),
        "analysed_at": now,
    }


def brand_hit_rows(mid: int | None, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """mention_brand rows from the brands stage's hits and the sentiment stage's scores."""
    hits = values.get("brand_hits") or []
    scores = values.get("brand_sentiments") or []
    rows = []
    for index, hit in enumerate(hits):
        score = scores[index] if index < len(scores) else {}
        rows.append(
            {
                "mention_id": mid,
                "brand_id": hit["brand_id"],
                "role": hit.get("role", "passing"),
                "role_reason": hit.get("role_reason"),
                "sentiment": score.get("sentiment"),
                "sentiment_score": score.get("score"),
                "is_comparison": bool(hit.get("is_comparison", False)),
            }
        )
    return rows


def _brand_sentiments(values: Mapping[str, Any]) -> Iterable[tuple[int, str | None]]:
    return [(r["brand_id"], r["sentiment"]) for r in brand_hit_rows(None, values)]
