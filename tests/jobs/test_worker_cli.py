"""`otklik worker`, `otklik jobs` and `import --background` as a user runs them (the kill test
is in test_worker_kill.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from otklik.storage import Store
from tests.cliproc import run_cli

STAGES = "normalise,language,dedupe"
WORDS = ("доставка", "курьер", "опоздал", "быстро", "delivery", "late", "жеткізу", "рахмет")


def _env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "OTKLIK_DATABASE_URL": url,
            "OTKLIK_STAGES": STAGES,
            "OTKLIK_WORKER_POLL_S": "0.1",
            **extra,
        }
    )
    return env


def _otklik(url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=_env(url, **extra), timeout=600)


def write_csv(path: Path, rows: int) -> Path:
    """A CSV of `rows` distinct reviews with external ids."""
    lines = ["id,text,date,rating"]
    for n in range(rows):
        words = " ".join(WORDS[(n * k) % len(WORDS)] for k in (1, 3, 5))
        day = f"2025-0{1 + n % 9}-1{n % 10} 10:00"
        lines.append(f"r{n},Отзыв {n}: {words} заказ {n * 7919 % 100003},{day},{1 + n % 5}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def mention_rows(url: str) -> list[tuple[Any, ...]]:
    """The stored mentions as comparable rows (no ids)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT m.external_id, m.content_hash, m.text, m.published_at, m.rating, "
                "a.language FROM mention m JOIN analysis a ON a.mention_id = m.id "
                "ORDER BY m.external_id"
            )
        ).all()
    engine.dispose()
    return [tuple(_comparable(v) for v in r) for r in rows]


def _comparable(value: Any) -> Any:
    # SQLite hands back its stored text; PostgreSQL a datetime.
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    return value


