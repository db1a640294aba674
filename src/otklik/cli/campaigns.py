"""`otklik campaigns`, `goals`, `values`, `posts`, `traffic`, `utm` and `report`: campaigns
with SMART goals, SMM and analytics imports, UTM links, and reports in four formats."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click

from otklik import output
from otklik.cli.context import AppContext, pass_app
from otklik.domain.records import Rejection, Workspace
from otklik.errors import NotFoundError
from otklik.i18n import LANGUAGES, N_, Translator
from otklik.services import campaigns as camp
from otklik.services import posts, report_mail, report_schedules, reports, utm

_DAY = click.DateTime(formats=["%Y-%m-%d"])


def register(cli: click.Group) -> None:
    """Add the campaign, import, UTM and report commands to the root group."""
    commands = (campaigns, goals, values, posts_group, traffic_group, utm_group, report)
    for command in (*commands, report_schedule):
        cli.add_command(command)


def _today(app: AppContext) -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(UTC).astimezone(ZoneInfo(app.workspace().timezone)).date()


@click.group()
def campaigns() -> None:
    """Campaigns: a period, an own brand, partners, channels and UTM campaign names."""


@campaigns.command("add")
@click.argument("name")
@click.option("--from", "start", type=_DAY, required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=_DAY, required=True, help="Last day, inclusive.")
@click.option("--brand", help="The workspace's brand the campaign promotes.")
@click.option("--utm-campaign", "utm_names", multiple=True, help="utm_campaign value (repeatable).")
@click.option("--partner", "partners", multiple=True, help="A partner (repeatable).")
@click.option("--channel", "channels", multiple=True, help="A channel it runs on (repeatable).")
@click.option(
    "--survey",
    "survey_names",
    multiple=True,
    help="A linked survey by name (repeatable): partner debrief first, team retro, customers'.",
)
@click.option("--notes", help="Free notes.")
@pass_app
def campaigns_add(
    app: AppContext,
    name: str,
    start: datetime,
    end: datetime,
    brand: str | None,
    utm_names: tuple[str, ...],
    partners: tuple[str, ...],
    channels: tuple[str, ...],
    survey_names: tuple[str, ...],
    notes: str | None,
) -> None:
    """Add a campaign; before and after are the spans of its length around it.

    Linked surveys (--survey) fill the report's "partner's and team's answers" and are
    where nps, csat and ces goals are scored from.

    \b
    Example:
      otklik campaigns add "Spring sale" --from 2025-03-03 --to 2025-03-16 \\
        --brand "Быстрая Почта" --utm-campaign spring_sale --partner Kaspi
    """
    found = camp.add_campaign(
        app.services(),
        app.workspace(),
        name,
        start.date(),
        end.date(),
        brand=brand,
        partners=partners,
        channels=channels,
        utm_campaigns=utm_names,
        notes=notes,
        surveys=survey_names,
    )
    periods = found.periods()
    (before_start, before_end), (after_start, after_end) = periods["before"], periods["after"]
    output.message(
        app.tr.ngettext(
            "campaign %(name)r: %(start)s — %(end)s (%(num)d day); before %(before_start)s — "
            "%(before_end)s, after %(after_start)s — %(after_end)s",
            "campaign %(name)r: %(start)s — %(end)s (%(num)d days); before %(before_start)s — "
            "%(before_end)s, after %(after_start)s — %(after_end)s",
            found.days,
            name=found.name,
            start=found.starts_on,
            end=found.ends_on,
            before_start=before_start,
            before_end=before_end,
            after_start=after_start,
            after_end=after_end,
        )
    )


@campaigns.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def campaigns_list(app: AppContext, fmt: str) -> None:
    """List the workspace's campaigns, newest first.

    \b
    Example:
      otklik campaigns list --format json
    """
    today = _today(app)
    rows = [
        {
            "name": c.name,
            "from": c.starts_on.isoformat(),
            "to": c.ends_on.isoformat(),
            "phase": c.phase(today),
            "brand": c.brand or "",
            "utm_campaigns": ", ".join(c.utm_campaigns),
        }
        for c in camp.campaigns(app.services(), app.workspace())
    ]
    output.emit(rows, fmt, ["name", "from", "to", "phase", "brand", "utm_campaigns"])


@campaigns.command("surveys")
@click.argument("name")
@click.argument("survey_names", nargs=-1)
@pass_app
def campaigns_surveys(app: AppContext, name: str, survey_names: tuple[str, ...]) -> None:
    """Link surveys to a campaign by name (replaces the linked ones; none unlinks all).

    \b
    Example:
      otklik campaigns surveys "Spring sale" "Kaspi debrief" "Team retro"
    """
    found = camp.link_surveys(app.services(), app.workspace(), name, survey_names)
    linked = ", ".join(found.surveys) or "—"
    output.message(
        app.tr.gettext("campaign %(name)r: surveys %(surveys)s", name=found.name, surveys=linked)
    )


@campaigns.command("retro")
@click.argument("name")
@click.option("--worked", default="", help="What worked.")
@click.option("--not-worked", default="", help="What did not work.")
@click.option("--ideas", default="", help="Three ideas for the next launch.")
@pass_app
def campaigns_retro(app: AppContext, name: str, worked: str, not_worked: str, ideas: str) -> None:
    """Store the team's conclusions the campaign report carries.

    \b
    Example:
      otklik campaigns retro "Spring sale" --worked "Reels with the partner" --ideas "..."
    """
    camp.save_retrospective(app.services(), app.workspace(), name, worked, not_worked, ideas)
    output.message(app.tr.gettext("saved the team's conclusions for %(name)r", name=name))


@click.group()
def goals() -> None:
    """SMART goals of a campaign: metric, target, deadline and wording."""


@goals.command("add")
@click.argument("campaign")
@click.option(
    "--metric",
    required=True,
    help=f"One of {', '.join(camp.METRICS)}, or manual:NAME for numbers you enter.",
)
@click.option("--target", type=float, help="The value to reach (shares as fractions: 0.05).")
@click.option("--by", "deadline", type=_DAY, help="Deadline (default: the campaign's last day).")
@click.option("--specific", help="S: what exactly changes.")
@click.option("--measurable", help="M: how it is measured.")
@click.option("--achievable", help="A: why it is realistic.")
@click.option("--relevant", help="R: why it matters.")
@click.option("--time-bound", "time_bound", help="T: by when.")
@pass_app
def goals_add(
    app: AppContext,
    campaign: str,
    metric: str,
    target: float | None,
    deadline: datetime | None,
    specific: str | None,
    measurable: str | None,
    achievable: str | None,
    relevant: str | None,
    time_bound: str | None,
) -> None:
    """Add a goal and say what keeps it from being SMART.

    \b
    Example:
      otklik goals add "Spring sale" --metric sessions --target 5000 --by 2025-03-16
      otklik goals add "Spring sale" --metric engagement_rate --target 0.05
      otklik goals add "Spring sale" --metric manual:leads --target 300
    """
    goal, check = camp.add_goal(
        app.services(),
        app.workspace(),
        campaign,
        metric,
        target,
        deadline.date() if deadline else None,
        {
            "specific": specific,
            "measurable": measurable,
            "achievable": achievable,
            "relevant": relevant,
            "time_bound": time_bound,
        },
    )
    tr = app.tr
    for problem in _problems(tr, check.problems, goal.metric):
        output.message(tr.gettext("warning: %(problem)s", problem=problem), err=True)
    sign = "≤" if goal.metric in camp.LOWER_IS_BETTER else "≥"
    aim = tr.gettext("no target") if goal.target is None else f"{sign} {goal.target:g}"
    output.message(
        tr.gettext(
            "goal %(id)s: %(metric)s %(aim)s by %(deadline)s",
            id=goal.id,
            metric=goal.metric,
            aim=aim,
            deadline=goal.deadline,
        )
    )


def _problems(tr: Translator, codes: tuple[str, ...], metric: str) -> list[str]:
    said = {
        "not_measurable": tr.gettext(
            "%(metric)r is not measurable: Otklik cannot compute it; use one of %(metrics)s "
            "or manual:NAME",
            metric=metric,
            metrics=", ".join(camp.METRICS),
        ),
        "no_target": tr.gettext("no target: add --target"),
        "no_date": tr.gettext("no date: add --by"),
        "date_outside": tr.gettext("the deadline is before the campaign starts"),
    }
    lines = [said[c] for c in codes if c in said]
    missing = [c.partition(":")[2] for c in codes if c.startswith("wording_missing:")]
    if missing:
        lines.append(
            tr.gettext(
                "the SMART wording lacks %(parts)s (add --%(first)s …)",
                parts=", ".join(missing),
                first=missing[0],
            )
        )
    return lines


@goals.command("list")
@click.argument("campaign")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def goals_list(app: AppContext, campaign: str, fmt: str) -> None:
    """Goals of a campaign with target, actual and status.

    \b
    Example:
      otklik goals list "Spring sale"
    """
    svc, ws = app.services(), app.workspace()
    found = camp.campaign(svc, ws, campaign)
    today = _today(app)
    rows = [camp.goal_status(svc, ws, found, g, today) for g in camp.goals(svc, ws, found)]
    if fmt == "table":
        for row in rows:
            row["problems"] = "; ".join(_problems(app.tr, tuple(row["problems"]), row["metric"]))
    output.emit(rows, fmt, ["metric", "target", "actual", "status", "deadline", "problems"])


@click.group()
def values() -> None:
    """Manual metrics: numbers per day you enter or import (sales from a CRM, leads)."""


@values.command("set")
@click.argument("name")
@click.argument("pairs", nargs=-1, metavar="DAY=VALUE...")
@click.option(
    "--file",
    "path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV/XLSX with date and value columns.",
)
@pass_app
def values_set(app: AppContext, name: str, pairs: tuple[str, ...], path: Path | None) -> None:
    """Store numbers per day of a manual metric (goals use it as manual:NAME).

    \b
    Example:
      otklik values set leads 2025-03-03=41 2025-03-04=37
      otklik values set sales --file crm-sales.csv
    """
    svc, ws, tr = app.services(), app.workspace(), app.tr
    given: dict[date, float] = {}
    for pair in pairs:
        day, sep, number = pair.partition("=")
        try:
            given[date.fromisoformat(day)] = float(number.replace(",", "."))
        except ValueError as exc:
            raise click.BadParameter(
                tr.gettext("%(pair)r: write DAY=VALUE, e.g. 2025-03-03=41", pair=pair)
            ) from exc
    stored = camp.set_manual_values(svc, ws, name, given) if given else 0
    if path is not None:
        count, rejections = camp.import_manual_values(svc, ws, name, path)
        stored += count
        for r in rejections:
            output.message(_rejection(tr, r), err=True)
    output.message(
        tr.ngettext(
            "stored %(num)d day of %(name)r", "stored %(num)d days of %(name)r", stored, name=name
        )
    )


def _rejection(tr: Translator, found: Rejection) -> str:
    field = found.field or tr.gettext("row")
    return tr.gettext(
        "  row %(row)s: %(field)s: %(reason)s",
        row=found.row_number,
        field=field,
        reason=found.reason,
    )


def _import(app: AppContext, path: Path, kind: str, background: bool = False) -> None:
    tr = app.tr
    if background:
        job = posts.queue_sheet(app.services(), app.workspace(), path, kind)
        queued = tr.gettext("queued the import as job %(job)s; `otklik worker` runs it", job=job.id)
        output.message(queued, err=True)
        output.message(str(job.id))
        return

    def progress(rows: int, share: float) -> None:
        line = tr.ngettext(
            "  read %(num)d row (%(share)s of the file)",
            "  read %(num)d rows (%(share)s of the file)",
            rows,
            share=format(share, ".0%"),
        )
        output.message(line, err=True)

    result = posts.import_sheet(app.services(), app.workspace(), path, kind, progress)
    for r in result.rejections:
        output.message(_rejection(tr, r), err=True)
    output.message(
        tr.ngettext(
            "read %(num)d row: %(added)d added, %(updated)d updated, %(unchanged)d already "
            "there, %(rejected)d rejected (kept with import run %(run)s)",
            "read %(num)d rows: %(added)d added, %(updated)d updated, %(unchanged)d already "
            "there, %(rejected)d rejected (kept with import run %(run)s)",
            result.read,
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=len(result.rejections),
            run=result.run_id,
        )
    )


@click.group("posts")
def posts_group() -> None:
    """Social-media posts from SMM exports (VK, Telegram, Instagram, a hand-kept sheet)."""


@posts_group.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--background", is_flag=True, help="Queue it for `otklik worker`; prints the job id.")
@pass_app
def posts_import(app: AppContext, path: Path, background: bool) -> None:
    """Import posts from CSV or XLSX; columns in Russian, Kazakh or English are recognised:
    link, date (and time), platform, account, account kind (own/partner/competitor), format,
    rubric, reach, views, likes, comments, reposts, saves, link clicks, on plan, followers.
    Importing the same file again adds nothing.

    \b
    Example:
      otklik posts import vk-posts-march.xlsx
    """
    _import(app, path, "post", background)


@click.group("traffic")
def traffic_group() -> None:
    """Web-analytics traffic by UTM (GA4 or Yandex Metrica exports)."""


@traffic_group.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--background", is_flag=True, help="Queue it for `otklik worker`; prints the job id.")
@pass_app
def traffic_import(app: AppContext, path: Path, background: bool) -> None:
    """Import a GA4 or Yandex Metrica CSV by UTM: date, source, medium, campaign, sessions,
    bounce rate, pages per session, duration, device, conversions. Rows count for the
    campaigns whose UTM campaign names they carry.

    \b
    Example:
      otklik traffic import ga4-utm-march.csv
    """
    _import(app, path, "traffic", background)


@click.group("utm")
def utm_group() -> None:
    """UTM links: build them consistently, lint a list of them."""


@utm_group.command("build")
@click.argument("url")
@click.option("--source", required=True, help="utm_source (vk, instagram, telegram…).")
@click.option("--medium", required=True, help="utm_medium (social, cpc, email…).")
@click.option("--campaign", required=True, help="utm_campaign.")
@click.option("--content", help="utm_content.")
@click.option("--term", help="utm_term.")
def utm_build(
    url: str, source: str, medium: str, campaign: str, content: str | None, term: str | None
) -> None:
    """Build a link with UTM parameters, normalised (lower case, no spaces, one spelling
    per source: Vk, VK, vkontakte → vk); the link is the last line printed.

    \b
    Example:
      otklik utm build "https://shop.kz/sale?ref=7#top" --source VK --medium SMM \
        --campaign "Spring sale"
    """
    fields = {
        "source": source,
        "medium": medium,
        "campaign": campaign,
        "content": content,
        "term": term,
    }
    output.message(utm.build(url, fields))


@utm_group.command("lint")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def utm_lint(app: AppContext, path: Path, fmt: str) -> None:
    """Report UTM values spelled more than one way ("Vk" and "vk") with counts; reads any
    text or CSV file with one or more links per line. Exit code 1 when there are problems.

    \b
    Example:
      otklik utm lint links.txt
    """
    found = utm.lint(utm.links_in(path.read_text(encoding="utf-8-sig", errors="replace")))
    if fmt == "json":
        output.emit([found], "json")
    else:
        rows = [
            {
                "parameter": p["parameter"],
                "value": p["value"],
                "kind": p["kind"].replace("_", " "),
                "spellings": ", ".join(f"{k} ×{v}" for k, v in p["spellings"].items()),
            }
            for p in found["problems"]
        ]
        output.emit(rows, "table", ["parameter", "value", "kind", "spellings"])
        output.message(
            app.tr.gettext(
                "%(links)d links, %(tagged)d with UTM tags, %(problems)d inconsistent values",
                links=found["links"],
                tagged=found["tagged"],
                problems=len(found["problems"]),
            )
        )
    if found["problems"]:
        sys.exit(1)


@click.command()
@click.argument("kind", type=click.Choice(reports.KINDS))
@click.argument("name", required=False)
@click.option("--from", "start", type=_DAY, help="First day (smm, brand; default: last month).")
@click.option("--to", "end", type=_DAY, help="Last day, inclusive.")
@click.option("--brand", help="Brand report: which brand (default: all mentions).")
@click.option(
    "--format", "fmt", type=click.Choice(reports.FORMATS), default="json", show_default=True
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here (default: standard output for json, report-KIND.FORMAT otherwise).",
)
@pass_app
def report(
    app: AppContext,
    kind: str,
    name: str | None,
    start: datetime | None,
    end: datetime | None,
    brand: str | None,
    fmt: str,
    out: Path | None,
) -> None:
    """A campaign, SMM or brand report as JSON, HTML, PDF or XLSX, in the CLI's language
    (--lang), every number beside the same span before it.

    \b
    Example:
      otklik report campaign "Spring sale" --format pdf --out spring.pdf
      otklik report smm --from 2025-03-01 --to 2025-03-31 --format json
      otklik --lang kk report brand --format xlsx --out brand-march.xlsx
    """
    svc, ws = app.services(), app.workspace()
    data = reports.build(
        svc,
        ws,
        kind,
        _today(app),
        name=name,
        start=start.date() if start else None,
        end=end.date() if end else None,
        brand=brand,
    )
    if fmt == "json" and out is None:
        output.message(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    target = out or Path(f"report-{kind}.{fmt}")
    target.write_bytes(reports.render(data, fmt, app.settings.language or "en", ws.timezone))
    output.message(app.tr.gettext("wrote %(path)s", path=target))


class _AddByDefault(click.Group):
    """`report-schedule KIND …` keeps meaning `report-schedule add KIND …`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["add", *args]
        return super().parse_args(ctx, args)


