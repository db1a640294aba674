"""`otklik classify`: the pipeline's verdict on texts, nothing stored."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from otklik import output
from otklik.cli.context import AppContext
from otklik.services import classify


def run_classify(
    app: AppContext,
    texts: tuple[str, ...],
    file: Path | None,
    text_column: str,
    fmt: str,
    fast: bool = False,
) -> None:
    """Classify texts from arguments, a CSV file or standard input, a batch at a time; the
    encoder tier relabels ru/kk/en texts unless `fast` (or the encoder extra is missing)."""
    if not texts and file is None:
        if sys.stdin.isatty():
            raise click.UsageError(
                app.tr.gettext("give texts as arguments, --file CSV, or lines on standard input")
            )
        source: Iterator[str] = (line.rstrip("\n") for line in sys.stdin if line.strip())
    elif file is not None:
        source = csv_texts(file, text_column)
    else:
        source = iter(texts)
    if not classify.has_sentiment():
        output.message(
            app.tr.gettext("note: no sentiment model is installed yet; reporting language only"),
            err=True,
        )
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    for out in classify.classify(app.settings, source, fast=fast, notes=notes):
        for note in notes:
            output.message(app.tr.gettext("note: %(note)s", note=note), err=True)
        notes.clear()
        if fmt == "jsonl":
            output.emit(out, "jsonl")
        else:
            rows.extend(out)
    if fmt != "jsonl":
        output.emit(
            rows, fmt, ["language", "sentiment", "score", "tier", "text"], widths={"text": 80}
        )


def csv_texts(path: Path, column: str) -> Iterator[str]:
    """The texts of a CSV file's column; a bad --text-column is a usage error."""
    try:
        yield from classify.csv_texts(path, column)
    except classify.MissingColumn as exc:
        raise click.BadParameter(str(exc), param_hint="--text-column") from exc
