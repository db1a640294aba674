"""Storing analysed mentions: skip what is stored, link copies, keep rollups in step."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.mention import NEAR_THRESHOLD, Analysis, BrandHit, Mention, similarity
from otklik.domain.records import Workspace
from otklik.storage import rollups
from otklik.storage.bulk import bound_columns, bound_rows, sqlite_variables
from otklik.storage.schema import (
    analysis,
    mention,
    mention_brand,
    mention_tag,
    near_key,
    sentiment_correction,
    tag_veto,
)

_CHUNK = 2000


@dataclass
class AnalysedMention:
    """A mention with what the pipeline concluded about it."""

    mention: Mention
    analysis: Analysis = field(default_factory=Analysis)


@dataclass
class InsertResult:
    """What happened to each mention of a batch, by position."""

    ids: list[int | None]  # None where the mention was already stored
    already_stored: list[int]  # positions skipped as re-imports
    copies: int = 0  # stored, but marked as a copy (duplicate_of) of an earlier mention
    updated: list[int] = field(default_factory=list)  # positions that changed a stored item

    @property
    def inserted(self) -> int:
        """How many rows were written as new mentions."""
        return sum(1 for i in self.ids if i is not None) - len(self.updated)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day of a naive-UTC moment in the workspace's time zone."""
    return moment.replace(tzinfo=UTC).astimezone(tz).date()


def url_key(url: str | None) -> str | None:
    """The URL's identity key (its hash), stored beside it."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] if url else None


def insert_batch(
    conn: Connection,
    ws: Workspace,
    batch: Sequence[AnalysedMention],
    now: datetime,
    identity_by_url: bool = False,
) -> InsertResult:
    """Store a batch in the caller's transaction.

    An item already stored with the same content is skipped; one whose identity (source and
    external id, or with `identity_by_url` source and URL) is stored with other content
    updates that mention, analysed again, keeping people's corrections and case work."""
    tz = ZoneInfo(ws.timezone)
    skip, changed = _identify(conn, ws.id, batch, identity_by_url)
    fresh = [i for i in range(len(batch)) if i not in skip and i not in changed]
    ids: list[int | None] = [None] * len(batch)
    if changed:
        _update_changed(conn, ws, batch, changed, now, tz)
        for position, mid in changed.items():
            ids[position] = mid
            batch[position].mention.id = mid
    if not fresh:
        return InsertResult(ids, sorted(skip), 0, sorted(changed))
    rows = [_mention_row(ws.id, batch[i].mention, now, tz) for i in fresh]
    # A plain executemany is many times faster than RETURNING row by row; the content hash is
    # unique in the workspace, so it gives the new ids back.
    insert_rows(conn, mention, rows)
    new_ids = _ids_by_hash(conn, ws.id, [r["content_hash"] for r in rows])
    for position, row in zip(fresh, rows, strict=True):
        ids[position] = new_ids[row["content_hash"]]
        batch[position].mention.id = ids[position]
    originals = _find_originals(conn, ws.id, batch, fresh, ids)
    _insert_analysis(conn, ws.id, batch, fresh, ids, originals, now)
    delta = rollups.RollupDelta()
    for position, row in zip(fresh, rows, strict=True):
        found = batch[position].analysis
        delta.add(
            day=row["day"],
            channel=row["channel"],
            rating=row["rating"],
            sentiment=found.sentiment,
            language=found.language,
            brands=[(hit.brand_id, hit.sentiment) for hit in found.brands],
            tag_ids=found.tags,
        )
    rollups.apply(conn, ws.id, delta)
    return InsertResult(ids, sorted(skip), len(originals), sorted(changed))


def delete_mentions(conn: Connection, ws_id: int, ids: Sequence[int]) -> int:
    """Delete the workspace's mentions among `ids` (their analysis, brands, tags, cases and
    notes go with them) and take them out of the rollups; how many were deleted."""
    deleted = 0
    for start in range(0, len(ids), _CHUNK):
        owned = [
            int(r[0])
            for r in conn.execute(
                sa.select(mention.c.id).where(
                    mention.c.workspace_id == ws_id,
                    mention.c.id.in_(list(ids[start : start + _CHUNK])),
                )
            )
        ]
        rollups.apply(conn, ws_id, rollups.delta_for(conn, owned, -1))
        conn.execute(sa.delete(mention).where(mention.c.id.in_(owned)))
        deleted += len(owned)
    return deleted