@click.group("report-schedule", cls=_AddByDefault)
def report_schedule() -> None:
    """E-mail a report weekly or monthly through `otklik worker`; list, change, pause,
    resume and remove those schedules. `report-schedule KIND …` is `report-schedule add KIND …`.

    \b
    Example:
      otklik --lang ru report-schedule smm --every week --to smm@example.kz
      otklik report-schedule list
      otklik report-schedule pause 3
    """


@report_schedule.command("add")
@click.argument("kind", type=click.Choice(reports.KINDS))
@click.argument("name", required=False)
@click.option(
    "--every",
    type=click.Choice(report_mail.EVERY),
    required=True,
    help="week: Mondays, the 7 days before; month: the 1st, the month before.",
)
@click.option("--to", "to", multiple=True, required=True, help="Recipient e-mail (repeatable).")
@click.option(
    "--at",
    "at_time",
    default="09:00",
    show_default=True,
    help="Time of day (HH:MM, the workspace's time zone).",
)
@click.option("--brand", help="Brand report: which brand.")
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    help="The e-mail's language (default: the CLI's, --lang).",
)
@pass_app
def report_schedule_add(
    app: AppContext,
    kind: str,
    name: str | None,
    every: str,
    to: tuple[str, ...],
    at_time: str,
    brand: str | None,
    language: str | None,
) -> None:
    """E-mail a report weekly or monthly through `otklik worker`, in the CLI's language
    (--lang) unless --language says another, with the report's stable link
    (OTKLIK_PUBLIC_URL makes it absolute).

    \b
    Example:
      otklik --lang ru report-schedule smm --every week --to smm@example.kz
      otklik report-schedule brand --every month --to boss@example.kz --at 08:30
      otklik report-schedule add campaign "Spring sale" --every week --to cx@example.kz
    """
    schedule_id = report_mail.schedule(
        app.services(),
        app.workspace(),
        kind,
        every,
        list(to),
        name=name,
        brand=brand,
        language=language or app.settings.language or "en",
        at_time=at_time,
    )
    line = _SCHEDULED.get(every, _SCHEDULED["week"])
    output.message(app.tr.gettext(line, id=schedule_id, kind=kind, to=", ".join(to)))


