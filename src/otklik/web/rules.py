"""Brand queries and tag rules in the web app: checking them and previewing what they match.

Applying a changed query to stored mentions is `otklik.rematch`'s, run as a `rematch_brand`
or `rematch_tag` job.
"""

from __future__ import annotations

from otklik.domain.filters import Filters
from otklik.domain.records import MentionRecord, Workspace
from otklik.querylang import compile_query
from otklik.storage import Store


def check(query: str) -> None:
    """Raise QueryError (with the position) for a query the query language cannot parse."""
    compile_query(query)


def preview(store: Store, ws: Workspace, query: str, limit: int = 20) -> list[MentionRecord]:
    """The newest mentions a query matches (at most `limit`), over the whole workspace."""
    check(query)
    page, _ = store.mentions(ws, Filters(q=query), limit=limit)
    return page
