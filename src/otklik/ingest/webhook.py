"""Items pushed to a webhook source: one JSON object, or `{"items": [...]}`, each keyed by
mention field names (text, title, url, author, published_at, rating, external_id…)."""

from __future__ import annotations

import json
from typing import Any

from otklik.errors import InputError
from otklik.ingest.raw import RawItem


class BodyError(InputError):
    """A body that is not JSON of the expected shape: nothing in it is taken."""


def parse_body(body: bytes) -> list[RawItem]:
    """The raw items of a pushed body (BodyError when it is not JSON or not an object)."""
    try:
        decoded: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyError(f"the body is not JSON: {exc}") from exc
    if isinstance(decoded, dict) and isinstance(decoded.get("items"), list):
        entries: list[Any] = decoded["items"]
    elif isinstance(decoded, dict):
        entries = [decoded]
    else:
        raise BodyError('send one item as a JSON object, or {"items": [ … ]}')
    return [_item(n, entry) for n, entry in enumerate(entries, start=1)]


def _item(position: int, entry: Any) -> RawItem:
    raw = json.dumps(entry, ensure_ascii=False, default=str)
    if not isinstance(entry, dict):
        return RawItem(position, {}, raw=raw, problem="an item must be a JSON object")
    identity = entry.get("external_id", entry.get("id"))
    external_id = str(identity).strip()[:500] if identity not in (None, "") else None
    return RawItem(position, entry, raw=raw, payload=entry, external_id=external_id)