_SCHEDULED = {
    "week": N_("schedule %(id)s: the %(kind)s report every week to %(to)s"),
    "month": N_("schedule %(id)s: the %(kind)s report every month to %(to)s"),
}


@report_schedule.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_app
def report_schedule_list(app: AppContext, fmt: str) -> None:
    """The workspace's report schedules: what, how often, to whom, when next (in the
    workspace's time zone), the last send and whether it is paused.

    \b
    Example:
      otklik report-schedule list
      otklik report-schedule list --format json
    """
    ws = app.workspace()
    rows = [s.to_dict() for s in report_schedules.schedules(app.services(), ws)]
    if fmt == "json":
        output.emit(rows, "json")
        return
    if not rows:
        output.message(app.tr.gettext("no report schedules yet"))
        return
    table = [
        {
            **r,
            "report": " ".join(str(p) for p in (r["kind"], r["campaign"], r["brand"]) if p),
            "to": ", ".join(r["to"]),
            "next_send": (r["next_send_local"] or "").replace("T", " "),
            "last_sent": _last_sent(r, ws),
        }
        for r in rows
    ]
    columns = ["id", "report", "every", "at", "to", "language", "next_send", "last_sent", "status"]
    output.emit(
        table, "table", columns, title=app.tr.gettext("times in %(zone)s", zone=ws.timezone)
    )


