"""What one poll of a source brings: raw items, the poll state to keep, and what happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from otklik.errors import InputError
from otklik.ingest.raw import RawItem


class SourceError(InputError):
    """A source that could not be read this time (unreachable, broken feed, changed page)."""


@dataclass
class Poll:
    """Items read, the state the next poll starts from, and whether nothing had changed."""

    items: list[RawItem] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    is_not_modified: bool = False
