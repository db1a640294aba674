"""`otklik users passwd`: a lost password is set again from standard input."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from otklik.cli import cli
from otklik.errors import NotFoundError
from otklik.search_terms import open_store
from otklik.services.passwords import verify_password
from otklik.storage import users as accounts
from otklik.storage import utcnow


def test_passwd_sets_a_new_password_and_keeps_the_users_tokens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'otklik.db'}"
    env = {"OTKLIK_DATABASE_URL": url}
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    added = runner.invoke(
        cli, ["users", "add", "Anna@example.com", "--password-stdin"], "old-pass-123\n", env=env
    )
    assert added.exit_code == 0, added.output
    store = open_store(url)
    with store.begin() as conn:
        user = accounts.user_by_email(conn, "anna@example.com")
        assert user is not None
        _, secret = accounts.create_token(conn, user.id, "bi", utcnow())

    changed = runner.invoke(
        cli, ["users", "passwd", "anna@example.com", "--password-stdin"], "new-pass-456\n", env=env
    )
    assert changed.exit_code == 0, changed.output
    assert "password changed for anna@example.com" in changed.output
    with store.connect() as conn:
        user = accounts.user_by_email(conn, "anna@example.com")
        assert user is not None
        assert verify_password(user.password_hash, "new-pass-456")
        assert not verify_password(user.password_hash, "old-pass-123")
        assert accounts.user_for_token(conn, secret, utcnow()) == user
    store.close()


def test_passwd_refuses_an_unknown_user_and_a_short_password(tmp_path: Path) -> None:
    env = {"OTKLIK_DATABASE_URL": f"sqlite:///{tmp_path / 'otklik.db'}"}
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    runner.invoke(
        cli, ["users", "add", "a@example.com", "--password-stdin"], "long-enough\n", env=env
    )
    unknown = runner.invoke(
        cli, ["users", "passwd", "b@example.com", "--password-stdin"], "long-enough\n", env=env
    )
    assert isinstance(unknown.exception, NotFoundError) and "b@example.com" in str(
        unknown.exception
    )
    short = runner.invoke(
        cli, ["users", "passwd", "a@example.com", "--password-stdin"], "x\n", env=env
    )
    assert short.exit_code != 0 and "8 characters" in str(short.exception)
