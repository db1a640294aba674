"""One HTTP GET for a polled source: redirects, gzip, a timeout and a size cap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from otklik.ingest.poll import SourceError

USER_AGENT = "Otklik/0.1 (+self-hosted feedback monitoring)"


@dataclass(frozen=True)
class Fetched:
    """A response: status (200 or 304), body, the final URL and its validators."""

    status: int
    body: bytes
    url: str
    etag: str | None
    last_modified: str | None
    content_type: str | None


def fetch(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """GET `url` (redirects followed, gzip undone by httpx); SourceError saying what failed
    for a network error, an HTTP error status or a body over `max_bytes`."""
    sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", **(headers or {})}
    try:
        with client.stream("GET", url, headers=sent, follow_redirects=True) as response:
            if response.status_code == 304:
                return _fetched(response, b"")
            if response.status_code >= 400:
                raise SourceError(f"{url} answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise SourceError(f"{url} sent more than {max_bytes} bytes; not read")
            return _fetched(response, bytes(body))
    except httpx.TimeoutException as exc:
        raise SourceError(f"{url} did not answer in time ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise SourceError(f"could not fetch {url}: {exc}") from exc


def _fetched(response: httpx.Response, body: bytes) -> Fetched:
    return Fetched(
        status=response.status_code,
        body=body,
        url=str(response.url),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        content_type=response.headers.get("content-type"),
    )
