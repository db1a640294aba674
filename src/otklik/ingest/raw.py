"""The raw item: one piece of input as a source delivered it, before validation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item from any source: a file's row, a feed's entry, a webhook body, an e-mail.

    `data` maps field names (or a file's column names, read through a mapping) to values;
    `raw` is the item as received, kept with a rejection; `payload` is stored as the
    mention's raw payload (`data` when None). `external_id` and `source_id`, when given, win
    over what `data` says and over the stream's source."""

    position: int
    data: Mapping[str, Any]
    raw: str = ""
    payload: dict[str, Any] | None = None
    external_id: str | None = None
    source_id: int | None = None
    problem: str | None = None
