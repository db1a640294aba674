"""`otklik sources`: feeds, webhooks, mailboxes and Telegram channels that bring mentions."""

from __future__ import annotations

import sys

import click

from otklik import output
from otklik.cli.context import AppContext, pass_app
from otklik.services import sources as service

EVERY_HELP = "How often to poll: 15m, 2h, 1d (default %s)."


def register(cli: click.Group) -> None:
    """Add the sources command group to the root group."""
    cli.add_command(sources)


@click.group()
def sources() -> None:
    """Sources that bring mentions by themselves: RSS/Atom feeds, webhook pushes, IMAP
    mailboxes and public Telegram channels. `otklik worker` (or `otklik serve`) polls them on
    their schedules; a new source is polled at once.

    \b
    Example:
      otklik sources add rss news --url https://example.kz/rss --every 15m
      otklik sources add webhook helpdesk
      otklik sources list --format json
      otklik sources run news
    """


@sources.group("add")
def add() -> None:
    """Add a source: rss, webhook, imap or telegram."""


@add.command("rss")
@click.argument("name")
@click.option("--url", required=True, help="The feed's address (RSS or Atom).")
@click.option("--every", help=EVERY_HELP % "15m")
@pass_app
def add_rss(app: AppContext, name: str, url: str, every: str | None) -> None:
    """Add an RSS or Atom feed; its entries become mentions (identified by guid or link).

    \b
    Example:
      otklik sources add rss tengri --url https://tengrinews.kz/news.rss --every 15m
    """
    added = service.add_rss(app.services(), app.workspace(), name, url, every)
    _queued(app, added)


@add.command("webhook")
@click.argument("name")
@pass_app
def add_webhook(app: AppContext, name: str) -> None:
    """Add a webhook source and print its URL and secret (the secret is shown only now).

    POST one item as a JSON object, or {"items": [...]}, signed with
    X-Otklik-Signature: sha256=<HMAC-SHA256 of the body keyed by the secret>, or sent with
    an API token (Authorization: Bearer TOKEN).

    \b
    Example:
      otklik sources add webhook helpdesk
    """
    added = service.add_webhook(app.services(), app.workspace(), name)
    tr = app.tr
    output.message(tr.gettext("webhook source %(name)r added", name=name))
    output.message(f"URL:    {added.webhook_url}")
    output.message(tr.gettext("secret: %(secret)s", secret=added.secret))
    output.message(tr.gettext("Keep the secret now: it is not shown again."), err=True)


@add.command("imap")
@click.argument("name")
@click.option("--host", required=True, help="IMAP server, e.g. imap.example.kz.")
@click.option("--user", required=True, help="Mailbox login.")
@click.option(
    "--password-stdin", is_flag=True, required=True, help="Read the password from standard input."
)
@click.option("--folder", default="INBOX", show_default=True, help="Folder to read.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default 993; 143 without TLS).")
@click.option(
    "--security",
    type=click.Choice(["ssl", "starttls", "none"]),
    default="ssl",
    show_default=True,
    help="How the connection is protected.",
)
@click.option("--every", help=EVERY_HELP % "5m")
@pass_app
def add_imap(
    app: AppContext,
    name: str,
    host: str,
    user: str,
    password_stdin: bool,  # noqa: ARG001 - required: the password never goes on the command line
    folder: str,
    port: int | None,
    security: str,
    every: str | None,
) -> None:
    """Add an IMAP mailbox: each new message becomes a mention (subject as title, the body
    without quoted replies and signature, the sender as author). The mailbox is only read.

    \b
    Example:
      echo "$PASSWORD" | otklik sources add imap feedback --host imap.example.kz \\
          --user feedback@example.kz --password-stdin
    """
    password = sys.stdin.readline().rstrip("\r\n")
    added = service.add_imap(
        app.services(),
        app.workspace(),
        name,
        host=host,
        user=user,
        password=password,
        folder=folder,
        port=port,
        security=security,
        every=every,
    )
    _queued(app, added)


