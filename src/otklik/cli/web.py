"""`otklik serve`, `otklik users` and `otklik tokens`."""

from __future__ import annotations

import os
import sys

import click

from otklik import output
from otklik.cli.context import AppContext, pass_app
from otklik.settings import Settings
from otklik.storage import users as accounts
from otklik.storage import utcnow


def register(cli: click.Group) -> None:
    """Add the web commands to the root group."""
    cli.add_command(serve)
    cli.add_command(users)
    cli.add_command(tokens)


@click.command()
@click.option("--demo", is_flag=True, help="Load the demo workspace into an empty database first.")
@click.option("--host", help="Address to listen on (default 127.0.0.1, OTKLIK_HOST).")
@click.option("--port", type=int, help="Port to listen on (default 8000, OTKLIK_PORT).")
@pass_app
def serve(app: AppContext, demo: bool, host: str | None, port: int | None) -> None:
    """Serve the web UI and the JSON API (/api/v1).

    On first start with no users, an admin is created and its password printed once.

    \b
    Example:
      otklik serve --demo            # a demo workspace at http://127.0.0.1:8000
      otklik serve --host 0.0.0.0 --port 8080
    """
    import uvicorn

    from otklik.web.app import create_app

    settings = app.settings
    if "OTKLIK_STAGES" not in os.environ:
        from otklik.demo import demo_stages

        available = demo_stages(settings)
        missing = [s for s in settings.stages if s not in available]
        if missing:
            output.message(f"pipeline stages not installed yet, skipped: {', '.join(missing)}")
            settings = settings.model_copy(update={"stages": tuple(available)})
    store = app.store(check=False)
    if demo:
        _load_demo(app, settings)
    store.check_schema()
    _first_admin(app)
    web_app = create_app(settings, store)
    url = f"http://{host or settings.host}:{port or settings.port}/"
    output.message(f"Otklik is at {url} (API: {url}api/v1/openapi.json); Ctrl+C stops it")
    uvicorn.run(web_app, host=host or settings.host, port=port or settings.port, log_level="info")


def _load_demo(app: AppContext, settings: Settings) -> None:
    import time

    from otklik.demo import load_demo
    from otklik.domain.filters import Filters

    store = app.store(check=False)
    store.init()
    ws = store.workspace(settings.workspace, settings.timezone)
    if store.count(ws, Filters()) > 0:
        output.message(f"workspace {ws.name!r} already has mentions; not loading the demo again")
        return
    started = time.monotonic()
    output.message("loading the demo workspace (a delivery service and two competitors)…")
    result = load_demo(store, settings)
    output.message(
        f"demo ready: {result.mentions} mentions, {result.brands} brands, {result.tags} tags "
        f"(stages: {', '.join(result.stages)}) in {time.monotonic() - started:.0f} s"
    )


def _first_admin(app: AppContext) -> None:
    from otklik.web.auth import hash_password, new_password

    store = app.store()
    with store.begin() as conn:
        if accounts.count_users(conn) > 0:
            return
        password = new_password()
        user = accounts.add_user(
            conn, "admin@otklik.local", "admin", hash_password(password), utcnow()
        )
    output.message(
        f"created the first admin: {user.email} / password {password}\n"
        "(shown once; change it by adding your own admin with `otklik users add`)"
    )


@click.group()
def users() -> None:
    """Manage the people who sign in to the web UI.

    \b
    Example:
      echo 's3cret-pass' | otklik users add anna@example.com --role analyst --password-stdin
      otklik users list
      echo 'new-s3cret-pass' | otklik users passwd anna@example.com --password-stdin
    """


@users.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(accounts.ROLES),
    default="viewer",
    show_default=True,
    help="admin manages users; analyst changes data; viewer only reads.",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the password from standard input (keeps it out of shell history).",
)
@pass_app
def users_add(app: AppContext, email: str, role: str, password_stdin: bool) -> None:
    """Add a user with a role.

    \b
    Example:
      echo 's3cret-pass' | otklik users add anna@example.com --role admin --password-stdin
    """
    from otklik.web.auth import hash_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else ""
    with app.store().begin() as conn:
        user = accounts.add_user(conn, email, role, hash_password(password), utcnow())
    output.message(f"added {user.email} ({user.role})")


@users.command("passwd")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the new password from standard input (keeps it out of shell history).",
)
@pass_app
def users_passwd(app: AppContext, email: str, password_stdin: bool) -> None:
    """Set a user's password (for a lost one); the user's API tokens stay valid.

    \b
    Example:
      echo 'new-s3cret-pass' | otklik users passwd anna@example.com --password-stdin
    """
    from otklik.errors import NotFoundError
    from otklik.web.auth import hash_password

    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else ""
    with app.store().begin() as conn:
        user = accounts.user_by_email(conn, email)
        if user is None:
            raise NotFoundError(f"no user with e-mail {email!r}; see otklik users list")
        accounts.update_user(conn, user.id, password_hash=hash_password(password))
    output.message(f"password changed for {user.email}")


@users.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@pass_app
def users_list(app: AppContext, fmt: str) -> None:
    """List users and their roles.

    \b
    Example:
      otklik users list --format json
    """
    with app.store().connect() as conn:
        rows = [
            {
                "id": u.id,
                "email": u.email,
                "role": u.role,
                "active": u.is_active,
                "created_at": u.created_at,
            }
            for u in accounts.list_users(conn)
        ]
    output.emit(rows, fmt, ["id", "email", "role", "active", "created_at"])


@click.group()
def tokens() -> None:
    """API tokens (send as Authorization: Bearer TOKEN).

    \b
    Example:
      otklik tokens create anna@example.com --name reports
      otklik tokens revoke 3
    """


@tokens.command("create")
@click.argument("email")
@click.option("--name", help="What the token is for.")
@pass_app
def tokens_create(app: AppContext, email: str, name: str | None) -> None:
    """Create an API token for a user; it is printed once and stored only hashed.

    \b
    Example:
      otklik tokens create anna@example.com --name "BI export"
    """
    with app.store().begin() as conn:
        user = accounts.user_by_email(conn, email)
        if user is None:
            raise click.BadParameter(
                f"no user {email}; add one with `otklik users add`", param_hint="EMAIL"
            )
        token_id, token = accounts.create_token(conn, user.id, name, utcnow())
    output.message(token)
    output.message(
        f"token {token_id} for {user.email} ({user.role}); it is not shown again", err=True
    )


@tokens.command("list")
@pass_app
def tokens_list(app: AppContext) -> None:
    """List tokens (never their secrets).

    \b
    Example:
      otklik tokens list
    """
    with app.store().connect() as conn:
        rows = [
            {
                "id": t.id,
                "email": t.email,
                "name": t.name,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in accounts.list_tokens(conn)
        ]
    output.emit(rows, "table", ["id", "email", "name", "created_at", "last_used_at", "revoked_at"])


@tokens.command("revoke")
@click.argument("token_id", type=int)
@pass_app
def tokens_revoke(app: AppContext, token_id: int) -> None:
    """Revoke an API token by id (see `otklik tokens list`).

    \b
    Example:
      otklik tokens revoke 3
    """
    with app.store().begin() as conn:
        accounts.revoke_token(conn, token_id, utcnow())
    output.message(f"token {token_id} revoked")
