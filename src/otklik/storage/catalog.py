"""Brands and tags of a workspace, and the hits and rule tags stored for mentions."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from otklik.domain.mention import BrandHit
from otklik.domain.records import Brand, Tag
from otklik.errors import InputError, NotFoundError
from otklik.storage import rollups
from otklik.storage.mentions import brand_hit_rows
from otklik.storage.schema import brand, mention_brand, mention_tag, tag, tag_veto


def list_brands(conn: Connection, ws_id: int) -> list[Brand]:
    """A workspace's brands, own first, then by name."""
    rows = conn.execute(
        sa.select(brand)
        .where(brand.c.workspace_id == ws_id)
        .order_by(brand.c.is_own.desc(), brand.c.name)
    )
    return [Brand(r.id, r.name, r.query, bool(r.is_own)) for r in rows]


def get_brand(conn: Connection, ws_id: int, name: str) -> Brand:
    """A brand by name, or NotFoundError listing the known ones."""
    for b in list_brands(conn, ws_id):
        if b.name == name:
            return b
    known = ", ".join(b.name for b in list_brands(conn, ws_id)) or "none yet"
    raise NotFoundError(f"no brand named {name!r} (brands: {known})")


def add_brand(
    conn: Connection, ws_id: int, name: str, query: str, is_own: bool, now: datetime
) -> Brand:
    """Create a brand; its name must be new in the workspace."""
    if not name.strip():
        raise InputError("a brand needs a name")
    exists = conn.execute(
        sa.select(brand.c.id).where(brand.c.workspace_id == ws_id, brand.c.name == name)
    ).first()
    if exists:
        raise InputError(f"brand {name!r} already exists; use `otklik brands edit` to change it")
    new_id = conn.execute(
        sa.insert(brand).returning(brand.c.id),
        {
            "workspace_id": ws_id,
            "name": name,
            "query": query,
            "is_own": is_own,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    return Brand(int(new_id), name, query, is_own)


def update_brand(
    conn: Connection,
    ws_id: int,
    name: str,
    now: datetime,
    *,
    new_name: str | None = None,
    query: str | None = None,
    is_own: bool | None = None,
) -> Brand:
    """Change the brand called `name`: rename it, set its query or own flag (None keeps).

    The id stays, so a renamed brand keeps every mention it was matched in.
    """
    current = get_brand(conn, ws_id, name)
    values: dict[str, Any] = {}
    if new_name is not None and new_name.strip() != current.name:
        values["name"] = _free_name(conn, brand, ws_id, new_name, "brand")
    if query is not None:
        if not query.strip():
            raise InputError(f"brand {name!r} needs a query; it finds the brand's mentions")
        values["query"] = query
    if is_own is not None:
        values["is_own"] = is_own
    if values:
        conn.execute(
            sa.update(brand).where(brand.c.id == current.id).values(**values, updated_at=now)
        )
    return get_brand(conn, ws_id, values.get("name", current.name))


def _free_name(conn: Connection, table: sa.Table, ws_id: int, new_name: str, kind: str) -> str:
    """`new_name` stripped, or InputError when it is empty or another brand/tag has it."""
    wanted = new_name.strip()
    if not wanted:
        raise InputError(f"a {kind} needs a name; give a non-empty new name")
    taken = conn.execute(
        sa.select(table.c.id).where(table.c.workspace_id == ws_id, table.c.name == wanted)
    ).first()
    if taken:
        raise InputError(f"cannot rename to {wanted!r}: another {kind} already has that name")
    return wanted


def remove_brand(conn: Connection, ws_id: int, name: str) -> None:
    """Delete a brand, its hits and its rollup rows."""
    current = get_brand(conn, ws_id, name)
    replace_brand_hits(conn, ws_id, current.id, {})
    conn.execute(sa.delete(brand).where(brand.c.id == current.id))


def list_tags(conn: Connection, ws_id: int) -> list[Tag]:
    """A workspace's tags by name."""
    rows = conn.execute(sa.select(tag).where(tag.c.workspace_id == ws_id).order_by(tag.c.name))
    return [Tag(r.id, r.name, r.query) for r in rows]


def get_tag(conn: Connection, ws_id: int, name: str) -> Tag:
    """A tag by name, or NotFoundError listing the known ones."""
    for t in list_tags(conn, ws_id):
        if t.name == name:
            return t
    known = ", ".join(t.name for t in list_tags(conn, ws_id)) or "none yet"
    raise NotFoundError(f"no tag named {name!r} (tags: {known})")


def add_tag(conn: Connection, ws_id: int, name: str, query: str | None, now: datetime) -> Tag:
    """Create a tag, with an optional rule query."""
    if not name.strip():
        raise InputError("a tag needs a name")
    exists = conn.execute(
        sa.select(tag.c.id).where(tag.c.workspace_id == ws_id, tag.c.name == name)
    ).first()
    if exists:
        raise InputError(f"tag {name!r} already exists; use `otklik tags edit` to change it")
    new_id = conn.execute(
        sa.insert(tag).returning(tag.c.id),
        {"workspace_id": ws_id, "name": name, "query": query, "created_at": now, "updated_at": now},
    ).scalar_one()
    return Tag(int(new_id), name, query)


def update_tag(
    conn: Connection,
    ws_id: int,
    name: str,
    now: datetime,
    *,
    new_name: str | None = None,
    query: str | None = None,
) -> Tag:
    """Change the tag called `name`: rename it or set its rule query ("" removes the rule;
    None keeps it). The id stays, so a renamed tag keeps its rule and people's assignments."""
    current = get_tag(conn, ws_id, name)
    values: dict[str, Any] = {}
    if new_name is not None and new_name.strip() != current.name:
        values["name"] = _free_name(conn, tag, ws_id, new_name, "tag")
    if query is not None:
        values["query"] = query if query.strip() else None
    if values:
        conn.execute(sa.update(tag).where(tag.c.id == current.id).values(**values, updated_at=now))
    return get_tag(conn, ws_id, values.get("name", current.name))


def remove_tag(conn: Connection, ws_id: int, name: str) -> None:
    """Delete a tag, its assignments and its rollup rows."""
    current = get_tag(conn, ws_id, name)
    ids = [
        r[0]
        for r in conn.execute(
            sa.select(mention_tag.c.mention_id).where(mention_tag.c.tag_id == current.id).distinct()
        )
    ]
    before = rollups.delta_for(conn, ids, -1)
    conn.execute(sa.delete(mention_tag).where(mention_tag.c.tag_id == current.id))
    conn.execute(sa.delete(tag).where(tag.c.id == current.id))
    after = rollups.delta_for(conn, ids, 1)
    rollups.apply(conn, ws_id, rollups.combine(before, after))


def replace_brand_hits(
    conn: Connection,
    ws_id: int,
    brand_id: int,
    hits: Mapping[int, BrandHit],
    within: Collection[int] | None = None,
) -> None:
    """Set which mentions a brand is in (mention id → its hit, with sentiment), rollups too.

    Mentions not in `hits` lose the brand; with `within`, only those mentions are looked at
    (one batch of a re-match), otherwise all. Used when a brand's query changes.
    """
    stored = sa.select(mention_brand.c.mention_id).where(mention_brand.c.brand_id == brand_id)
    old = _ids_within(conn, stored, mention_brand.c.mention_id, within)
    touched = sorted(old | set(hits))
    for start in range(0, len(touched), 2000):
        chunk = touched[start : start + 2000]
        before = rollups.delta_for(conn, chunk, -1)
        conn.execute(
            sa.delete(mention_brand).where(
                mention_brand.c.brand_id == brand_id, mention_brand.c.mention_id.in_(chunk)
            )
        )
        rows = []
        for mid in chunk:
            if mid in hits:
                rows.extend(brand_hit_rows(mid, [replace(hits[mid], brand_id=brand_id)]))
        if rows:
            conn.execute(sa.insert(mention_brand), rows)
        rollups.apply(conn, ws_id, rollups.combine(before, rollups.delta_for(conn, chunk, 1)))


def replace_rule_tags(
    conn: Connection,
    ws_id: int,
    tag_id: int,
    mention_ids: Collection[int],
    now: datetime,
    within: Collection[int] | None = None,
) -> int:
    """Make a tag's rule assignments exactly `mention_ids` (among `within` when given, one
    batch of a re-match), less those a person took the tag off; people's tags stay untouched,
    rollups follow. Returns how many mentions the rule gives the tag."""
    stored = sa.select(mention_tag.c.mention_id).where(
        mention_tag.c.tag_id == tag_id, mention_tag.c.origin == "rule"
    )
    old = _ids_within(conn, stored, mention_tag.c.mention_id, within)
    new = set(mention_ids)
    if new:
        vetoed = sa.select(tag_veto.c.mention_id).where(tag_veto.c.tag_id == tag_id)
        new -= _ids_within(conn, vetoed, tag_veto.c.mention_id, new)
    touched = sorted(old ^ new)
    for start in range(0, len(touched), 2000):
        chunk = touched[start : start + 2000]
        before = rollups.delta_for(conn, chunk, -1)
        gone = [m for m in chunk if m in old]
        if gone:
            conn.execute(
                sa.delete(mention_tag).where(
                    mention_tag.c.tag_id == tag_id,
                    mention_tag.c.origin == "rule",
                    mention_tag.c.mention_id.in_(gone),
                )
            )
        added = [m for m in chunk if m in new]
        if added:
            conn.execute(
                sa.insert(mention_tag),
                [
                    {
                        "mention_id": m,
                        "tag_id": tag_id,
                        "origin": "rule",
                        "created_by": None,
                        "created_at": now,
                    }
                    for m in added
                ],
            )
        rollups.apply(conn, ws_id, rollups.combine(before, rollups.delta_for(conn, chunk, 1)))
    return len(new)


def _ids_within(
    conn: Connection,
    stored: sa.Select[Any],
    column: sa.ColumnElement[Any],
    within: Collection[int] | None,
) -> set[int]:
    if within is None:
        return {r[0] for r in conn.execute(stored)}
    found: set[int] = set()
    ids = sorted(within)
    for start in range(0, len(ids), 2000):
        found.update(
            r[0] for r in conn.execute(stored.where(column.in_(ids[start : start + 2000])))
        )
    return found


def set_person_tag(
    conn: Connection,
    ws_id: int,
    mention_id: int,
    tag_name: str,
    present: bool,
    user: str,
    now: datetime,
) -> None:
    """A person adds or removes a tag on a mention. Removing takes the rule's assignment off
    too and is remembered, so re-applying the rule does not put the tag back; adding it again
    lifts that."""
    t = get_tag(conn, ws_id, tag_name)
    before = rollups.delta_for(conn, [mention_id], -1)
    origins = ["person"] if present else ["person", "rule"]
    conn.execute(
        sa.delete(mention_tag).where(
            mention_tag.c.mention_id == mention_id,
            mention_tag.c.tag_id == t.id,
            mention_tag.c.origin.in_(origins),
        )
    )
    conn.execute(
        sa.delete(tag_veto).where(tag_veto.c.mention_id == mention_id, tag_veto.c.tag_id == t.id)
    )
    row = {"mention_id": mention_id, "tag_id": t.id, "created_by": user, "created_at": now}
    if present:
        conn.execute(sa.insert(mention_tag), {**row, "origin": "person"})
    else:
        conn.execute(sa.insert(tag_veto), row)
    rollups.apply(conn, ws_id, rollups.combine(before, rollups.delta_for(conn, [mention_id], 1)))
