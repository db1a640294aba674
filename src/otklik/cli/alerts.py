"""`otklik alerts`: instant, digest and spike alerts by e-mail and webhook."""

from __future__ import annotations

from typing import Any

import click

from otklik import output
from otklik.cli.context import AppContext, pass_app
from otklik.domain.alerts import EVERY, KINDS, STYLES, WEEKDAYS
from otklik.domain.filters import ROLES, FilterError
from otklik.services import alerts as service


def register(cli: click.Group) -> None:
    """Add the alert commands to the root group."""
    cli.add_command(alerts)


@click.group()
def alerts() -> None:
    """Alerts: a saved filter plus a kind and recipients, checked by `otklik worker`.

    \b
    Kinds:
      instant  every new matching mention, a burst batched into one message a minute
      digest   a daily or weekly report (Monday, or --day) at a local time (the
               workspace's time zone)
      spike    the filter's volume or negative mentions far above their usual level

    \b
    Example:
      otklik alerts add complaints --sentiment negative --brand "Быстрая Почта" \\
          --kind instant --email boss@example.com:ru
      otklik alerts add morning --kind digest --at 09:00 --email team@example.com
      otklik alerts add friday --kind digest --every week --day friday --email team@example.com
      otklik alerts list
    """


def _filter_options(func: Any) -> Any:
    options = [
        click.option("--brand", multiple=True, help="Brand name (repeat for several)."),
        click.option("--tag", multiple=True, help="Tag name (repeat for several)."),
        click.option(
            "--sentiment",
            multiple=True,
            type=click.Choice(["positive", "neutral", "negative"]),
            help="Sentiment; with --brand, the sentiment towards that brand.",
        ),
        click.option("--channel", multiple=True, help="Channel: vk, telegram, review…"),
        click.option("--source", multiple=True, help="Source name."),
        click.option("--language", multiple=True, help="Language code: ru, kk, en."),
        click.option("--role", multiple=True, type=click.Choice(ROLES), help="Brand's role."),
        click.option("--rating-min", type=float, help="Lowest rating (1–5)."),
        click.option("--rating-max", type=float, help="Highest rating (1–5)."),
        click.option("-q", "--q", "q", help='Query language: доставка AND NOT "всё отлично".'),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@alerts.command("add")
@click.argument("name")
@_filter_options
@click.option("--kind", type=click.Choice(KINDS), default="instant", show_default=True)
@click.option(
    "--email",
    "emails",
    multiple=True,
    metavar="ADDR[:LANG]",
    help="E-mail recipient (repeat for several); :ru, :kk or :en picks the letter's language "
    "(default: the workspace's, else OTKLIK_LANGUAGE).",
)
@click.option("--webhook", "webhooks", multiple=True, metavar="URL", help="Webhook URL.")
@click.option(
    "--style",
    type=click.Choice(STYLES),
    default="json",
    show_default=True,
    help="Webhook payload: our JSON, Slack's or a Telegram bot's ({\"text\": …}).",
)
@click.option("--at", "at_time", metavar="HH:MM", help="Digest: local time (default 09:00).")
@click.option("--every", type=click.Choice(EVERY), help="Digest: day (default) or week.")
@click.option(
    "--day",
    "weekday",
    metavar="DAY",
    help="Weekly digest: the weekday, 0 (Monday) to 6 (Sunday) or a name such as friday "
    "(default Monday).",
)
@click.option(
    "--cap",
    type=click.IntRange(1, 10_000),
    default=service.DEFAULT_CAP,
    show_default=True,
    help="Messages an hour per recipient; the rest comes as one summary the next hour.",
)
@pass_app
def add(
    app: AppContext,
    /,
    name: str,
    kind: str,
    emails: tuple[str, ...],
    webhooks: tuple[str, ...],
    style: str,
    at_time: str | None,
    every: str | None,
    weekday: str | None,
    cap: int,
    **filters: Any,
) -> None:
    """Add an alert rule; the webhook signing secret is printed once.

    \b
    Example:
      otklik alerts add complaints --sentiment negative --kind instant \\
          --email boss@example.com:ru --webhook https://hooks.slack.com/… --style slack
      otklik alerts add weekly --brand Ozon --kind digest --every week --day friday \\
          --at 09:30 --email cmo@example.com:kk
      otklik alerts add wave --kind spike -q "доставка OR курьер" --email ops@example.com
    """
    svc, ws, tr = app.services(), app.workspace(), app.tr
    values = {
        k: list(v) if isinstance(v, tuple) else v for k, v in filters.items() if v not in (None, ())
    }
    try:
        people = service.recipients_from(svc, ws, emails, webhooks, style=style)
        rule = service.add(
            svc,
            ws,
            name,
            kind,
            values,
            people,
            at=at_time,
            every=every,
            weekday=weekday,
            cap_per_hour=cap,
        )
    except FilterError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.name.replace('_', '-')}") from exc
    output.message(tr.gettext("alert %(name)r added (%(kind)s)", name=rule.name, kind=rule.kind))
    if webhooks:
        output.message(
            tr.gettext(
                "webhooks are signed in the X-Otklik-Signature header with this secret: %(secret)s",
                secret=rule.secret,
            )
        )


