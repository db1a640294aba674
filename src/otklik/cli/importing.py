"""`otklik import`: progress on a terminal, counts and the rejected-rows report."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

from otklik import output
from otklik.cli.context import AppContext
from otklik.errors import InputError
from otklik.i18n import N_, Translator
from otklik.services import imports, jobs
from otklik.services.imports import ImportResult, parse_map_options


def run_import(
    app: AppContext,
    path: Path,
    source: str | None,
    fmt: str | None,
    maps: tuple[str, ...],
    rating_scale: str,
    channel: str,
    sheets: tuple[str, ...],
    report: Path | None,
    *,
    resume: bool = False,
) -> None:
    """Import one file and print its counts; exit 1 when the file cannot be read."""
    svc, ws, tr = app.services(), app.workspace(), app.tr
    try:
        options = imports.options(
            svc,
            source=source,
            format=fmt,
            maps=maps,
            rating_scale=_scale(rating_scale, tr),
            channel=channel,
            sheets=sheets,
        )
        run_id = _run_to_finish(app, path, source, resume)
        with _sigterm_as_interrupt():
            result = _with_progress(
                lambda progress: imports.import_file(
                    svc, ws, path, options, progress, resume_run_id=run_id
                ),
                path,
                tr,
            )
    except InputError as exc:
        problem = tr.gettext("error: cannot import %(path)s: %(problem)s", path=path, problem=exc)
        output.message(problem, err=True)
        sys.exit(1)
    _summary(app, result, path, report)


def background_arguments(
    tr: Translator,
    path: Path,
    source: str | None,
    fmt: str | None,
    maps: tuple[str, ...],
    rating_scale: str,
    channel: str,
    sheets: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The arguments of an import job for the same choices as a foreground import."""
    return jobs.import_arguments(
        path,
        source=source,
        fmt=fmt,
        mapping=parse_map_options(maps),
        rating_scale=_scale(rating_scale, tr),
        channel=channel,
        sheets=sheets,
    )


def _run_to_finish(app: AppContext, path: Path, source: str | None, resume: bool) -> int | None:
    """The interrupted run to finish with --resume; without it, say that one could."""
    if not path.is_file():
        return None
    run = imports.interrupted_import(app.services(), app.workspace(), path, source)
    if run is None:
        if resume:
            output.message(
                app.tr.gettext(
                    "no interrupted import of %(path)s to resume; importing it whole", path=path
                )
            )
        return None
    if resume:
        output.message(
            app.tr.ngettext(
                "resuming import run %(run)d after its %(num)d settled row",
                "resuming import run %(run)d after its %(num)d settled rows",
                run.rows_read,
                run=run.id,
            )
        )
        return run.id
    output.message(
        app.tr.ngettext(
            "note: import run %(run)d of this file stopped after %(num)d row; "
            "`otklik import %(path)s --resume` finishes it instead of starting over",
            "note: import run %(run)d of this file stopped after %(num)d rows; "
            "`otklik import %(path)s --resume` finishes it instead of starting over",
            run.rows_read,
            run=run.id,
            path=path,
        )
    )
    return None


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the import like Ctrl-C: the run is marked interrupted, its batches kept."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _scale(text: str, tr: Translator) -> tuple[float, float]:
    low, sep, high = text.partition("-")
    try:
        scale = (float(low), float(high))
    except ValueError:
        scale = (0.0, 0.0)
    if not sep or scale[0] >= scale[1]:
        raise click.BadParameter(
            tr.gettext("%(scale)r: write the scale as MIN-MAX, e.g. 1-10", scale=text),
            param_hint="--rating-scale",
        )
    return scale


def _with_progress(job, path: Path, tr: Translator) -> ImportResult:  # type: ignore[no-untyped-def]
    if not sys.stderr.isatty():
        return job(None)  # type: ignore[no-any-return]
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    size = path.stat().st_size
    columns = (
        TextColumn(tr.gettext("importing")),
        BarColumn(),
        DownloadColumn(),
        TextColumn(tr.gettext("%(rows)s rows", rows="{task.fields[rows]}")),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("import", total=size, rows=0)
        return job(lambda done, rows: bar.update(task, completed=done, rows=rows))  # type: ignore[no-any-return]


def _summary(app: AppContext, result: ImportResult, path: Path, report: Path | None) -> None:
    info, tr = result.info, app.tr
    delimiter = _DELIMITERS.get(info.delimiter or "")
    detected = ", ".join(
        p for p in (info.format, info.encoding, delimiter and tr.gettext(delimiter)) if p
    )
    output.message(f"{path}: {detected}")
    if info.sheets:
        output.message(tr.gettext("sheets read: %(sheets)s", sheets=", ".join(info.sheets)))
    for skipped in info.skipped_sheets:
        why = tr.gettext(_SKIPPED.get(skipped.reason, skipped.reason))
        why += f": {', '.join(skipped.columns)}" if skipped.columns else ""
        output.message(tr.gettext("sheet skipped: %(name)s (%(why)s)", name=skipped.name, why=why))
    mapped = ", ".join(f"{c} → {f}" for c, f in result.mapping.items())
    if mapped:
        output.message(tr.gettext("columns: %(mapping)s", mapping=mapped))
    output.message(
        tr.gettext(
            "rows read: %(read)d  imported: %(imported)d  duplicates: %(duplicates)d  "
            "rejected: %(rejected)d",
            read=result.rows_read,
            imported=result.imported,
            duplicates=result.duplicates,
            rejected=result.rejected,
        )
        + (tr.gettext("  updated: %(updated)d", updated=result.updated) if result.updated else "")
    )
    if result.near_duplicates:
        output.message(
            tr.ngettext(
                "of the imported, %(num)d is a copy of an earlier mention (marked duplicate_of)",
                "of the imported, %(num)d are copies of earlier mentions (marked duplicate_of)",
                result.near_duplicates,
            )
        )
    if result.rejected:
        target = report or _default_report(path)
        text = imports.rejections_csv(app.services(), app.workspace(), result.run_id)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError:
            target = Path.cwd() / target.name
            target.write_text(text, encoding="utf-8")
        output.message(tr.gettext("rejected rows and reasons: %(path)s", path=target))


def _default_report(path: Path) -> Path:
    return path.with_name(path.name + ".rejected.csv")


_DELIMITERS = {
    ",": N_("comma-separated"),
    ";": N_("semicolon-separated"),
    "\t": N_("tab-separated"),
    "|": N_("pipe-separated"),
}
# Why the file reader skips a sheet, in the words the import page uses too.
_SKIPPED = {"empty": N_("empty"), "different columns": N_("different columns")}
