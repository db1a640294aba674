"""Stored mentions matched again after a brand query or tag rule changes.

Callable from the CLI (in the foreground, printing progress) and from a background job:
nothing here needs a web or CLI object. Each batch is written in its own short transaction,
so a re-match stopped by raising from `progress` leaves a consistent store.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from otklik import rematch
from otklik.domain.records import Workspace
from otklik.services.context import Services

__all__ = ["Progress", "rematch_brands", "rematch_tags"]

Progress = Callable[[int, int], None]
"""Called with (done, total) mentions before the first batch and after each one."""


def rematch_brands(
    svc: Services, ws: Workspace, brand_ids: Collection[int], progress: Progress | None = None
) -> dict[int, int]:
    """Match the brands against every stored mention again; how many mentions each is in."""
    return rematch.rematch_brands(svc.store, ws, svc.settings, brand_ids, progress)


def rematch_tags(
    svc: Services, ws: Workspace, tag_ids: Collection[int], progress: Progress | None = None
) -> dict[int, int]:
    """Apply the tags' rules to every stored mention again (people's tags stay); how many
    mentions each rule gives its tag."""
    return rematch.rematch_tags(svc.store, ws, svc.settings, tag_ids, progress)
