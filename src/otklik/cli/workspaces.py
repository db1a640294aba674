"""`otklik workspace`: the workspace the CLI works in, and its time zone."""

from __future__ import annotations

import click

from otklik import output
from otklik.cli.context import AppContext, pass_app
from otklik.services import zones


def register(cli: click.Group) -> None:
    """Add the workspace commands to the root group."""
    cli.add_command(workspace)


@click.group()
def workspace() -> None:
    """The workspace's settings (pick the workspace with --workspace or OTKLIK_WORKSPACE)."""


@workspace.command("show")
@pass_app
def show(app: AppContext) -> None:
    """Print the workspace's name and time zone.

    \b
    Example:
      otklik --workspace shop workspace show
    """
    ws = app.workspace()
    line = app.tr.gettext("workspace %(name)r, time zone %(zone)s", name=ws.name, zone=ws.timezone)
    output.message(line)


@workspace.command("set-timezone")
@click.argument("zone")
@pass_app
def set_timezone(app: AppContext, zone: str) -> None:
    """Give the workspace another time zone; listings, day counts and naive dates follow it.

    Stored mentions are counted again by their day in the new zone. A new workspace takes
    OTKLIK_TIMEZONE; after that the workspace's own zone wins.

    \b
    Example:
      otklik workspace set-timezone Asia/Almaty
    """
    ws = zones.set_timezone(app.services(), app.workspace(), zone)
    output.message(
        app.tr.gettext(
            "workspace %(name)r now uses time zone %(zone)s", name=ws.name, zone=ws.timezone
        )
    )
