"""The root `otklik` command and the foundation commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from otklik import output
from otklik.cli.context import AppContext, filter_options, filter_params, filters_from, pass_app
from otklik.errors import OtklikError
from otklik.i18n import DEFAULT_LANGUAGE, Translator, translator
from otklik.services import mentions as mentions_service
from otklik.services import zones
from otklik.settings import Settings


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--database-url",
    envvar="OTKLIK_DATABASE_URL",
    help="Database URL (default sqlite:///otklik.db).",
)
@click.option(
    "--workspace", envvar="OTKLIK_WORKSPACE", help="Workspace to work in (default: default)."
)
@click.option(
    "--lang",
    type=click.Choice(["kk", "ru", "en"]),
    help="Language of messages (default: OTKLIK_LANGUAGE, else en).",
)
@click.version_option(package_name="otklik")
@click.pass_context
def cli(
    ctx: click.Context, database_url: str | None, workspace: str | None, lang: str | None
) -> None:
    """Otklik: collect, analyse and report customer feedback in Russian, Kazakh and English.

    \b
    Start here:
      otklik init                      create the database (SQLite file otklik.db)
      otklik import reviews.csv        import an export (CSV, XLSX, JSON, JSONL)
      otklik mentions --language kk    list what is stored
      otklik stats --by day --by channel
      otklik serve --demo              open the dashboard with a demo workspace
    """
    overrides: dict[str, Any] = {}
    if database_url:
        overrides["database_url"] = database_url
    if workspace:
        overrides["workspace"] = workspace
    if lang:
        overrides["language"] = lang
    try:
        ctx.obj = AppContext(Settings(**overrides))
    except ValueError as exc:
        tr = translator(lang or DEFAULT_LANGUAGE)  # OTKLIK_LANGUAGE may be the bad one
        raise click.UsageError(tr.gettext("bad setting: %(problem)s", problem=exc)) from exc
    ctx.call_on_close(ctx.obj.close)


@cli.command()
@pass_app
def init(app: AppContext) -> None:
    """Create the database, or upgrade it to this version's schema.

    \b
    Example:
      otklik init
      OTKLIK_DATABASE_URL=postgresql+psycopg://otklik@localhost/otklik otklik init
    """
    svc = app.services(check=False)
    revision = svc.init()
    ws = app.workspace()
    url = svc.database_label()
    output.message(
        app.tr.gettext(
            "database %(url)s is at schema revision %(revision)s; workspace %(name)r ready "
            "(time zone %(zone)s; change it with `otklik workspace set-timezone ZONE`)",
            url=url,
            revision=revision,
            name=ws.name,
            zone=ws.timezone,
        )
    )


@cli.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--source", help="Source name the items are filed under (default: the file name).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "json", "jsonl"]),
    help="File format (default: detected from the name and content).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map a column to a field, e.g. --map 'Текст отзыва=text' (repeatable).",
)
@click.option(
    "--rating-scale",
    default="1-5",
    show_default=True,
    metavar="MIN-MAX",
    help="Scale of the rating column, e.g. 1-10; stored on 1–5.",
)
@click.option(
    "--channel",
    default="other",
    show_default=True,
    help="Channel for rows that name none (vk, review, marketplace, survey…).",
)
@click.option(
    "--sheet",
    "sheets",
    multiple=True,
    metavar="NAME",
    help="XLSX: read this sheet (repeatable); default: every sheet with the first one's columns.",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write rejected rows (default: PATH.rejected.csv beside the file).",
)
@click.option(
    "--background",
    is_flag=True,
    help="Queue the import as a job for `otklik worker` instead; prints the job id last.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Finish the interrupted import of this file: skip the rows it stored, keep its run.",
)
@pass_app
def import_(
    app: AppContext,
    path: Path,
    source: str | None,
    fmt: str | None,
    maps: tuple[str, ...],
    rating_scale: str,
    channel: str,
    sheets: tuple[str, ...],
    report: Path | None,
    background: bool,
    resume: bool,
) -> None:
    """Import a file of feedback: every good row is stored, every bad row reported.

    Columns are recognised from common Russian, Kazakh and English headers (текст, отзыв,
    мәтін, text, дата, күні, date, автор, оценка, баға, rating, площадка, source, лайки…).
    Encoding (UTF-8, UTF-16, Windows-1251) and delimiter (, ; tab) are detected. Importing
    the same file again adds nothing. Of a workbook, every sheet whose columns are the first
    sheet's is read (--sheet chooses), and the output names the sheets read and skipped.
    Exit code 0 when the file was read, 1 when it could not be.

    \b
    Example:
      otklik import reviews.csv
      otklik import export.xlsx --map "Текст отзыва=text" --rating-scale 1-10
      otklik import export.xlsx --sheet March --sheet April
      otklik import big.csv --background    # a worker imports it; see `otklik jobs`
      otklik import big.csv --resume        # finish an import that was stopped
    """
    from otklik.cli.importing import run_import

    if background:
        from otklik.cli.importing import background_arguments
        from otklik.cli.jobs import enqueue_import

        enqueue_import(
            app,
            path,
            background_arguments(app.tr, path, source, fmt, maps, rating_scale, channel, sheets),
        )
        return

    run_import(app, path, source, fmt, maps, rating_scale, channel, sheets, report, resume=resume)


@cli.command()
@filter_options
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="How many mentions to show.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "csv"]),
    default="table",
    show_default=True,
)
@pass_app
def mentions(app: AppContext, /, limit: int, fmt: str, **kwargs: Any) -> None:
    """List stored mentions, newest first.

    The table shows times in the workspace's time zone with their offset
    (2025-03-02 01:30+05:00); JSON, JSON Lines and CSV keep them in UTC (2025-03-01T20:30:00Z).

    \b
    Example:
      otklik mentions --language kk --since 2025-01-01 --format json
      otklik mentions --brand Ozon --sentiment negative -q "доставка OR курьер"
    """
    ws = app.workspace()
    filters = filters_from(kwargs, ws)
    records = mentions_service.newest(app.services(), ws, filters, limit)
    rows = [r.to_dict() for r in records]
    columns = [
        "id",
        "published_at",
        "channel",
        "language",
        "sentiment",
        "rating",
        "brands",
        "tags",
        "author",
        "text",
    ]
    if fmt in ("json", "jsonl"):
        output.emit(rows, fmt)
    elif fmt == "csv":
        output.emit(rows, fmt, list(rows[0]) if rows else columns)
    else:  # people read the workspace's local time; JSON and CSV keep UTC (…Z)
        for row, record in zip(rows, records, strict=True):
            row["published_at"] = zones.local_text(record.mention.published_at, ws)
        title = app.tr.gettext("times in %(zone)s", zone=ws.timezone)
        output.emit(rows, fmt, columns, title=title, widths={"text": 60, "author": 16})


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@filter_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    help="File format (default: from the file name's suffix).",
)
@click.option(
    "--background",
    is_flag=True,
    help="Queue the export as a job for `otklik worker` instead; prints the job id last.",
)
@pass_app
def export(
    app: AppContext, /, path: Path, fmt: str | None, background: bool, **kwargs: Any
) -> None:
    """Export every mention a filter selects to a CSV or XLSX file, newest first (no row cap;
    an XLSX starts a new sheet every million rows). The file appears whole or not at all.

    \b
    Example:
      otklik export complaints.xlsx --sentiment negative --since 2025-01-01
      otklik export all.csv --background     # a worker writes it; see `otklik jobs`
    """
    from otklik.services import jobs

    ws, tr = app.workspace(), app.tr
    params = filter_params(kwargs)
    filters = filters_from(kwargs, ws)
    if background:
        arguments = {"filters": params, "path": str(path.resolve()), "format": fmt}
        job = jobs.enqueue(app.services(), ws, "export", arguments)
        queued = tr.gettext("queued the export as job %(job)s; `otklik worker` runs it", job=job.id)
        output.message(queued, err=True)
        output.message(str(job.id))
        return

    def progress(done: int, total: int) -> None:
        line = tr.ngettext(
            "  exported %(done)d of %(num)d mention",
            "  exported %(done)d of %(num)d mentions",
            total,
            done=done,
        )
        output.message(line, err=True)

    written = mentions_service.export_file(app.services(), ws, filters, path, fmt, progress)
    output.message(
        tr.ngettext(
            "exported %(num)d mention to %(path)s",
            "exported %(num)d mentions to %(path)s",
            written,
            path=path,
        )
    )


@cli.command()
@filter_options
@click.option(
    "--by",
    "by",
    multiple=True,
    required=True,
    help="Dimension: day, week, month, channel, sentiment, language, brand, tag, "
    "source, status, rating (repeat to cross them).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl", "csv"]),
    default="table",
    show_default=True,
)
@pass_app
def stats(app: AppContext, /, by: tuple[str, ...], fmt: str, **kwargs: Any) -> None:
    """Count stored mentions by one or more dimensions.

    Days, weeks and months are the workspace's time zone's (see `otklik workspace show`).

    \b
    Example:
      otklik stats --by day --by channel
      otklik stats --by brand --by sentiment --since 2025-01-01
    """
    ws = app.workspace()
    filters = filters_from(kwargs, ws)
    rows = mentions_service.count_by(app.services(), ws, filters, list(by))
    output.emit(rows, fmt, [*by, "count"])


@cli.command()
@click.argument("texts", nargs=-1)
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="CSV file with texts to classify.",
)
@click.option(
    "--text-column", default="text", show_default=True, help="Column of --file with the text."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl"]),
    default="table",
    show_default=True,
)
@click.option(
    "--fast",
    is_flag=True,
    help="Use the compact sentiment model only (thousands of texts/s) instead of the encoder "
    "tier (tens of texts/s per core, better on customer-service text).",
)
@pass_app
def classify(
    app: AppContext,
    texts: tuple[str, ...],
    file: Path | None,
    text_column: str,
    fmt: str,
    fast: bool,
) -> None:
    """Analyse texts without storing them: language, sentiment, score and the tier that
    labelled each text (encoder by default, compact with --fast or without the encoder extra).

    \b
    Example:
      otklik classify "Доставка опять опоздала" "Great service, thank you"
      otklik classify --file reviews.csv --text-column text --format jsonl
      otklik classify --fast --file reviews.csv --format jsonl
    """
    from otklik.cli.classifying import run_classify

    run_classify(app, texts, file, text_column, fmt, fast=fast)


@cli.command()
@filter_options
@click.option(
    "--background",
    is_flag=True,
    help="Queue the re-analysis as a job for `otklik worker` instead; prints the job id last.",
)
@pass_app
def reanalyse(app: AppContext, /, background: bool, **kwargs: Any) -> None:
    """Detect language and sentiment again for stored mentions (after a model change).

    People's sentiment corrections are kept. Brands and tags are re-matched by
    `otklik brands edit` and `otklik tags edit` when their queries change. Sentiment comes
    from the model OTKLIK_SENTIMENT_MODEL names when set, else the workspace's own model
    (`otklik sentiment-model`), else the shipped one.

    \b
    Example:
      otklik reanalyse --since 2025-01-01
      OTKLIK_SENTIMENT_MODEL=/models/rubert-sentiment otklik reanalyse --language ru
      otklik --workspace shop reanalyse
      otklik reanalyse --language kk --background   # a worker does it; see `otklik jobs`
    """
    from otklik.services import jobs
    from otklik.services.reanalyse import reanalyse as run

    ws, tr = app.workspace(), app.tr
    params = filter_params(kwargs)
    filters = filters_from(kwargs, ws)  # checked here, so a bad filter never reaches a job
    if background:
        job = jobs.enqueue(app.services(), ws, "reanalyse", {"filters": params})
        queued = tr.gettext(
            "queued re-analysis as job %(job)s; `otklik worker` runs it", job=job.id
        )
        output.message(queued, err=True)
        output.message(str(job.id))
        return

    def progress(done: int, total: int) -> None:
        line = tr.ngettext(
            "  re-analysed %(done)d of %(num)d mention",
            "  re-analysed %(done)d of %(num)d mentions",
            total,
            done=done,
        )
        output.message(line, err=True)

    done = run(app.services(), ws, filters, progress)
    output.message(tr.ngettext("re-analysed %(num)d mention", "re-analysed %(num)d mentions", done))


@cli.command("upgrade-sentiment")
@click.option(
    "--background",
    is_flag=True,
    help="Queue it as a job for `otklik worker` instead; prints the job id last.",
)
@click.option("--limit", type=click.IntRange(min=1), help="Relabel at most this many now.")
@pass_app
def upgrade_sentiment(app: AppContext, /, background: bool, limit: int | None) -> None:
    """Relabel compact-labelled mentions with the encoder tier, newest first.

    A file import or a re-analysis stores compact labels at once and queues this as a
    background job (kind upgrade_sentiment) by itself; run it here to do it now with
    progress, or to see why it cannot run. People's corrections stay; a stopped run goes on
    from where it was.

    \b
    Example:
      otklik upgrade-sentiment              # with progress; Ctrl-C and run again to go on
      otklik upgrade-sentiment --background # a worker does it; see `otklik jobs`
    """
    from otklik.services import jobs, upgrade

    svc, ws, tr = app.services(), app.workspace(), app.tr
    reason = upgrade.why_not(svc, ws)
    if reason is not None:
        raise click.ClickException(tr.gettext("nothing to upgrade: %(reason)s", reason=reason))
    if background:
        job = jobs.enqueue(svc, ws, upgrade.KIND, {}, dedupe_key=upgrade.DEDUPE_KEY)
        queued = tr.gettext("queued the sentiment upgrade as job %(job)s", job=job.id)
        output.message(queued, err=True)
        output.message(str(job.id))
        return

    def progress(done: int, total: int) -> None:
        line = tr.ngettext(
            "  relabelled %(done)d of %(num)d mention",
            "  relabelled %(done)d of %(num)d mentions",
            total,
            done=done,
        )
        output.message(line, err=True)

    done = upgrade.upgrade(svc, ws, progress, limit=limit)
    left = upgrade.remaining(svc, ws)
    output.message(
        tr.ngettext(
            "relabelled %(num)d mention with the encoder tier; %(left)d left",
            "relabelled %(num)d mentions with the encoder tier; %(left)d left",
            done,
            left=left,
        )
    )


def _register_extensions() -> None:
    import importlib

    for module in (
        "otklik.cli.sentiment",
        "otklik.cli.match",
        "otklik.cli.brands",
        "otklik.cli.web",
        "otklik.cli.jobs",
        "otklik.cli.workspaces",
        "otklik.cli.sources",
        "otklik.cli.surveys",
        "otklik.cli.campaigns",
        "otklik.cli.alerts",
    ):
        try:
            loaded = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        loaded.register(cli)


_register_extensions()


def main() -> None:
    """Entry point: run the CLI, turning our errors into a message and exit code 1."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        output.message(_translator().gettext("aborted"), err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        tr = _translator()
        output.message(tr.gettext("interrupted; run the same command again to finish"), err=True)
        sys.exit(130)
    except OtklikError as exc:
        output.message(_translator().gettext("error: %(problem)s", problem=exc), err=True)
        sys.exit(1)


def _translator() -> Translator:
    """The CLI's language once the command has ended and taken its context with it: --lang
    read again from the command line, else OTKLIK_LANGUAGE, else English."""
    try:
        parsed = cli.make_context("otklik", sys.argv[1:], resilient_parsing=True)
        language = parsed.params.get("lang") or Settings.model_validate({}).language
    except (click.ClickException, ValueError):
        language = DEFAULT_LANGUAGE
    return translator(language)
