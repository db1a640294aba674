"""RSS and Atom feeds: a conditional GET, entries parsed by feedparser, identified by guid or
link, so a feed read twice gives the same items (and an edited entry its new text)."""

from __future__ import annotations

import calendar
import json
import warnings
import xml.sax
from datetime import UTC, datetime
from typing import Any

import feedparser
import httpx

from otklik.ingest.fetch import fetch
from otklik.ingest.html_text import html_to_text
from otklik.ingest.poll import Poll, SourceError
from otklik.ingest.raw import RawItem
from otklik.ingest.values import channel_from_url


def poll_feed(client: httpx.Client, url: str, state: dict[str, Any], *, max_bytes: int) -> Poll:
    """Read a feed once: 304 when it has not changed since the stored ETag/Last-Modified;
    SourceError for a body that is not a feed (broken XML names the line), nothing kept."""
    headers: dict[str, str] = {}
    if state.get("etag"):
        headers["If-None-Match"] = str(state["etag"])
    if state.get("last_modified"):
        headers["If-Modified-Since"] = str(state["last_modified"])
    got = fetch(client, url, max_bytes=max_bytes, headers=headers)
    if got.status == 304:
        return Poll(state=dict(state), is_not_modified=True)
    items = parse_feed(got.body, got.url, content_type=got.content_type)
    kept = {"etag": got.etag, "last_modified": got.last_modified}
    return Poll(items=items, state={k: v for k, v in kept.items() if v})


def parse_feed(body: bytes, url: str, *, content_type: str | None = None) -> list[RawItem]:
    """The entries of an RSS or Atom document as raw items (SourceError when it is broken)."""
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXException):
        where = ""
        if isinstance(problem, xml.sax.SAXParseException):
            where = f" at line {problem.getLineNumber()}, column {problem.getColumnNumber()}"
        raise SourceError(f"{url} is not well-formed XML{where}: {problem.getMessage()}; skipped")
    if problem is not None and not parsed.entries and not parsed.get("version"):
        raise SourceError(f"{url} is not an RSS or Atom feed: {problem}")
    if not parsed.get("version") and not parsed.entries:
        raise SourceError(f"{url} is not an RSS or Atom feed")
    with warnings.catch_warnings():
        # feedparser warns when `updated` is read from an entry that only has `published`
        warnings.simplefilter("ignore", DeprecationWarning)
        return [_item(n, entry, url) for n, entry in enumerate(parsed.entries, start=1)]


def _item(position: int, entry: Any, feed_url: str) -> RawItem:
    link = entry.get("link")
    identity = entry.get("id") or link
    title = html_to_text(entry.get("title") or "") or None
    text = _text_of(entry) or title or ""
    data = {
        "text": text,
        "title": title if title != text else None,
        "url": link,
        "author": entry.get("author"),
        "published_at": _moment(entry.get("published_parsed") or entry.get("updated_parsed")),
        "channel": channel_from_url(link or feed_url) or "news",
    }
    raw = {k: entry.get(k) for k in ("id", "link", "title", "author", "published", "updated")}
    raw["summary"] = entry.get("summary")
    return RawItem(
        position=position,
        data=data,
        raw=json.dumps(raw, ensure_ascii=False, default=str),
        payload={k: v for k, v in raw.items() if v is not None},
        external_id=str(identity)[:500] if identity else None,
        problem=None if identity else "entry has neither a guid/id nor a link",
    )


def _text_of(entry: Any) -> str:
    for content in entry.get("content") or ():
        value = content.get("value")
        if value:
            return html_to_text(value)
    return html_to_text(entry.get("summary") or entry.get("description") or "")


def _moment(parsed: Any) -> str | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