@alerts.command("edit")
@click.argument("name")
@click.option("--name", "new_name", help="New name; the rule keeps its log and secret.")
@_filter_options
@click.option("--kind", type=click.Choice(KINDS), help="New kind.")
@click.option(
    "--email",
    "emails",
    multiple=True,
    metavar="ADDR[:LANG]",
    help="E-mail recipient (repeat for several); replaces all the e-mail recipients.",
)
@click.option(
    "--webhook",
    "webhooks",
    multiple=True,
    metavar="URL",
    help="Webhook URL (repeat for several); replaces all the webhooks.",
)
@click.option("--style", type=click.Choice(STYLES), help="Webhook payload style.")
@click.option("--at", "at_time", metavar="HH:MM", help="Digest: local time.")
@click.option("--every", type=click.Choice(EVERY), help="Digest: day or week.")
@click.option("--day", "weekday", metavar="DAY", help="Weekly digest: the weekday.")
@click.option("--cap", type=click.IntRange(1, 10_000), help="Messages an hour per recipient.")
@pass_app
def edit(
    app: AppContext,
    /,
    name: str,
    new_name: str | None,
    kind: str | None,
    emails: tuple[str, ...],
    webhooks: tuple[str, ...],
    style: str | None,
    at_time: str | None,
    every: str | None,
    weekday: str | None,
    cap: int | None,
    **filters: Any,
) -> None:
    """Change a rule: only what is given changes (a filter given replaces that filter;
    -q "" drops the query).

    \b
    Example:
      otklik alerts edit complaints --name жалобы --email boss@example.com:kk
      otklik alerts edit morning --every week --day friday --at 10:00
      otklik alerts edit wave -q "доставка OR курьер OR опоздал" --cap 3
    """
    values = {
        k: list(v) if isinstance(v, tuple) else v for k, v in filters.items() if v not in (None, ())
    }
    try:
        rule = service.change(
            app.services(),
            app.workspace(),
            name,
            new_name=new_name,
            kind=kind,
            filters=values,
            emails=emails or None,
            webhooks=webhooks or None,
            style=style,
            at=at_time,
            every=every,
            weekday=weekday,
            cap_per_hour=cap,
        )
    except FilterError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.name.replace('_', '-')}") from exc
    if rule.name != name:
        output.message(app.tr.gettext("alert %(old)r renamed to %(new)r", old=name, new=rule.name))
    else:
        output.message(app.tr.gettext("alert %(name)r changed", name=rule.name))


@alerts.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def list_(app: AppContext, fmt: str) -> None:
    """List the alert rules.

    \b
    Example:
      otklik alerts list --format json
    """
    rows = [r.to_dict() for r in service.rules(app.services(), app.workspace())]
    if fmt == "json":
        output.emit(rows, "json")
        return
    table = [
        {
            **r,
            "filters": " ".join(f"{k}={v}" for k, v in r["filters"].items()),
            "recipients": ", ".join(p["address"] for p in r["recipients"]),
            "when": _when(r),
        }
        for r in rows
    ]
    columns = ["name", "kind", "filters", "recipients", "when", "cap_per_hour", "muted"]
    output.emit(table, "table", columns)


def _when(rule: dict[str, Any]) -> str:
    if not rule["at"]:
        return ""
    if rule["every"] == "week":
        return f"week {WEEKDAYS[rule['weekday'] or 0]} {rule['at']}"
    return f"{rule['every']} {rule['at']}"


@alerts.command("test")
@click.argument("name")
@pass_app
def test(app: AppContext, name: str) -> None:
    """Send a test message to every recipient of a rule now, and say how each went.

    \b
    Example:
      otklik alerts test complaints
    """
    found = service.test(app.services(), app.workspace(), name)
    output.emit([d.to_dict() for d in found], "table", ["channel", "recipient", "status", "error"])
    if any(d.status != "sent" for d in found):
        raise SystemExit(1)


@alerts.command("log")
@click.argument("name", required=False)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def log(app: AppContext, name: str | None, limit: int, fmt: str) -> None:
    """The delivery log, newest first: sent, failed (why), retrying, summarised.

    \b
    Example:
      otklik alerts log
      otklik alerts log complaints --format json
    """
    rows = [d.to_dict() for d in service.log(app.services(), app.workspace(), name, limit)]
    if fmt == "json":
        output.emit(rows, "json")
        return
    columns = ["created_at", "rule", "kind", "channel", "recipient", "status", "attempts"]
    output.emit(rows, "table", [*columns, "error"], widths={"error": 50})


@alerts.command("mute")
@click.argument("name")
@pass_app
def mute(app: AppContext, name: str) -> None:
    """Mute a rule: nothing is sent until it is unmuted (what matched meanwhile is skipped).

    \b
    Example:
      otklik alerts mute complaints
    """
    service.set_muted(app.services(), app.workspace(), name, True)
    output.message(app.tr.gettext("alert %(name)r muted", name=name))


@alerts.command("unmute")
@click.argument("name")
@pass_app
def unmute(app: AppContext, name: str) -> None:
    """Unmute a rule.

    \b
    Example:
      otklik alerts unmute complaints
    """
    service.set_muted(app.services(), app.workspace(), name, False)
    output.message(app.tr.gettext("alert %(name)r unmuted", name=name))


@alerts.command("remove")
@click.argument("name")
@pass_app
def remove(app: AppContext, name: str) -> None:
    """Delete a rule with its delivery log.

    \b
    Example:
      otklik alerts remove complaints
    """
    service.remove(app.services(), app.workspace(), name)
    output.message(app.tr.gettext("alert %(name)r removed", name=name))
