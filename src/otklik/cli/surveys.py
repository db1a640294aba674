"""`otklik surveys`: create from templates, list, export and import the JSON document,
close, reopen and delete, invite by e-mail, report NPS/CSAT/CES with intervals, export
responses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from otklik import mail, output
from otklik.cli.context import AppContext, pass_app
from otklik.errors import InputError
from otklik.i18n import Translator
from otklik.services import invitations
from otklik.services import surveys as service


def _category_days(tr: Translator, values: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for value in values:
        name, sep, days = value.rpartition("=")
        if not sep or not name.strip() or not days.strip().isdigit():
            raise InputError(
                tr.gettext(
                    "--category-days %(value)r: write it as CATEGORY=DAYS, e.g. furniture=14",
                    value=value,
                )
            )
        found[name.strip().casefold()] = int(days)
    return found


def register(cli: click.Group) -> None:
    """Add `otklik surveys ...` to the root command."""

    @cli.group("surveys")
    def surveys() -> None:
        """Surveys (NPS, CSAT, CES, choices, open text) whose answers become mentions.

        \b
        Example:
          otklik surveys add --template post-purchase --name "After delivery"
          otklik surveys list
          otklik surveys invite "After delivery" --contacts orders.xlsx --after-days 3
          otklik surveys report "After delivery" --format json
          otklik surveys close "After delivery"
        """

    @surveys.command("add")
    @click.option(
        "--template",
        "kind",
        required=True,
        type=click.Choice(list(service.TEMPLATES)),
        help="The template to start from.",
    )
    @click.option("--name", required=True, help="The survey's name (unique in the workspace).")
    @click.option(
        "--languages",
        default="ru,kk,en",
        show_default=True,
        help="Languages the survey speaks, comma-separated (ru, kk, en).",
    )
    @pass_app
    def add(app: AppContext, kind: str, name: str, languages: str) -> None:
        """Create a survey from a template; prints its public link.

        \b
        Example:
          otklik surveys add --template csat --name "Support CSAT" --languages kk,ru
        """
        svc = app.services()
        chosen = [p.strip() for p in languages.split(",") if p.strip()]
        record = service.add_from_template(svc, app.workspace(), name, kind, chosen)
        output.message(
            app.tr.gettext(
                "survey %(name)r created: %(url)s",
                name=record.name,
                url=service.url_of(svc, record),
            )
        )

    @surveys.command("list")
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
    )
    @pass_app
    def list_(app: AppContext, fmt: str) -> None:
        """List the surveys with their public links and state (open or closed).

        Columns: id, name, slug, url, state, closed_at.

        \b
        Example:
          otklik surveys list --format json
        """
        svc = app.services()
        found = [service.summary(svc, r) for r in service.list_surveys(svc, app.workspace())]
        output.emit(found, fmt, ["id", "name", "slug", "url", "state", "closed_at"])

    @surveys.command("close")
    @click.argument("name")
    @pass_app
    def close(app: AppContext, name: str) -> None:
        """Close a survey: it takes no answers until it is reopened.

        Its link and widget say it is closed, the API refuses answers and invitations wait;
        responses and the report stay.

        \b
        Example:
          otklik surveys close "After delivery"
        """
        svc = app.services()
        record = service.close(svc, app.workspace(), name)
        tr = app.tr
        when = record.closed_at.isoformat(timespec="minutes") if record.closed_at else ""
        output.message(
            tr.gettext(
                "survey %(name)r is closed since %(when)s UTC: its link and widget take no answers",
                name=record.name,
                when=when,
            )
        )
        waiting = service.invitation_counts(svc, record)["waiting"]
        if waiting:
            output.message(
                tr.ngettext(
                    "%(num)d invitation waits until the survey is reopened",
                    "%(num)d invitations wait until the survey is reopened",
                    waiting,
                )
            )

    @surveys.command("reopen")
    @click.argument("name")
    @pass_app
    def reopen(app: AppContext, name: str) -> None:
        """Reopen a closed survey: it takes answers again.

        Invitations that fell due while it was closed go with the worker's next run.

        \b
        Example:
          otklik surveys reopen "After delivery"
        """
        svc = app.services()
        record = service.reopen(svc, app.workspace(), name)
        tr = app.tr
        output.message(
            tr.gettext(
                "survey %(name)r is open: %(url)s",
                name=record.name,
                url=service.url_of(svc, record),
            )
        )
        due = service.invitation_counts(svc, record)["due"]
        if due:
            output.message(
                tr.ngettext(
                    "%(num)d invitation that fell due while it was closed goes out with the "
                    "worker's next run",
                    "%(num)d invitations that fell due while it was closed go out with the "
                    "worker's next run",
                    due,
                )
            )

    @surveys.command("delete")
    @click.argument("name")
    @click.option(
        "--with-responses",
        is_flag=True,
        help="Also delete its responses and the mentions they made (needed when it has any).",
    )
    @pass_app
    def delete(app: AppContext, name: str, with_responses: bool) -> None:
        """Delete a survey with its invitations (and responses, when asked).

        One with responses is deleted only with --with-responses, and then its responses and
        the mentions they made (with their cases) go too; campaigns that link it forget it.
        To keep the answers, close it instead.

        \b
        Example:
          otklik surveys delete "Test survey"
          otklik surveys delete "Spring 2024" --with-responses
        """
        tr = app.tr
        try:
            gone = service.delete(
                app.services(), app.workspace(), name, with_responses=with_responses
            )
        except service.HasResponses as exc:
            raise InputError(
                tr.ngettext(
                    "survey %(name)r has %(num)d response (mentions made by it: %(mentions)d); "
                    "nothing was deleted. Add --with-responses to delete them with it, or "
                    "close the survey to keep them",
                    "survey %(name)r has %(num)d responses (mentions made by them: "
                    "%(mentions)d); nothing was deleted. Add --with-responses to delete them "
                    "with it, or close the survey to keep them",
                    exc.found.responses,
                    name=exc.found.name,
                    mentions=exc.found.mentions,
                )
            ) from exc
        output.message(tr.gettext("survey %(name)r deleted", name=gone.name))
        if gone.responses:
            output.message(
                tr.ngettext("%(num)d response deleted", "%(num)d responses deleted", gone.responses)
            )
            output.message(
                tr.ngettext("%(num)d mention deleted", "%(num)d mentions deleted", gone.mentions)
            )
        if gone.invitations:
            output.message(
                tr.ngettext(
                    "%(num)d invitation deleted", "%(num)d invitations deleted", gone.invitations
                )
            )

    @surveys.command("export")
    @click.argument("name")
    @pass_app
    def export(app: AppContext, name: str) -> None:
        """Print a survey's JSON document (questions with id, kind, texts per language).

        \b
        Example:
          otklik surveys export "After delivery" > after-delivery.json
        """
        document = service.export_document(app.services(), app.workspace(), name)
        output.message(json.dumps(document, ensure_ascii=False, indent=2))

    @surveys.command("import")
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
    @pass_app
    def import_(app: AppContext, file: Path) -> None:
        """Create or replace (by name) a survey from a JSON document.

        \b
        Example:
          otklik surveys import after-delivery.json
        """
        document = service.read_document(file.read_text(encoding="utf-8"))
        svc = app.services()
        record, is_new = service.import_document(svc, app.workspace(), document)
        line = (
            app.tr.gettext(
                "survey %(name)r created: %(url)s",
                name=record.name,
                url=service.url_of(svc, record),
            )
            if is_new
            else app.tr.gettext(
                "survey %(name)r updated: %(url)s",
                name=record.name,
                url=service.url_of(svc, record),
            )
        )
        output.message(line)

    @surveys.command("report")
    @click.argument("name")
    @click.option("--since", help="From this date (YYYY-MM-DD, UTC).")
    @click.option("--until", help="Before this date (YYYY-MM-DD, UTC).")
    @click.option("--by", multiple=True, help="Break down by a contact field or choice question.")
    @click.option(
        "--period", type=click.Choice(["day", "week", "month"]), default="month", show_default=True
    )
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
    )
    @pass_app
    def report(
        app: AppContext,
        name: str,
        since: str | None,
        until: str | None,
        by: tuple[str, ...],
        period: str,
        fmt: str,
    ) -> None:
        """NPS, CSAT and CES with 95% intervals, per period and breakdown.

        \b
        Example:
          otklik surveys report "After delivery" --by category --format json
        """
        found = service.report(
            app.services(),
            app.workspace(),
            name,
            since=_date(app.tr, since, "--since"),
            until=_date(app.tr, until, "--until"),
            by=by,
            period=period,
        )
        if fmt == "json":
            output.message(json.dumps(found, ensure_ascii=False, indent=2))
            return
        rows: list[dict[str, Any]] = [{"period": "all", **_flat(found)}]
        rows += [_flat(p) for p in found["periods"]]
        for field, groups in found["breakdowns"].items():
            rows += [{"period": f"{field}={g['value']}", **_flat(g)} for g in groups]
        output.emit(rows, "table")

    @surveys.command("invite")
    @click.argument("name")
    @click.option(
        "--contacts",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="CSV or XLSX with e-mail, name, language, a date, category and any other fields.",
    )
    @click.option("--after-days", default=3, show_default=True, help="Days after the date column.")
    @click.option(
        "--date-column", help="The column the delay counts from (default: a date column)."
    )
    @click.option(
        "--category-days",
        multiple=True,
        metavar="CATEGORY=DAYS",
        help="Another delay for a product category, e.g. furniture=14 (repeatable).",
    )
    @click.option(
        "--remind-days", default=3, show_default=True, help="One reminder after N days (0: none)."
    )
    @click.option(
        "--quiet-days",
        default=90,
        show_default=True,
        help="Never ask the same address twice within this many days.",
    )
    @pass_app
    def invite(
        app: AppContext,
        name: str,
        contacts: Path,
        after_days: int,
        date_column: str | None,
        category_days: tuple[str, ...],
        remind_days: int,
        quiet_days: int,
    ) -> None:
        """Plan personal e-mail invitations; `otklik worker` sends them when due.

        \b
        Example:
          otklik surveys invite "After delivery" --contacts orders.xlsx \\
              --date-column delivered --after-days 3 --category-days furniture=14
        """
        timing = invitations.Timing(
            after_days=after_days,
            date_column=date_column,
            category_days=_category_days(app.tr, category_days),
            remind_days=remind_days or None,
            quiet_days=quiet_days,
        )
        found = invitations.invite(app.services(), app.workspace(), name, contacts, timing)
        tr = app.tr
        output.message(
            tr.gettext(
                "invitations planned: %(created)d; asked recently: %(recent)d; "
                "unsubscribed: %(out)d; rejected rows: %(bad)d",
                created=found.created,
                recent=found.recent,
                out=found.unsubscribed,
                bad=len(found.rejected),
            )
        )
        if found.first_send_at is not None:
            output.message(
                tr.gettext(
                    "first e-mail due at %(when)s UTC",
                    when=found.first_send_at.isoformat(timespec="minutes"),
                )
            )
        if found.created and not mail.can_send(app.settings):
            output.message(
                tr.gettext(
                    "e-mail is not configured: set OTKLIK_SMTP_URL and OTKLIK_SMTP_FROM "
                    "before the worker sends them"
                ),
                err=True,
            )
        if found.report is not None:
            output.message(
                tr.gettext("rejected rows and reasons: %(path)s", path=found.report), err=True
            )

    @surveys.command("responses")
    @click.argument("name")
    @click.option(
        "--output", "path", required=True, type=click.Path(path_type=Path, dir_okay=False)
    )
    @pass_app
    def responses(app: AppContext, name: str, path: Path) -> None:
        """Write the responses to CSV or XLSX, one column per question.

        \b
        Example:
          otklik surveys responses "After delivery" --output answers.xlsx
        """
        data = service.response_file(
            app.services(), app.workspace(), name, app.settings.language, path.suffix.lstrip(".")
        )
        path.write_bytes(data)
        output.message(app.tr.gettext("responses written to %(path)s", path=path))


def _date(tr: Translator, value: str | None, option: str) -> Any:
    from datetime import datetime

    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(
            tr.gettext(
                "%(option)s %(value)r: write a date as YYYY-MM-DD", option=option, value=value
            )
        ) from exc


def _flat(found: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"responses": found["responses"]}
    for kind in ("nps", "csat", "ces"):
        if kind in found:
            ci = found.get(f"{kind}_ci")
            out[kind] = "—" if found[kind] is None else found[kind]
            out[f"{kind} 95%"] = f"{ci[0]} … {ci[1]}" if ci else "—"
    return out