def _last_sent(row: dict[str, object], ws: Workspace) -> str:
    from otklik.services import zones

    if not row["last_sent_at"]:
        return ""
    moment = datetime.fromisoformat(str(row["last_sent_at"]).rstrip("Z"))
    return f"{zones.local_text(moment, ws)} {row['last_outcome']}"


@report_schedule.command("change")
@click.argument("schedule_id", metavar="ID", type=int)
@click.option("--to", "to", multiple=True, help="The new recipients (repeatable; all of them).")
@click.option("--at", "at_time", help="The new time of day (HH:MM).")
@click.option("--every", type=click.Choice(report_mail.EVERY), help="week or month.")
@click.option("--language", type=click.Choice(LANGUAGES))
@pass_app
def report_schedule_change(
    app: AppContext,
    schedule_id: int,
    to: tuple[str, ...],
    at_time: str | None,
    every: str | None,
    language: str | None,
) -> None:
    """Change a report schedule's recipients, time, week/month or language.

    \b
    Example:
      otklik report-schedule change 3 --to cx@example.kz --to lead@example.kz --at 08:00
    """
    svc, ws = app.services(), app.workspace()
    _known(app, schedule_id)
    report_schedules.change(
        svc, ws, schedule_id, to=list(to) or None, at_time=at_time, every=every, language=language
    )
    output.message(app.tr.gettext("report schedule %(id)s changed", id=schedule_id))