def _ids_by_hash(conn: Connection, ws_id: int, hashes: Sequence[str]) -> dict[str, int]:
    return dict(
        _select_in(
            conn,
            "SELECT content_hash, id FROM mention WHERE workspace_id = {p} AND content_hash IN",
            (ws_id,),
            hashes,
        )
    )


def _select_in(
    conn: Connection, head: str, fixed: tuple[Any, ...], values: Sequence[Any], tail: str = ""
) -> list[tuple[Any, ...]]:
    """Rows of `head (values…) tail`, in chunks; `{p}` in head marks each fixed parameter.

    Plain driver SQL on the driver's cursor: building SQLAlchemy IN clauses of thousands of
    values, and its result rows, cost more than the indexed lookups themselves."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql_head = head.replace("{p}", mark)
    out: list[tuple[Any, ...]] = []
    raw: Any = conn.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        for start in range(0, len(values), _CHUNK):
            chunk = tuple(values[start : start + _CHUNK])
            cursor.execute(f"{sql_head} ({', '.join([mark] * len(chunk))}) {tail}", fixed + chunk)
            out.extend(map(tuple, cursor.fetchall()))
    finally:
        cursor.close()
    return out


def _stored_by(
    conn: Connection, column: sa.Column[Any], wanted: Mapping[int, list[str]]
) -> dict[tuple[int, str], list[int]]:
    """(source id, value) → ids of stored mentions with that value in `column`."""
    found: dict[tuple[int, str], list[int]] = {}
    for source_id, values in wanted.items():
        head = f"SELECT id, {column.name} FROM mention WHERE source_id = {{p}} AND {column.name} IN"
        for mid, value in _select_in(conn, head, (source_id,), sorted(set(values))):
            found.setdefault((source_id, value), []).append(mid)
    return found


def _identify(
    conn: Connection, ws_id: int, batch: Sequence[AnalysedMention], by_url: bool
) -> tuple[set[int], dict[int, int]]:
    """Positions to skip (same content stored or earlier in the batch, or the same item
    again in the batch) and positions that change a stored item (position → its id)."""
    known = set(_ids_by_hash(conn, ws_id, [am.mention.content_hash for am in batch]))
    by_ext: dict[int, list[str]] = {}
    by_key: dict[int, list[str]] = {}
    for am in batch:
        m = am.mention
        if m.source_id is None:
            continue
        if m.external_id:
            by_ext.setdefault(m.source_id, []).append(m.external_id)
        elif by_url and m.url:
            by_key.setdefault(m.source_id, []).append(url_key(m.url) or "")
    stored_ext = _stored_by(conn, mention.c.external_id, by_ext)
    stored_url = _stored_by(conn, mention.c.url_key, by_key)
    skip: set[int] = set()
    changed: dict[int, int] = {}
    seen_hash: set[str] = set()
    seen_identity: set[tuple[int, str]] = set()
    for position, am in enumerate(batch):
        m = am.mention
        identity, stored = None, None
        if m.source_id is not None and m.external_id:
            identity = (m.source_id, "ext:" + m.external_id)
            stored = stored_ext.get((m.source_id, m.external_id))
        elif m.source_id is not None and by_url and m.url:
            identity = (m.source_id, "url:" + (url_key(m.url) or ""))
            stored = stored_url.get((m.source_id, url_key(m.url) or ""))
        if m.content_hash in known or m.content_hash in seen_hash:
            skip.add(position)
        elif identity is not None and identity in seen_identity:
            skip.add(position)
        elif stored and len(stored) == 1 and stored[0] not in changed.values():
            changed[position] = stored[0]
        elif stored:
            skip.add(position)  # several stored items claim the identity: not ours to choose
        seen_hash.add(m.content_hash)
        if identity is not None:
            seen_identity.add(identity)
    return skip, changed


def _update_changed(
    conn: Connection,
    ws: Workspace,
    batch: Sequence[AnalysedMention],
    changed: Mapping[int, int],
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """Write new content and analysis over stored items; corrections, person tags, tag
    vetoes and case work stay, the rollups follow."""
    ids = sorted(changed.values())
    before = rollups.delta_for(conn, ids, -1)
    corrected = _corrections(conn, ids)
    vetoed = _vetoes(conn, ids)
    for position, mid in changed.items():
        am = batch[position]
        row = _mention_row(ws.id, am.mention, now, tz)
        for kept in ("workspace_id", "collected_at"):
            row.pop(kept)
        conn.execute(sa.update(mention).where(mention.c.id == mid).values(**row))
    conn.execute(sa.delete(near_key).where(near_key.c.mention_id.in_(ids)))
    conn.execute(sa.delete(mention_brand).where(mention_brand.c.mention_id.in_(ids)))
    conn.execute(
        sa.delete(mention_tag).where(
            mention_tag.c.mention_id.in_(ids), mention_tag.c.origin == "rule"
        )
    )
    positions = sorted(changed)
    ids_at: list[int | None] = [changed.get(p) for p in range(len(batch))]
    originals = {
        p: o
        for p, o in _find_originals(conn, ws.id, batch, positions, ids_at).items()
        if o != changed[p]
    }
    for position in positions:
        mid = changed[position]
        found = batch[position].analysis
        row = analysis_row(ws.id, mid, found, originals.get(position), now)
        row.pop("mention_id")
        label = corrected.get((mid, None))
        if label is not None:
            row.update(sentiment=label, sentiment_score=1.0, sentiment_source="person")
        conn.execute(sa.update(analysis).where(analysis.c.mention_id == mid).values(**row))
        if position not in originals:
            insert_rows(
                conn,
                near_key,
                [
                    {"workspace_id": ws.id, "key": k, "mention_id": mid}
                    for k in dict.fromkeys(found.near_keys)
                ],
            )
        hits = brand_hit_rows(mid, found.brands)
        for hit in hits:
            label = corrected.get((mid, hit["brand_id"]))
            if label is not None:
                hit.update(sentiment=label, sentiment_score=1.0)
        if hits:
            conn.execute(sa.insert(mention_brand), hits)
        tags = [
            row for row in rule_tag_rows(mid, found.tags, now) if (mid, row["tag_id"]) not in vetoed
        ]
        if tags:
            conn.execute(sa.insert(mention_tag), tags)
    rollups.apply(conn, ws.id, rollups.combine(before, rollups.delta_for(conn, ids, 1)))


def _corrections(conn: Connection, ids: Sequence[int]) -> dict[tuple[int, int | None], str]:
    """(mention id, brand id or None) → a person's latest sentiment label."""
    out: dict[tuple[int, int | None], str] = {}
    for mid, bid, label in conn.execute(
        sa.select(
            sentiment_correction.c.mention_id,
            sentiment_correction.c.brand_id,
            sentiment_correction.c.label,
        )
        .where(sentiment_correction.c.mention_id.in_(list(ids)))
        .order_by(sentiment_correction.c.id)
    ):
        out[(mid, bid)] = label
    return out


