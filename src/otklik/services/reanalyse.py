"""Language and sentiment detected again for stored mentions (after a model change)."""

from __future__ import annotations

from collections.abc import Callable

from otklik import reanalysis
from otklik.domain.filters import Filters
from otklik.domain.records import Workspace
from otklik.services import upgrade
from otklik.services.context import Services

Progress = Callable[[int, int], None]
"""Called with (done, total) mentions after each batch."""


def reanalyse(
    svc: Services, ws: Workspace, filters: Filters, progress: Progress | None = None
) -> int:
    """Re-detect language and sentiment of the matching mentions; people's corrections stay.
    Returns how many were analysed. Sentiment comes from OTKLIK_SENTIMENT_MODEL when set,
    else the workspace's own model, else the shipped one (compact labels at once; a background
    job upgrades them to the encoder tier afterwards, see `services.upgrade`)."""
    counted = _with_total(svc, ws, filters, progress)
    done = reanalysis.reanalyse(svc.store, ws, svc.settings, filters, counted)
    if done:
        upgrade.queue(svc, ws)
    return done


def _with_total(
    svc: Services, ws: Workspace, filters: Filters, progress: Progress | None
) -> Callable[[int], None] | None:
    if progress is None:
        return None
    total = svc.store.count(ws, filters)
    report = progress
    return lambda done: report(done, max(total, done))
