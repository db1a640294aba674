"""Runs record the process that owns them; a run whose process is gone reads interrupted."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa

from otklik.storage import Store, utcnow
from otklik.storage import imports as import_runs
from otklik.storage.schema import import_run


def a_finished_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


def test_runs_whose_process_is_gone_are_listed_as_interrupted(store: Store) -> None:
    ws = store.workspace("w", "UTC")
    now = utcnow()
    with store.begin() as conn:
        ours = import_runs.start_run(conn, ws.id, None, "a.csv", "csv", "utf-8", now)
        dead = import_runs.start_run(conn, ws.id, None, "b.csv", "csv", "utf-8", now)
        far_silent = import_runs.start_run(conn, ws.id, None, "c.csv", "csv", "utf-8", now)
        far_busy = import_runs.start_run(conn, ws.id, None, "d.csv", "csv", "utf-8", now)
        conn.execute(
            sa.update(import_run).where(import_run.c.id == dead).values(pid=a_finished_pid())
        )
        conn.execute(
            sa.update(import_run)
            .where(import_run.c.id == far_silent)
            .values(hostname="elsewhere", heartbeat_at=now - timedelta(hours=1))
        )
        conn.execute(
            sa.update(import_run).where(import_run.c.id == far_busy).values(hostname="elsewhere")
        )
    with store.begin() as conn:
        status = {r.id: r.status for r in import_runs.list_runs(conn, ws.id)}
    assert status == {
        ours: "running",
        dead: "interrupted",
        far_silent: "interrupted",
        far_busy: "running",
    }
    with store.connect() as conn:
        run = import_runs.get_run(conn, ours)
    assert run is not None and run.hostname == socket.gethostname()
    with store.begin() as conn:
        import_runs.finish_run(conn, dead, "interrupted", utcnow())
        assert import_runs.interrupted_run(conn, ws.id, None, "b.csv") is not None
        assert import_runs.interrupted_run(conn, ws.id, None, "a.csv") is None