def _vetoes(conn: Connection, ids: Sequence[int]) -> set[tuple[int, int]]:
    return {
        (mid, tid)
        for mid, tid in conn.execute(
            sa.select(tag_veto.c.mention_id, tag_veto.c.tag_id).where(
                tag_veto.c.mention_id.in_(list(ids))
            )
        )
    }


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
        "url_key": url_key(m.url),
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
    """Position → id of the stored or earlier-in-batch mention it copies.

    Key by key, a stored candidate (the oldest mention with the key) comes first, then an
    earlier mention of the batch; the first one alike is the original."""
    found_of = [batch[position].analysis for position in fresh]
    wanted: set[int] = set()
    for found in found_of:
        wanted.update(found.near_keys)
    by_key = _oldest_by_key(conn, ws_id, sorted(wanted))
    signatures = _signatures(conn, sorted(set(by_key.values())))
    stored_hit = _first_stored_alike(found_of, by_key, signatures)
    originals: dict[int, int] = {}
    local: dict[int, int] = {}  # key → position of an earlier original in this batch
    for index, position in enumerate(fresh):
        found = found_of[index]
        keys_of = found.near_keys
        sig = found.signature or b""
        hit = stored_hit.get(index)
        # Before the first key with a stored original, an earlier copy in the batch may win.
        for key in keys_of[: hit[0]] if hit is not None else keys_of:
            earlier = local.get(key)
            if earlier is not None and _same(batch[earlier].analysis.signature or b"", sig):
                originals[position] = ids[earlier]  # type: ignore[assignment]
                break
        else:
            if hit is not None:
                originals[position] = hit[1]
        if position not in originals:
            for key in keys_of:
                local.setdefault(key, position)
    return originals


