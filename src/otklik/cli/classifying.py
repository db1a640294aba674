"""`otklik classify`: the pipeline's verdict on texts, nothing stored."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import click

from otklik import output
from otklik.analysis import build_pipeline
from otklik.cli.context import AppContext
from otklik.domain.mention import Analysis
from otklik.ingest.files import detect_encoding
from otklik.pipeline.stage import Item

_STAGES_WANTED = ("normalise", "language", "sentiment")


def run_classify(
    app: AppContext, texts: tuple[str, ...], file: Path | None, text_column: str, fmt: str
) -> None:
    """Classify texts from arguments, a CSV file or standard input, a batch at a time."""
    if not texts and file is None:
        if sys.stdin.isatty():
            raise click.UsageError(
                "give texts as arguments, --file CSV, or lines on standard input"
            )
        source: Iterator[str] = (line.rstrip("\n") for line in sys.stdin if line.strip())
    elif file is not None:
        source = _csv_texts(file, text_column)
    else:
        source = iter(texts)
    from otklik.pipeline import registry

    names = [n for n in _STAGES_WANTED if n in registry.registered()]
    pipeline = build_pipeline(app.settings, stages=names)
    has_sentiment = "sentiment" in names
    if not has_sentiment:
        output.message(
            "note: no sentiment model is installed yet; reporting language only", err=True
        )
    rows: list[dict[str, Any]] = []
    while batch := list(islice(source, app.settings.batch_size)):
        analyses = pipeline.analyse([Item.of(t) for t in batch])
        out = [_row(text, found) for text, found in zip(batch, analyses, strict=True)]
        if fmt == "jsonl":
            output.emit(out, "jsonl")
        else:
            rows.extend(out)
    if fmt != "jsonl":
        output.emit(rows, fmt, ["language", "sentiment", "score", "text"], widths={"text": 80})


def _row(text: str, found: Analysis) -> dict[str, Any]:
    score = found.sentiment_score
    return {
        "text": text,
        "language": found.language,
        "sentiment": found.sentiment,
        "score": round(score, 4) if isinstance(score, float) else score,
    }


def _csv_texts(path: Path, column: str) -> Iterator[str]:
    with path.open("rb") as handle:
        encoding = detect_encoding(handle.read(256 * 1024))
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.readline()
        delimiter = max(",;\t", key=sample.count)
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=delimiter)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise click.BadParameter(
                f"{path} has no column {column!r}; its columns: {reader.fieldnames}",
                param_hint="--text-column",
            )
        for row in reader:
            yield row.get(column) or ""
