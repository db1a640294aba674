"""`otklik match`: try a query on texts before saving it as a brand query or tag rule."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import click

from otklik import output
from otklik.errors import QueryError
from otklik.i18n import DEFAULT_LANGUAGE, Translator, translator
from otklik.services import queries
from otklik.services.queries import TextMatch

_BATCH = 1000


class BadQuery(click.ClickException):
    """A query that cannot be parsed: exit code 2 with the message pointing at the position."""

    exit_code = 2


def _row(found: TextMatch) -> dict[str, Any]:
    row: dict[str, Any] = {"text": found.text, "match": found.is_match, "spans": found.spans}
    if found.mention_id is not None:
        row = {"id": found.mention_id, **row}
    return row


def _texts(texts: tuple[str, ...], file: Path | None, text_column: str) -> Iterator[str]:
    if file is not None:
        from otklik.cli.classifying import csv_texts

        return csv_texts(file, text_column)
    if texts:
        return iter(texts)
    if sys.stdin.isatty():
        raise click.UsageError(
            _tr().gettext("give texts as arguments, --file CSV, or lines on standard input")
        )
    return (line.rstrip("\n") for line in sys.stdin if line.strip())


def _show(rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "jsonl":
        output.emit([{**r, "spans": [list(s) for s in r["spans"]]} for r in rows], "jsonl")
        return
    shown = [
        {
            "id": r.get("id"),
            "match": "yes" if r["match"] else "no",
            "found": ", ".join(r["text"][s.start : s.end] for s in r["spans"]),
            "text": r["text"],
        }
        for r in rows
    ]
    columns = ["match", "found", "text"]
    if rows and "id" in rows[0]:
        columns.insert(0, "id")
    output.emit(shown, "table", columns, widths={"text": 80})


def _tr() -> Translator:
    """The CLI's language; English when `match` runs on its own, outside `otklik`."""
    from otklik.cli.context import AppContext

    app = click.get_current_context().find_object(AppContext)
    return app.tr if app is not None else translator(DEFAULT_LANGUAGE)


def _match_stored(query: str, sample: int, fmt: str) -> None:
    from otklik.cli.context import AppContext

    app = click.get_current_context().find_object(AppContext)
    if app is None:
        # Only when `match` runs outside `otklik`, where no language was chosen.
        raise click.UsageError("--stored needs the otklik command's database settings")
    found = queries.match_stored(app.services(), app.workspace(), _compiled(query), sample)
    line = app.tr.ngettext(
        "%(matched)d of %(num)d stored mention match",
        "%(matched)d of %(num)d stored mentions match",
        found.total,
        matched=found.matched,
    )
    output.message(line, err=fmt == "jsonl")
    _show([_row(m) for m in found.sample], fmt)


def _compiled(query: str) -> queries.Matcher:
    try:
        return queries.check(query)
    except QueryError as exc:
        raise BadQuery(_tr().gettext("bad query: %(problem)s", problem=exc)) from exc


def register(cli: click.Group) -> None:
    """Add `otklik match` to the root command."""

    @cli.command("match")
    @click.option("--query", "-q", "query", required=True, help="The query to try.")
    @click.argument("texts", nargs=-1)
    @click.option(
        "--file",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="CSV file with texts to try the query on.",
    )
    @click.option("--text-column", default="text", show_default=True, help="Column of --file.")
    @click.option("--stored", is_flag=True, help="Count matches among stored mentions instead.")
    @click.option("--sample", default=10, show_default=True, help="Matches shown with --stored.")
    @click.option(
        "--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True
    )
    def match(
        query: str,
        texts: tuple[str, ...],
        file: Path | None,
        text_column: str,
        stored: bool,
        sample: int,
        fmt: str,
    ) -> None:
        """Show which texts a query matches and where (the words it found).

        \b
        Example:
          otklik match --query 'Boxberry OR СДЭК' "Заказ в Боксберри" "Доставил CDEK"
          otklik match -q '"курьерская доставка" NOT Ozon' --file reviews.csv --format jsonl
          otklik match -q 'Kaspi OR Каспи' --stored
        """
        matcher = _compiled(query)
        if stored:
            _match_stored(query, sample, fmt)
            return
        source = _texts(texts, file, text_column)
        rows: list[dict[str, Any]] = []
        while batch := list(islice(source, _BATCH)):
            found = [_row(m) for m in queries.match_texts(matcher, batch)]
            if fmt == "jsonl":
                _show(found, fmt)
            else:
                rows.extend(found)
        if fmt != "jsonl":
            _show(rows, fmt)