def _oldest_by_key(conn: Connection, ws_id: int, keys: Sequence[int]) -> dict[int, int]:
    """Key → the oldest stored mention with it, one index probe per key.

    Not `key IN (…) GROUP BY key`: that reads every row of a key, and the keys of common
    wording (a template, a stock phrase) are shared by thousands of mentions."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    oldest = (
        "(SELECT min(n.mention_id) FROM near_key n"
        f' WHERE n.workspace_id = {mark} AND n."key" = v.column1)'
    )
    raw: Any = conn.connection.dbapi_connection
    out: dict[int, int] = {}
    cursor = raw.cursor()
    try:
        for start in range(0, len(keys), _CHUNK):
            chunk = tuple(keys[start : start + _CHUNK])
            values = ", ".join([f"({mark})"] * len(chunk))
            cursor.execute(
                f"SELECT v.column1, {oldest} FROM (VALUES {values}) AS v", (ws_id, *chunk)
            )
            out.update((key, mid) for key, mid in cursor.fetchall() if mid is not None)
    finally:
        cursor.close()
    return out


def _first_stored_alike(
    found_of: Sequence[Analysis], by_key: Mapping[int, int], signatures: Mapping[int, bytes]
) -> dict[int, tuple[int, int]]:
    """Index → (key index, id) of the first of its keys whose stored candidate is alike.

    Every (item, candidate) pair is compared in one numpy pass: the same equal-value counts
    and quotients as `similarity`, so the same answers as comparing key by key."""
    counts = [len(found.near_keys) for found in found_of]
    if not by_key or not sum(counts):
        return {}
    sigs = [found.signature or b"" for found in found_of]
    candidates = sorted(set(by_key.values()))
    stored = [signatures.get(mid, b"") for mid in candidates]
    sizes = {len(sig) for sig, n in zip(sigs, counts, strict=True) if n} | set(map(len, stored))
    if len(sizes) != 1 or not (size := sizes.pop()) or size % 4:
        return _first_stored_alike_slowly(found_of, by_key, signatures)
    width = size // 4
    flat = np.fromiter(chain.from_iterable(f.near_keys for f in found_of), np.int64, sum(counts))
    known = np.fromiter(by_key, np.int64, len(by_key))
    order = np.argsort(known)
    known = known[order]
    owner_of_key = np.fromiter(by_key.values(), np.int64, len(by_key))[order]
    at = np.minimum(np.searchsorted(known, flat), len(known) - 1)
    has = known[at] == flat
    item = np.repeat(np.arange(len(found_of)), counts)[has]
    key_index = (np.arange(flat.size) - np.repeat(np.cumsum(counts) - counts, counts))[has]
    candidate = owner_of_key[at[has]]
    item_sigs = np.frombuffer(
        b"".join(sig if n else bytes(size) for sig, n in zip(sigs, counts, strict=True)),
        np.uint32,
    ).reshape(-1, width)
    stored_sigs = np.frombuffer(b"".join(stored), np.uint32).reshape(-1, width)
    row = np.searchsorted(np.asarray(candidates, dtype=np.int64), candidate)
    same = np.count_nonzero(item_sigs[item] == stored_sigs[row], axis=1)
    alike = same / width >= NEAR_THRESHOLD
    # Pairs are in item, then key order: the first alike pair of each item is its hit.
    hit_items, first = np.unique(item[alike], return_index=True)
    return {
        int(i): (int(k), int(c))
        for i, k, c in zip(
            hit_items.tolist(),
            key_index[alike][first].tolist(),
            candidate[alike][first].tolist(),
            strict=True,
        )
    }


def _first_stored_alike_slowly(
    found_of: Sequence[Analysis], by_key: Mapping[int, int], signatures: Mapping[int, bytes]
) -> dict[int, tuple[int, int]]:
    """The same, pair by pair (signatures of several sizes)."""
    out: dict[int, tuple[int, int]] = {}
    for index, found in enumerate(found_of):
        sig = found.signature or b""
        for key_index, key in enumerate(found.near_keys):
            candidate = by_key.get(key)
            if candidate is not None and _same(signatures.get(candidate, b""), sig):
                out[index] = (key_index, candidate)
                break
    return out


def _same(stored: bytes, new: bytes) -> bool:
    # Sharing a band key only makes a candidate; the whole signatures must agree closely.
    return similarity(stored, new) >= NEAR_THRESHOLD


def _signatures(conn: Connection, mention_ids: Sequence[int]) -> dict[int, bytes]:
    head = "SELECT mention_id, signature FROM analysis WHERE mention_id IN"
    return {mid: bytes(sig or b"") for mid, sig in _select_in(conn, head, (), mention_ids)}


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
    key_values: list[int] = []
    key_owners: list[int | None] = []
    brand_rows: list[dict[str, Any]] = []
    tag_rows: list[dict[str, Any]] = []
    for position in fresh:
        mid = ids[position]
        found = batch[position].analysis
        analysis_rows.append(analysis_row(ws_id, mid, found, originals.get(position), now))
        if position not in originals and found.near_keys:
            keys = dict.fromkeys(found.near_keys)
            key_values.extend(keys)
            key_owners.extend([mid] * len(keys))
        if found.brands:
            brand_rows.extend(brand_hit_rows(mid, found.brands))
        if found.tags:
            tag_rows.extend(rule_tag_rows(mid, found.tags, now))
    insert_rows(conn, analysis, analysis_rows)
    # Several keys a mention: given column by column, not as a dict each.
    insert_columns(
        conn,
        near_key,
        {"workspace_id": [ws_id] * len(key_values), "key": key_values, "mention_id": key_owners},
    )
    for table, rows in ((mention_brand, brand_rows), (mention_tag, tag_rows)):
        if rows:
            conn.execute(sa.insert(table), rows)


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Many rows in one go (COPY on PostgreSQL, multi-row INSERTs on SQLite), values passed
    through their column types (see `bulk.bound_rows`)."""
    if not rows:
        return
    _insert_bound(conn, table, *bound_rows(conn, table, rows))


