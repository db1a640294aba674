"""A person's sentiment correction of a mention (kept through re-analysis, learnt from)."""

from __future__ import annotations

from otklik.domain.records import Workspace
from otklik.pipeline.sentiment_backends.flags import is_complaint
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
    InputError for a label other than positive, neutral or negative. The mention's complaint
    flag follows the person's label: only a negative one can be a complaint (re-analysis
    keeps it so)."""
    svc.store.correct_sentiment(ws, mention_id, label, author, brand_id)
    if brand_id is None:
        mention = svc.store.mention(ws, mention_id).mention
        text = f"{mention.title}. {mention.text}" if mention.title else mention.text
        svc.store.set_complaint(ws, mention_id, label == "negative" and is_complaint(text, label))