def _jobs(url: str) -> list[dict[str, Any]]:
    listed = _otklik(url, "jobs", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    return list(json.loads(listed.stdout))


def test_import_in_the_background_runs_on_the_worker(db_url: str, tmp_path: Path) -> None:
    assert _otklik(db_url, "init").returncode == 0
    path = write_csv(tmp_path / "reviews.csv", 30)
    queued = _otklik(db_url, "import", str(path), "--background")
    assert queued.returncode == 0, queued.stderr
    job_id = int(queued.stdout.strip().splitlines()[-1])
    (listed,) = _jobs(db_url)
    assert (listed["id"], listed["kind"], listed["status"]) == (job_id, "import", "queued")
    assert _otklik(db_url, "mentions", "--format", "json").stdout.strip() == "[]"
    ran = _otklik(db_url, "worker", "--once")
    assert ran.returncode == 0, ran.stderr
    (done,) = _jobs(db_url)
    assert (done["status"], done["error"], done["attempts"]) == ("done", None, 1)
    assert (done["result"]["imported"], done["result"]["rejected"]) == (30, 0)
    assert done["progress"]["done"] == done["progress"]["total"] == path.stat().st_size
    assert done["started_at"] and done["finished_at"]
    assert len(mention_rows(db_url)) == 30
    missing = _otklik(db_url, "import", str(tmp_path / "nope.csv"), "--background")
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_reanalysis_in_the_background_covers_the_filtered_mentions(
    sqlite_url: str, tmp_path: Path
) -> None:
    assert _otklik(sqlite_url, "init").returncode == 0
    path = write_csv(tmp_path / "reviews.csv", 40)
    assert _otklik(sqlite_url, "import", str(path)).returncode == 0
    russian = json.loads(
        _otklik(sqlite_url, "mentions", "--language", "ru", "--format", "json").stdout
    )
    bad = _otklik(sqlite_url, "reanalyse", "--since", "not-a-date", "--background")
    assert bad.returncode == 2 and _jobs(sqlite_url) == []  # refused before it is queued
    queued = _otklik(sqlite_url, "reanalyse", "--language", "ru", "--background")
    assert queued.returncode == 0, queued.stderr
    job_id = int(queued.stdout.strip().splitlines()[-1])
    (listed,) = _jobs(sqlite_url)
    assert (listed["id"], listed["kind"], listed["status"]) == (job_id, "reanalyse", "queued")
    assert listed["arguments"] == {"filters": {"language": ["ru"]}}
    assert _otklik(sqlite_url, "worker", "--once").returncode == 0
    (done,) = _jobs(sqlite_url)
    assert done["status"] == "done" and 0 < len(russian) < 40
    assert done["result"] == {"reanalysed": len(russian)}
    assert done["progress"]["done"] == done["progress"]["total"] == len(russian)


def test_export_in_the_background_writes_the_file(db_url: str, tmp_path: Path) -> None:
    assert _otklik(db_url, "init").returncode == 0
    assert _otklik(db_url, "import", str(write_csv(tmp_path / "reviews.csv", 25))).returncode == 0
    target = tmp_path / "out" / "low.csv"
    target.parent.mkdir()
    queued = _otklik(db_url, "export", str(target), "--rating-max", "2", "--background")
    assert queued.returncode == 0, queued.stderr
    assert not target.exists()  # the worker writes it
    assert _otklik(db_url, "worker", "--once").returncode == 0
    (done,) = [j for j in _jobs(db_url) if j["kind"] == "export"]
    low = target.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert done["status"] == "done" and done["result"] == {"path": str(target), "rows": 10}
    assert len(low) == 10  # ratings 1 and 2 of 1..5 over 25 rows


def test_jobs_cancel_and_status_filter(sqlite_url: str, tmp_path: Path) -> None:
    assert _otklik(sqlite_url, "init").returncode == 0
    path = write_csv(tmp_path / "reviews.csv", 5)
    job_id = _otklik(sqlite_url, "import", str(path), "--background").stdout.split()[-1]
    cancelled = _otklik(sqlite_url, "jobs", "cancel", job_id)
    assert cancelled.returncode == 0 and f"job {job_id} is cancelled" in cancelled.stdout
    assert _otklik(sqlite_url, "worker", "--once").returncode == 0
    assert [j["status"] for j in _jobs(sqlite_url)] == ["cancelled"]
    queued = _otklik(sqlite_url, "jobs", "--status", "queued", "--format", "json")
    assert json.loads(queued.stdout) == []
    unknown = _otklik(sqlite_url, "jobs", "cancel", "999")
    assert unknown.returncode == 1 and "no job with id 999" in unknown.stderr


def test_sigterm_hands_the_running_job_back_to_the_queue(sqlite_url: str, tmp_path: Path) -> None:
    assert _otklik(sqlite_url, "init").returncode == 0
    path = write_csv(tmp_path / "big.csv", 6_000)
    _otklik(sqlite_url, "import", str(path), "--background")
    worker = subprocess.Popen(
        [sys.executable, "-m", "otklik", "worker"],
        env=_env(sqlite_url, OTKLIK_BATCH_SIZE="200"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_rows(sqlite_url, worker)
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    (back,) = _jobs(sqlite_url)
    assert (back["status"], back["attempts"]) == ("queued", 0), (out, err)
    assert back["result"]["run_id"] >= 1  # the run it began is remembered for the next attempt
    assert _otklik(sqlite_url, "worker", "--once").returncode == 0
    (done,) = _jobs(sqlite_url)
    assert (done["status"], done["attempts"]) == ("done", 1)
    assert len(mention_rows(sqlite_url)) == 6_000


def _wait_for_rows(url: str, worker: subprocess.Popen[str], timeout: float = 300) -> int:
    store = Store.open(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert worker.poll() is None, worker.communicate()
            try:
                with store.connect() as conn:
                    stored = int(conn.execute(sa.text("SELECT count(*) FROM mention")).scalar_one())
            except sa.exc.OperationalError:
                stored = 0
            if stored > 0:
                return stored
            time.sleep(0.05)
    finally:
        store.close()
    raise AssertionError("the worker stored nothing in time")
