"""Services over a real database of each kind, with the sentiment stage on."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from otklik.search_terms import open_store
from otklik.services import Services
from otklik.settings import Settings

STAGES = ("normalise", "language", "dedupe", "brands", "sentiment", "tags")


@pytest.fixture
def svc(db_url: str, tmp_path: Path) -> Iterator[Services]:
    """Services over an initialised database."""
    store = open_store(db_url)
    store.init()
    settings = Settings(
        database_url=db_url,
        stages=STAGES,
        timezone="UTC",
        upload_dir=tmp_path / "uploads",
        public_url="https://otklik.example.kz",
    )
    yield Services.open(settings, store, keep_pipelines=True)
    store.close()


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:  # noqa: N802
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on a free loopback port."""
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()
