"""Brands and tags of a workspace: list, add, change, remove.

Stored mentions are matched again by `services.rematch`; the functions here say whether a
change needs that, and the caller runs it now (CLI) or as a background job (web, API).
"""

from __future__ import annotations

from collections.abc import Callable

from otklik.domain.records import Brand, Tag, Workspace
from otklik.errors import InputError
from otklik.services.context import Services
from otklik.services.queries import check
from otklik.storage import catalog, utcnow
from otklik.text.morphology import tokenize


def brands(svc: Services, ws: Workspace) -> list[Brand]:
    """The workspace's brands."""
    with svc.store.connect() as conn:
        return catalog.list_brands(conn, ws.id)


def tags(svc: Services, ws: Workspace) -> list[Tag]:
    """The workspace's tags."""
    with svc.store.connect() as conn:
        return catalog.list_tags(conn, ws.id)


def brand(svc: Services, ws: Workspace, name: str) -> Brand:
    """The brand called `name` (NotFoundError when there is none)."""
    with svc.store.connect() as conn:
        return catalog.get_brand(conn, ws.id, name)


def tag(svc: Services, ws: Workspace, name: str) -> Tag:
    """The tag called `name` (NotFoundError when there is none)."""
    with svc.store.connect() as conn:
        return catalog.get_tag(conn, ws.id, name)


def name_query(name: str) -> str:
    """The query a brand gets when none is given: its name, as a phrase when it has words."""
    return f'"{name}"' if len(tokenize(name)) > 1 else name


def brand_query(svc: Services, ws: Workspace, name: str) -> str | None:
    """The stored query of the brand called `name`, or None when there is no such brand."""
    return next((b.query for b in brands(svc, ws) if b.name == name), None)


def add_brand(svc: Services, ws: Workspace, name: str, query: str, is_own: bool) -> Brand:
    """Add a brand (QueryError for a query that cannot be parsed)."""
    check(query)
    with svc.store.begin() as conn:
        return catalog.add_brand(conn, ws.id, name, query, is_own, utcnow())


def update_brand(
    svc: Services,
    ws: Workspace,
    name: str,
    *,
    new_name: str | None = None,
    query: str | None = None,
    is_own: bool | None = None,
) -> Brand:
    """Rename a brand or change its query or own flag; None leaves a field as it is."""
    if query is not None:
        check(query)
    with svc.store.begin() as conn:
        return catalog.update_brand(
            conn, ws.id, name, utcnow(), new_name=new_name, query=query, is_own=is_own
        )


def save_brand(
    svc: Services, ws: Workspace, name: str, query: str, is_own: bool, old_name: str | None = None
) -> tuple[Brand, bool]:
    """Add a brand, or change the one called `old_name` (renamed to `name`); the brand and
    whether its query is new or changed (stored mentions need matching again)."""
    if not query.strip():
        raise InputError('a brand needs a query, e.g. BystroPost OR "Быстрая Почта"')
    check(query)
    if not old_name:
        return add_brand(svc, ws, name.strip(), query, is_own), True
    before = brand(svc, ws, old_name).query
    saved = update_brand(svc, ws, old_name, new_name=name, query=query, is_own=is_own)
    return saved, saved.query != before


def remove_brand(
    svc: Services, ws: Workspace, name: str, before: Callable[[Brand], None] | None = None
) -> None:
    """Remove a brand and its matches (the mentions stay); `before` is called with the brand
    first (to stop its re-match)."""
    found = brand(svc, ws, name)
    if before is not None:
        before(found)
    with svc.store.begin() as conn:
        catalog.remove_brand(conn, ws.id, name)


def add_tag(svc: Services, ws: Workspace, name: str, query: str | None) -> Tag:
    """Add a tag; with a query it is a rule (QueryError for one that cannot be parsed)."""
    if query:
        check(query)
    with svc.store.begin() as conn:
        return catalog.add_tag(conn, ws.id, name, query or None, utcnow())


def update_tag(
    svc: Services,
    ws: Workspace,
    name: str,
    *,
    new_name: str | None = None,
    query: str | None = None,
) -> Tag:
    """Rename a tag or change its rule ('' removes the rule); None leaves a field as it is."""
    if query:
        check(query)
    with svc.store.begin() as conn:
        return catalog.update_tag(conn, ws.id, name, utcnow(), new_name=new_name, query=query)


def save_tag(
    svc: Services, ws: Workspace, name: str, query: str | None, old_name: str | None = None
) -> tuple[Tag, bool]:
    """Add a tag, or change the one called `old_name` (renamed to `name`); the tag and
    whether its rule is new or changed (stored mentions need it applied again)."""
    if query:
        check(query)
    if not old_name:
        saved = add_tag(svc, ws, name.strip(), query)
        return saved, saved.query is not None
    before = tag(svc, ws, old_name).query
    saved = update_tag(svc, ws, old_name, new_name=name, query=query or "")
    return saved, saved.query != before


def remove_tag(
    svc: Services, ws: Workspace, name: str, before: Callable[[Tag], None] | None = None
) -> None:
    """Remove a tag from the workspace and every mention; `before` is called with the tag
    first (to stop its re-match)."""
    found = tag(svc, ws, name)
    if before is not None:
        before(found)
    with svc.store.begin() as conn:
        catalog.remove_tag(conn, ws.id, name)
