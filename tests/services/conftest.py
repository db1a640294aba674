"""Services over a real database of each kind, and a small imported workspace."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from otklik.domain.records import Workspace
from otklik.search_terms import open_store
from otklik.services import Services, imports
from otklik.settings import Settings

STAGES = ("normalise", "language", "dedupe", "brands", "tags")
CSV = (
    "text,date,channel,rating,author\n"
    "Быстрая Почта опять задержала посылку на 5 дней,2025-03-01 10:00,review,1,Анна\n"
    "BystroPost delivered on time! Great courier,2025-03-02 11:00,appstore,5,Kate\n"
    "=HYPERLINK(1) доставка СДЭК,2025-03-03 12:00,vk,,Hacker\n"
    "Сәлемдеме бір күнде жеткізілді рахмет,2025-03-04 09:30,telegram,4,Айгерім\n"
    ",2025-03-05 09:30,vk,,Empty\n"
)


@pytest.fixture
def svc(db_url: str, tmp_path: Path) -> Iterator[Services]:
    """Services over an initialised database, pipelines kept as the web app keeps them."""
    store = open_store(db_url)
    store.init()
    settings = Settings(
        database_url=db_url,
        stages=STAGES,
        batch_size=2,
        timezone="UTC",
        upload_dir=tmp_path / "uploads",
    )
    yield Services.open(settings, store, keep_pipelines=True)
    store.close()


@dataclass
class World:
    """A workspace with the CSV imported."""

    svc: Services
    ws: Workspace
    path: Path
    result: imports.ImportResult


@pytest.fixture
def world(svc: Services, tmp_path: Path) -> World:
    """The settings' workspace with the five-row CSV imported (four stored, one rejected)."""
    ws = svc.workspace()
    path = tmp_path / "reviews.csv"
    path.write_text(CSV, encoding="utf-8")
    result = imports.import_file(svc, ws, path, imports.options(svc))
    return World(svc, ws, path, result)
