"""`otklik serve`, `otklik users` and `otklik tokens`."""

from __future__ import annotations

import os
import sys

import click

from otklik import output
from otklik.cli.context import AppContext, pass_app
from otklik.i18n import Translator
from otklik.services import Services
from otklik.services import users as accounts


def register(cli: click.Group) -> None:
    """Add the web commands to the root group."""
    cli.add_command(serve)
    cli.add_command(users)
    cli.add_command(tokens)


@click.command()
@click.option("--demo", is_flag=True, help="Load the demo workspace into an empty database first.")
@click.option("--host", help="Address to listen on (default 127.0.0.1, OTKLIK_HOST).")
@click.option("--port", type=int, help="Port to listen on (default 8000, OTKLIK_PORT).")
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not run background jobs in this process (run `otklik worker` beside it).",
)
@pass_app
def serve(app: AppContext, demo: bool, host: str | None, port: int | None, no_worker: bool) -> None:
    """Serve the web UI and the JSON API (/api/v1).

    On first start with no users, an admin is created and its password printed once. One
    background worker runs inside the server (re-matching after a brand or tag change,
    imports queued with --background); with PostgreSQL and several servers, run
    `otklik worker` processes instead and start the servers with --no-worker.

    \b
    Example:
      otklik serve --demo            # a demo workspace at http://127.0.0.1:8000
      otklik serve --host 0.0.0.0 --port 8080
      otklik serve --no-worker & otklik worker --concurrency 4
    """
    import uvicorn

    from otklik.services.demo import installed_stages
    from otklik.web.app import create_app

    settings, tr = app.settings, app.tr
    if "OTKLIK_STAGES" not in os.environ:
        available = installed_stages(settings)
        missing = [s for s in settings.stages if s not in available]
        if missing:
            skipped = ", ".join(missing)
            line = tr.gettext(
                "pipeline stages not installed yet, skipped: %(stages)s", stages=skipped
            )
            output.message(line)
            settings = settings.model_copy(update={"stages": tuple(available)})
    if no_worker:
        settings = settings.model_copy(update={"embedded_worker": False})
    svc = app.services(check=False)
    if demo:
        _load_demo(Services(settings, svc.store), tr)
    svc.check_schema()
    _first_admin(svc, tr)
    web_app = create_app(settings, svc.store)
    url = f"http://{host or settings.host}:{port or settings.port}/"
    output.message(
        tr.gettext(
            "Otklik is at %(url)s (API: %(url)sapi/v1/openapi.json); Ctrl+C stops it", url=url
        )
    )
    uvicorn.run(web_app, host=host or settings.host, port=port or settings.port, log_level="info")


def _load_demo(svc: Services, tr: Translator) -> None:
    import time

    from otklik.services import demo

    used = demo.workspace_with_mentions(svc)
    if used is not None:
        output.message(
            tr.gettext(
                "workspace %(name)r already has mentions; not loading the demo again",
                name=used.name,
            )
        )
        return
    started = time.monotonic()
    output.message(
        tr.gettext("loading the demo workspace (a delivery service and two competitors)…")
    )
    result = demo.load(svc)
    output.message(
        tr.gettext(
            "demo ready: %(mentions)d mentions, %(brands)d brands, %(tags)d tags "
            "(stages: %(stages)s) in %(seconds).0f s",
            mentions=result.mentions,
            brands=result.brands,
            tags=result.tags,
            stages=", ".join(result.stages),
            seconds=time.monotonic() - started,
        )
    )


def _first_admin(svc: Services, tr: Translator) -> None:
    created = accounts.first_admin(svc)
    if created is None:
        first = accounts.user_by_email(svc, accounts.FIRST_ADMIN)
        if first is not None:
            output.message(
                tr.gettext(
                    "sign in as %(email)s with the password shown on the first start; "
                    "lost it? set a new one with `otklik users passwd %(email)s`",
                    email=first.email,
                )
            )
        return
    user, password = created
    output.message(
        tr.gettext(
            "created the first admin: %(email)s / password %(password)s\n"
            "(shown once; set a new one any time with `otklik users passwd %(email)s`)",
            email=user.email,
            password=password,
        )
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
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else ""
    user = accounts.add_user(app.services(), email, role, password)
    output.message(app.tr.gettext("added %(email)s (%(role)s)", email=user.email, role=user.role))


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
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else ""
    user = accounts.set_password(app.services(), email, password)
    output.message(
        app.tr.gettext(
            "password changed for %(email)s; their sessions were signed out", email=user.email
        )
    )


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
    rows = [
        {
            "id": u.id,
            "email": u.email,
            "role": u.role,
            "active": u.is_active,
            "created_at": u.created_at,
        }
        for u in accounts.users(app.services())
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
    svc, tr = app.services(), app.tr
    user = accounts.user_by_email(svc, email)
    if user is None:
        raise click.BadParameter(
            tr.gettext("no user %(email)s; add one with `otklik users add`", email=email),
            param_hint="EMAIL",
        )
    token_id, token = accounts.create_token(svc, user.id, name)
    output.message(token)
    output.message(
        tr.gettext(
            "token %(id)s for %(email)s (%(role)s); it is not shown again",
            id=token_id,
            email=user.email,
            role=user.role,
        ),
        err=True,
    )


@tokens.command("list")
@pass_app
def tokens_list(app: AppContext) -> None:
    """List tokens (never their secrets).

    \b
    Example:
      otklik tokens list
    """
    rows = [
        {
            "id": t.id,
            "email": t.email,
            "name": t.name,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in accounts.tokens(app.services())
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
    accounts.revoke_token(app.services(), token_id)
    output.message(app.tr.gettext("token %(id)s revoked", id=token_id))
