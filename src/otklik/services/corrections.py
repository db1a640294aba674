"""A person's sentiment correction of a mention (kept through re-analysis, learnt from)."""

from __future__ import annotations

from otklik.domain.records import Workspace
from otklik.services.context import Services


def correct_sentiment(
    svc: Services,
    ws: Workspace,
    mention_id: int,
    label: str,
    author: str,
    brand_id: int | None = None,
) -> None:
    """Record and apply `author`'s label for the mention (or its sentiment towards a brand);
    InputError for a label other than positive, neutral or negative."""
    svc.store.correct_sentiment(ws, mention_id, label, author, brand_id)