@report_schedule.command("pause")
@click.argument("schedule_id", metavar="ID", type=int)
@pass_app
def report_schedule_pause(app: AppContext, schedule_id: int) -> None:
    """Pause a report schedule: nothing is sent until it is resumed.

    \b
    Example:
      otklik report-schedule pause 3
    """
    _known(app, schedule_id)
    report_schedules.pause(app.services(), app.workspace(), schedule_id)
    output.message(app.tr.gettext("report schedule %(id)s paused", id=schedule_id))


@report_schedule.command("resume")
@click.argument("schedule_id", metavar="ID", type=int)
@pass_app
def report_schedule_resume(app: AppContext, schedule_id: int) -> None:
    """Resume a paused report schedule from its next send time (missed ones are not sent).

    \b
    Example:
      otklik report-schedule resume 3
    """
    _known(app, schedule_id)
    found = report_schedules.resume(app.services(), app.workspace(), schedule_id)
    when = (found.to_dict()["next_send_local"] or "").replace("T", " ")
    line = app.tr.gettext(
        "report schedule %(id)s resumed; next send %(when)s", id=schedule_id, when=when
    )
    output.message(line)


@report_schedule.command("remove")
@click.argument("schedule_id", metavar="ID", type=int)
@pass_app
def report_schedule_remove(app: AppContext, schedule_id: int) -> None:
    """Remove a report schedule for good.

    \b
    Example:
      otklik report-schedule remove 3
    """
    _known(app, schedule_id)
    report_schedules.remove(app.services(), app.workspace(), schedule_id)
    output.message(app.tr.gettext("report schedule %(id)s removed", id=schedule_id))


def _known(app: AppContext, schedule_id: int) -> None:
    """Refuse an id the workspace has no report schedule of, in the CLI's language."""
    try:
        report_schedules.get(app.services(), app.workspace(), schedule_id)
    except NotFoundError as exc:
        problem = app.tr.gettext(
            "no report schedule with id %(id)s; `otklik report-schedule list` shows them",
            id=schedule_id,
        )
        raise click.ClickException(problem) from exc
