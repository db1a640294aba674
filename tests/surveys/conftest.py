"""Services over a real database of each kind, with the sentiment stage on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from otklik.search_terms import open_store
from otklik.services import Services
from otklik.settings import Settings
from tests.conftest import Inbox

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


@pytest.fixture
def smtp(inbox: tuple[Inbox, int]) -> tuple[Inbox, int]:
    """A real SMTP server on a free loopback port (the shared `inbox`)."""
    return inbox
