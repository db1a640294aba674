"""Throughput of 1, 2 and 4 `otklik worker` processes draining one queue of import jobs on
PostgreSQL, and a check that no item is stored twice.

Usage: python bench/worker_throughput.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/DB
       [--files 8] [--rows 5000] [--workers 1,2,4] [--stages normalise,language,dedupe]
The database's public schema is dropped and made again for every round. The background
sentiment upgrade an import queues is switched off (OTKLIK_SENTIMENT_UPGRADE=false).
Prints mentions/s per worker count; the numbers go to the issue note, never into tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from otklik.services.jobs import import_arguments
from otklik.storage import Store, jobqueue, utcnow

WORDS = ("доставка", "курьер", "опоздал", "быстро", "delivery", "late", "жеткізу", "рахмет")


def write_file(path: Path, file_no: int, rows: int) -> None:
    """A CSV of distinct reviews with external ids unique across files."""
    lines = ["id,text,date,rating"]
    for n in range(rows):
        words = " ".join(WORDS[(n * k + file_no) % len(WORDS)] for k in (1, 3, 5))
        day = f"2025-0{1 + n % 9}-1{n % 10} 10:00"
        lines.append(
            f"f{file_no}r{n},Отзыв {file_no}/{n}: {words} заказ {n * 7919},{day},{1 + n % 5}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def reset(url: str) -> None:
    """An empty, initialised database."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    store = Store.open(url)
    store.init()
    store.close()


def round_of(url: str, files: list[Path], workers: int, env: dict[str, str]) -> tuple[float, int]:
    """Seconds for `workers` processes to drain the queue, and the mentions stored."""
    reset(url)
    store = Store.open(url)
    ws = store.workspace("default", "UTC")
    with store.begin() as conn:
        for path in files:
            jobqueue.enqueue(conn, ws.id, "import", import_arguments(path), utcnow())
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "otklik", "worker", "--once"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"a worker exited with {proc.returncode}")
    seconds = time.perf_counter() - started
    with store.connect() as conn:
        statuses = {j.status for j in jobqueue.list_jobs(conn, ws.id)}
        total, distinct = conn.execute(
            sa.text("SELECT count(*), count(DISTINCT (source_id, external_id)) FROM mention")
        ).one()
    store.close()
    if statuses != {"done"} or total != distinct:
        raise SystemExit(f"jobs ended {statuses}; {total} mentions, {distinct} distinct")
    return seconds, int(total)


def main() -> None:
    """Run the rounds and print their throughput."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--stages", default="normalise,language,dedupe")
    args = parser.parse_args()
    env = {**os.environ, "OTKLIK_DATABASE_URL": args.postgres, "OTKLIK_STAGES": args.stages}
    env["OTKLIK_WORKER_POLL_S"] = "0.2"
    # Import throughput only: the encoder upgrade each import queues is a job of its own
    # (measured by bench/sentiment_upgrade_speed.py), left out of this queue.
    env["OTKLIK_SENTIMENT_UPGRADE"] = "false"
    with tempfile.TemporaryDirectory() as folder:
        files = [Path(folder) / f"part{n}.csv" for n in range(args.files)]
        for n, path in enumerate(files):
            write_file(path, n, args.rows)
        jobs = f"{args.files} import jobs of {args.rows} rows"
        print(f"{jobs}, stages {args.stages}, {os.cpu_count()} CPUs")  # noqa: T201
        for workers in (int(w) for w in args.workers.split(",")):
            seconds, stored = round_of(args.postgres, files, workers, env)
            print(  # noqa: T201
                f"{workers} worker(s): {stored} mentions in {seconds:.1f} s = "
                f"{stored / seconds:,.0f} mentions/s; no item stored twice"
            )


if __name__ == "__main__":
    main()