def insert_columns(conn: Connection, table: sa.Table, columns: Mapping[str, Sequence[Any]]) -> None:
    """`insert_rows` with the values given column by column (lists of one length)."""
    if not next(iter(columns.values()), None):
        return
    _insert_bound(conn, table, *bound_columns(conn, table, columns))


def _insert_bound(
    conn: Connection, table: sa.Table, columns: list[str], data: list[tuple[Any, ...]]
) -> None:
    if conn.dialect.name == "postgresql":
        # COPY streams the rows in one command; executemany sends a message per row.
        raw: Any = conn.connection.dbapi_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in data:
                copy.write_row(row)
        return
    # One statement of many rows, not executemany: each statement with a trigger opens a
    # statement savepoint, and FTS5 flushes its pending terms to a new segment at every
    # savepoint, so the mention_fts trigger made one segment (and its merges) per row.
    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "
    one = f"({', '.join('?' * len(columns))})"
    per = max(1, sqlite_variables(conn) // len(columns))
    driver: Any = conn.connection.dbapi_connection
    cursor = driver.cursor()
    try:
        for start in range(0, len(data), per):
            part = data[start : start + per]
            cursor.execute(head + ", ".join([one] * len(part)), list(chain.from_iterable(part)))
    finally:
        cursor.close()


def analysis_row(
    ws_id: int, mid: int | None, found: Analysis, duplicate_of: int | None, now: datetime
) -> dict[str, Any]:
    """The analysis table row for one mention's analysis."""
    return {
        "mention_id": mid,
        "workspace_id": ws_id,
        "language": found.language,
        "sentiment": found.sentiment,
        "sentiment_score": found.sentiment_score,
        "sentiment_source": found.sentiment_source,
        "sentiment_tier": found.sentiment_tier,
        "is_spam": found.is_spam,
        "is_complaint": found.is_complaint,
        "is_question": found.is_question,
        "duplicate_of": duplicate_of,
        "signature": found.signature,
        "embedding": found.embedding,
        "analysed_at": now,
    }


def rule_tag_rows(mid: int | None, tags: Iterable[int], now: Any) -> list[dict[str, Any]]:
    """mention_tag rows for the tags a mention's rules gave it (each tag once)."""
    return [
        {"mention_id": mid, "tag_id": t, "origin": "rule", "created_by": None, "created_at": now}
        for t in dict.fromkeys(tags)
    ]


def brand_hit_rows(mid: int | None, hits: Iterable[BrandHit]) -> list[dict[str, Any]]:
    """mention_brand rows for a mention's brand hits."""
    return [
        {
            "mention_id": mid,
            "brand_id": hit.brand_id,
            "role": hit.role,
            "role_reason": hit.role_reason,
            "sentiment": hit.sentiment,
            "sentiment_score": hit.score,
            "is_comparison": hit.is_comparison,
        }
        for hit in hits
    ]
