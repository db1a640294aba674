"""Real parts for tests: SQLite files, the PostgreSQL server, settings objects."""

from __future__ import annotations

import email
import email.policy
import os
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

PG_URL = os.environ.get("OTKLIK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"


def _postgres_reachable(url: str) -> str | None:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not here": the reason is reported
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


def need_real_part(reason: str) -> None:
    """Skip on a bare machine, fail in CI where every real part must be present."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _worker_database(url: str, worker: str) -> str:
    """The URL of a database of this pytest-xdist worker's own (created on first use), so
    parallel workers never reset each other's schema."""
    import sqlalchemy as sa

    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of the test PostgreSQL database (skips with the reason when unreachable); under
    pytest-xdist each worker gets a database of its own beside it."""
    problem = _postgres_reachable(PG_URL)
    if problem:
        need_real_part(f"PostgreSQL at {PG_URL} is not reachable ({problem})")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(PG_URL, worker) if worker else PG_URL


def reset_postgres(url: str) -> None:
    """Drop everything in the test database's public schema."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind we support."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'otklik.db'}"
        return
    url = request.getfixturevalue("pg_url")
    reset_postgres(url)
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'otklik.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[object]:
    """An initialised store on each database kind, closed afterwards."""
    from otklik.storage import Store

    opened = Store.open(db_url)
    opened.init()
    yield opened
    opened.close()


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:  # noqa: N802
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
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
