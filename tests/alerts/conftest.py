"""Real parts for alerts: an SMTP server (aiosmtpd) and an HTTP receiver on loopback, and
services whose pipeline finds sentiment."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from otklik.domain.records import Workspace
from otklik.ingest.intake import RawItem, take
from otklik.search_terms import open_store
from otklik.services import Services
from otklik.settings import Settings
from tests.conftest import Inbox


def parts(message: Message) -> dict[str, str]:
    """The text/plain and text/html parts of a message, decoded."""
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[part.get_content_subtype()] = payload.decode(
                part.get_content_charset() or "utf-8"
            )
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """What a webhook receiver got; it answers 500 to the first `failing` requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.failing = 0
        self.url = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP server on a free loopback port that records webhook POSTs."""
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            got.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = 500 if got.failing > 0 else 200
            got.failing -= 1
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def svc(db_url: str, tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[Services]:
    """Services with sentiment in the pipeline and e-mail through the loopback SMTP server."""
    store = open_store(db_url)
    store.init()
    settings = Settings(
        database_url=db_url,
        stages=("normalise", "language", "dedupe", "brands", "sentiment", "tags"),
        timezone="UTC",
        language="en",
        upload_dir=tmp_path / "uploads",
        smtp_url=f"smtp://127.0.0.1:{inbox[1]}",
        smtp_from="otklik@example.com",
        public_url="https://otklik.example.com",
    )
    yield Services.open(settings, store, keep_pipelines=True)
    store.close()


def feed(svc: Services, ws: Workspace, items: list[dict[str, Any]]) -> None:
    """Take items through the intake, as a source would."""
    raw = [
        RawItem(n, item, json.dumps(item, ensure_ascii=False, default=str))
        for n, item in enumerate(items, start=1)
    ]
    pipeline = svc.pipelines.for_workspace(ws)
    take(svc.store, ws, pipeline, raw, source_id=None, label="test")


def at(text: str) -> datetime:
    """A naive UTC moment from ISO text."""
    return datetime.fromisoformat(text)
