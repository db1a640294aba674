"""The kill test: a worker killed with SIGKILL in the middle of an import job is finished by
another worker after the lease, and the table equals a clean import row for row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from otklik.storage import Store, jobqueue
from tests.jobs.test_worker_cli import _env, _otklik, _wait_for_rows, mention_rows, write_csv

ROWS = 8_000


@pytest.fixture(scope="module")
def clean_import(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Any]]]:
    """An 8,000-row file and its mentions as one uninterrupted import into a fresh database
    stores them."""
    folder = tmp_path_factory.mktemp("clean")
    path = write_csv(folder / "big.csv", ROWS)
    clean_url = f"sqlite:///{folder / 'clean.db'}"
    assert _otklik(clean_url, "init").returncode == 0
    clean = _otklik(clean_url, "import", str(path))
    assert clean.returncode == 0, clean.stderr
    expected = mention_rows(clean_url)
    assert len(expected) == ROWS
    yield path, expected


def test_a_worker_killed_mid_import_is_finished_by_another_like_a_clean_import(
    db_url: str, clean_import: tuple[Path, list[Any]]
) -> None:
    path, expected = clean_import
    assert _otklik(db_url, "init").returncode == 0
    job_id = int(_otklik(db_url, "import", str(path), "--background").stdout.split()[-1])
    lease = {"OTKLIK_JOB_LEASE_S": "3"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "otklik", "worker"],
        env=_env(db_url, **lease),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its analysis process too
    )
    stored = _wait_for_rows(db_url, worker)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(30)
    assert 0 < stored < ROWS
    store = Store.open(db_url)
    with store.connect() as conn:
        dead = jobqueue.get_job(conn, job_id)
    assert (dead.status, dead.attempts) == ("running", 1)
    time.sleep(3.5)  # the dead worker's lease runs out
    finished = _otklik(db_url, "worker", "--once", **lease)
    assert finished.returncode == 0, finished.stderr
    with store.connect() as conn:
        done = jobqueue.get_job(conn, job_id)
    store.close()
    assert (done.status, done.attempts, done.error) == ("done", 2, None)
    assert mention_rows(db_url) == expected
