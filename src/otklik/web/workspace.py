"""Catalog changes from the web: saved through the catalog service, with stored mentions
matched again in the background (`rematch_jobs`) rather than while the request waits."""

from __future__ import annotations

from otklik.domain.records import Brand, Tag
from otklik.services import catalog
from otklik.web.deps import WebState
from otklik.web.rematch_jobs import Target


def save_brand(
    state: WebState, name: str, query: str, is_own: bool, old_name: str | None = None
) -> Brand:
    """Add a brand, or change the one called `old_name` (renamed to `name`); a new or changed
    query is matched against the stored mentions in the background."""
    saved, changed = catalog.save_brand(state.svc, state.ws, name, query, is_own, old_name)
    if changed:
        state.jobs.submit(Target("brand", saved.id))
    return saved


def save_tag(state: WebState, name: str, query: str | None, old_name: str | None = None) -> Tag:
    """Add a tag, or change the one called `old_name` (renamed to `name`); a new or changed
    rule is applied to the stored mentions in the background."""
    saved, changed = catalog.save_tag(state.svc, state.ws, name, query, old_name)
    if changed:
        state.jobs.submit(Target("tag", saved.id))
    return saved


def remove_brand(state: WebState, name: str) -> None:
    """Delete a brand and its matches, stopping its re-match first."""
    catalog.remove_brand(
        state.svc, state.ws, name, before=lambda b: state.jobs.cancel(Target("brand", b.id))
    )


def remove_tag(state: WebState, name: str) -> None:
    """Delete a tag and its assignments, stopping its re-match first."""
    catalog.remove_tag(
        state.svc, state.ws, name, before=lambda t: state.jobs.cancel(Target("tag", t.id))
    )