@add.command("telegram")
@click.argument("name")
@click.option("--channel", required=True, help="Public channel: name, @name or t.me link.")
@click.option(
    "--depth",
    type=click.IntRange(1, 100),
    help="Pages (about 20 posts each) read back on the first poll (default 3).",
)
@click.option("--every", help=EVERY_HELP % "30m")
@pass_app
def add_telegram(
    app: AppContext, name: str, channel: str, depth: int | None, every: str | None
) -> None:
    """Add a public Telegram channel, read from its web preview (t.me/s/CHANNEL): posts with
    views, date and link.

    \b
    Example:
      otklik sources add telegram durov --channel durov --depth 5
    """
    added = service.add_telegram(app.services(), app.workspace(), name, channel, depth, every)
    _queued(app, added)


def _queued(app: AppContext, added: service.Added) -> None:
    found = added.source
    output.message(
        app.tr.gettext(
            "source %(name)r added: polled every %(every)s min; first poll queued as job "
            "%(job)s (`otklik worker` runs it; `otklik sources run %(name)s` polls now)",
            name=found.name,
            every=found.every_minutes,
            job=added.job_id,
        )
    )


@sources.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_app
def list_sources(app: AppContext, fmt: str) -> None:
    """List sources with their health: last run, status, items taken, last error, next run.

    \b
    Example:
      otklik sources list --format json
    """
    svc = app.services()
    rows = [service.source_dict(svc, s) for s in service.sources(svc, app.workspace())]
    if fmt == "json":
        output.emit(rows, "json")
        return
    columns = ["name", "kind", "last_run_at", "last_status", "items_total", "last_error"]
    output.emit(rows, "table", [*columns, "next_run_at", "paused"], widths={"last_error": 50})


@sources.command("run")
@click.argument("name")
@pass_app
def run(app: AppContext, name: str) -> None:
    """Poll one source now, in the foreground, and print what it took.

    Exit code 1 when the source could not be read (its health shows the error).

    \b
    Example:
      otklik sources run tengri
    """
    svc, ws = app.services(), app.workspace()
    found = service.source(svc, ws, name)
    result = service.run_source(svc, ws, found, lambda line: output.message(line, err=True))
    if result.status == "not_modified":
        output.message(app.tr.gettext("%(name)s: not modified since the last poll", name=name))
        return
    output.message(
        app.tr.gettext(
            "%(name)s: %(read)s read, %(imported)s new, %(updated)s updated, "
            "%(duplicates)s already stored, %(rejected)s rejected",
            name=name,
            read=result.read,
            imported=result.imported,
            updated=result.updated,
            duplicates=result.duplicates,
            rejected=result.rejected,
        )
    )


@sources.command("pause")
@click.argument("name")
@pass_app
def pause(app: AppContext, name: str) -> None:
    """Stop polling a source (a webhook refuses pushes) until `otklik sources resume`.

    \b
    Example:
      otklik sources pause tengri
    """
    service.set_paused(app.services(), app.workspace(), name, True)
    output.message(app.tr.gettext("source %(name)r paused", name=name))


@sources.command("resume")
@click.argument("name")
@pass_app
def resume(app: AppContext, name: str) -> None:
    """Poll a paused source on its schedule again.

    \b
    Example:
      otklik sources resume tengri
    """
    service.set_paused(app.services(), app.workspace(), name, False)
    output.message(app.tr.gettext("source %(name)r resumed", name=name))


@sources.command("remove")
@click.argument("name")
@pass_app
def remove(app: AppContext, name: str) -> None:
    """Remove a source and its schedule; the mentions it brought stay.

    \b
    Example:
      otklik sources remove tengri
    """
    service.remove(app.services(), app.workspace(), name)
    output.message(app.tr.gettext("source %(name)r removed", name=name))
