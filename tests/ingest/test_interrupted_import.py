"""An import killed half-way leaves no process behind, is reported interrupted, and the next
run of the same file finishes it with exactly the rows of a clean import."""

from __future__ import annotations

import csv
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from otklik.storage import Store
from otklik.storage import imports as import_runs
from tests.conftest import reset_postgres

ROWS = 2500
BATCH = 200
# Files of 1 MB or more get an analysis process of their own (4 MB by default): the stopped
# import has one to leave behind, at a third of the rows a default-sized file would need.
PROCESS_BYTES = 1_000_000
ENV = {
    "OTKLIK_STAGES": "normalise,language,dedupe,sentiment",
    "OTKLIK_BATCH_SIZE": str(BATCH),
    "OTKLIK_ANALYSIS_PROCESS_BYTES": str(PROCESS_BYTES),
}
WORDS = (
    "доставка курьер заказ опоздал спасибо быстро упаковка возврат деньги магазин пункт выдачи "
    "delivery courier order late thanks parcel refund shop жеткізу тапсырыс рахмет курьер"
).split()


def write_big_csv(path: Path, rows: int = ROWS, seed: int = 3) -> None:
    """An export over the size that gets its own analysis process, with copies, repeated
    rows and bad rows among good ones."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "text", "author", "rating"])
        texts: list[str] = []
        for i in range(rows):
            if texts and i % 37 == 0:
                text = "RT: " + rng.choice(texts)  # a copy from elsewhere: duplicate_of
            else:
                text = " ".join(rng.choices(WORDS, k=90)) + f" №{i}"
                texts.append(text)
            date = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:00"
            rating: str | int = rng.randint(1, 5)
            if i % 101 == 0:
                rating = "много"  # rejected: not a rating
            writer.writerow([i, date, text, f"user{i % 500}", rating])
    assert path.stat().st_size > PROCESS_BYTES


def otklik(tmp: Path, url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, **ENV, "OTKLIK_DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "otklik", *args],
        cwd=tmp,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out


def children(pid: int) -> set[int]:
    """Every descendant of a process, read from /proc."""
    found: set[int] = set()
    parents = {pid}
    while parents:
        next_parents: set[int] = set()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid in parents and int(entry) not in found:
                next_parents.add(int(entry))
        found |= next_parents
        parents = next_parents
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def rows_read(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT max(rows_read) FROM import_run")).scalar() or 0)
    except sa.exc.OperationalError:
        return 0
    finally:
        engine.dispose()


def start_and_stop(tmp: Path, db: str, data: Path, how: signal.Signals) -> set[int]:
    """Start an import, stop it with `how` once a few batches are stored; its helpers' pids."""
    importing = otklik(tmp, db, "import", str(data))
    deadline = time.monotonic() + 120
    helpers: set[int] = set()
    while rows_read(db) < 3 * BATCH:
        assert importing.poll() is None, importing.communicate()
        assert time.monotonic() < deadline, "no batch was stored in time"
        helpers |= children(importing.pid)
        time.sleep(0.05)
    helpers |= children(importing.pid)
    assert helpers, "a file this big is analysed in a process of its own"
    importing.send_signal(how)
    importing.communicate(timeout=60)
    assert rows_read(db) < ROWS, "the import ended before it could be stopped"
    return helpers


def no_survivors(pids: set[int]) -> None:
    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if alive(p)]


def table(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row that an import decides, without ids and timestamps."""
    store = Store.open(url)
    with store.connect() as conn:
        mentions = conn.execute(
            sa.text(
                "SELECT m.content_hash, m.external_id, m.text, m.author_name, m.published_at, "
                "m.day, m.channel, m.rating, m.raw, a.language, a.sentiment, a.sentiment_score, "
                "a.sentiment_source, a.is_spam, a.signature, o.content_hash "
                "FROM mention m JOIN analysis a ON a.mention_id = m.id "
                "LEFT JOIN mention o ON o.id = a.duplicate_of ORDER BY m.content_hash"
            )
        ).all()
        keys = conn.execute(
            sa.text(
                "SELECT m.content_hash, k.key FROM near_key k JOIN mention m ON m.id = "
                "k.mention_id ORDER BY 1, 2"
            )
        ).all()
        rejected = conn.execute(
            sa.text("SELECT row_number, field, reason, raw FROM rejected_row ORDER BY 1")
        ).all()
        runs = conn.execute(
            sa.text(
                "SELECT status, rows_read, imported, duplicates, rejected FROM import_run "
                "ORDER BY id"
            )
        ).all()
        rollup = conn.execute(
            sa.text(
                "SELECT day, brand_id, channel, sentiment, language, count FROM rollup_daily "
                "ORDER BY 1, 2, 3, 4, 5"
            )
        ).all()
    store.close()
    return {
        "mentions": [tuple(r) for r in mentions],
        "near_keys": [tuple(r) for r in keys],
        "rejected": [tuple(r) for r in rejected],
        "runs": [tuple(r) for r in runs],
        "rollup": [tuple(r) for r in rollup],
    }


@pytest.fixture(scope="module")
def clean(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, list[tuple[object, ...]]]]:
    tmp = tmp_path_factory.mktemp("clean")
    data = tmp / "big.csv"
    write_big_csv(data)
    db = f"sqlite:///{tmp / 'clean.db'}"
    finish(otklik(tmp, db, "init"))
    finish(otklik(tmp, db, "import", str(data)))
    return data, table(db)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_stopped_import_leaves_no_process_and_the_next_run_finishes_it(
    tmp_path: Path,
    clean: tuple[Path, dict[str, list[tuple[object, ...]]]],
    how: signal.Signals,
) -> None:
    source, expected = clean
    data = tmp_path / "big.csv"
    data.write_bytes(source.read_bytes())
    stop_and_finish(tmp_path, f"sqlite:///{tmp_path / 'otklik.db'}", data, how, expected)


def test_a_killed_import_on_postgresql_is_finished_by_the_next_run(
    tmp_path: Path, pg_url: str, clean: tuple[Path, dict[str, list[tuple[object, ...]]]]
) -> None:
    data = tmp_path / "big.csv"
    data.write_bytes(clean[0].read_bytes())
    reset_postgres(pg_url)
    finish(otklik(tmp_path, pg_url, "init"))
    finish(otklik(tmp_path, pg_url, "import", str(data)))
    expected = table(pg_url)
    reset_postgres(pg_url)
    stop_and_finish(tmp_path, pg_url, data, signal.SIGKILL, expected)


def stop_and_finish(
    tmp_path: Path,
    db: str,
    data: Path,
    how: signal.Signals,
    expected: dict[str, list[tuple[object, ...]]],
) -> None:
    """Stop an import with `how`; check no process is left, the run reads interrupted, and
    `--resume` ends with `expected`."""
    finish(otklik(tmp_path, db, "init"))
    helpers = start_and_stop(tmp_path, db, data, how)
    no_survivors(helpers)

    store = Store.open(db)
    ws = store.workspace("default")
    with store.begin() as conn:
        [run] = import_runs.list_runs(conn, ws.id)
    store.close()
    assert run.status == "interrupted" and 0 < run.rows_read < ROWS
    assert run.rows_read % BATCH == 0  # only whole batches are settled
    if how == signal.SIGTERM:
        assert run.message == "stopped before the end"  # ended by itself, like Ctrl-C

    resumed = finish(otklik(tmp_path, db, "import", str(data), "--resume"))
    assert f"resuming import run {run.id} after its {run.rows_read} settled rows" in resumed
    assert table(db) == expected
