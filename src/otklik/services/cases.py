"""Case work on a mention: status, assignee, tags a person sets, notes and replies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from otklik.domain.records import MentionRecord, Workspace
from otklik.services.context import Services
from otklik.services.corrections import correct_sentiment
from otklik.storage import CASE_STATUSES, catalog, utcnow

__all__ = ["CASE_STATUSES", "CaseChange", "change_mention"]


@dataclass
class CaseChange:
    """What a person changes on a mention; None leaves a field as it is."""

    status: str | None = None
    assignee: str | None = None
    unassign: bool = False
    sentiment: str | None = None
    tags_add: Sequence[str] = ()
    tags_remove: Sequence[str] = ()
    note: str | None = None
    reply: str | None = None


def change_mention(
    svc: Services, ws: Workspace, mention_id: int, change: CaseChange, author: str
) -> MentionRecord:
    """Apply `author`'s changes to a mention's case, tags and sentiment; the mention after."""
    store = svc.store
    store.mention(ws, mention_id)
    if change.sentiment:
        correct_sentiment(svc, ws, mention_id, change.sentiment, author)
    for name, present in [(n, True) for n in change.tags_add] + [
        (n, False) for n in change.tags_remove
    ]:
        with store.begin() as conn:
            catalog.set_person_tag(conn, ws.id, mention_id, name, present, author, utcnow())
    if change.note and change.note.strip():
        store.add_note(ws, mention_id, "note", change.note, author)
    if change.reply and change.reply.strip():
        store.add_note(ws, mention_id, "reply", change.reply, author)
    if change.status is not None or change.assignee is not None or change.unassign:
        return store.update_case(
            ws, mention_id, status=change.status, assignee=change.assignee, unassign=change.unassign
        )
    return store.mention(ws, mention_id)
