"""Catalog changes from the web: saved through the catalog service, with stored mentions
matched again by a background job rather than while the request waits."""

from __future__ import annotations

from typing import Any

from otklik.domain.records import Brand, Tag
from otklik.services import catalog, jobs
from otklik.web.deps import WebState


def save_brand(
    state: WebState, name: str, query: str, is_own: bool, old_name: str | None = None
) -> Brand:
    """Add a brand, or change the one called `old_name` (renamed to `name`); a new or changed
    query is matched against the stored mentions in the background."""
    saved, changed = catalog.save_brand(state.svc, state.ws, name, query, is_own, old_name)
    if changed:
        _queue_rematch(state, "brand", saved.id)
    return saved


def save_tag(state: WebState, name: str, query: str | None, old_name: str | None = None) -> Tag:
    """Add a tag, or change the one called `old_name` (renamed to `name`); a new or changed
    rule is applied to the stored mentions in the background."""
    saved, changed = catalog.save_tag(state.svc, state.ws, name, query, old_name)
    if changed:
        _queue_rematch(state, "tag", saved.id)
    return saved


def remove_brand(state: WebState, name: str) -> None:
    """Delete a brand and its matches, stopping its re-match first."""
    catalog.remove_brand(
        state.svc,
        state.ws,
        name,
        before=lambda b: jobs.cancel_rematch(state.svc, state.ws, "brand", b.id),
    )


def remove_tag(state: WebState, name: str) -> None:
    """Delete a tag and its assignments, stopping its re-match first."""
    catalog.remove_tag(
        state.svc,
        state.ws,
        name,
        before=lambda t: jobs.cancel_rematch(state.svc, state.ws, "tag", t.id),
    )


def rematch_records(state: WebState, kind: str) -> dict[int, dict[str, Any]]:
    """The latest re-match job of each brand or tag (`kind`), by its id."""
    return jobs.rematch_records(state.svc, state.ws, kind)


def _queue_rematch(state: WebState, kind: str, target_id: int) -> None:
    jobs.queue_rematch(state.svc, state.ws, kind, target_id)
    if state.worker is not None:
        state.worker.wake()
