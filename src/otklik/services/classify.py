"""Analysing texts without storing them: language, sentiment and score per text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from otklik.domain.mention import Analysis
from otklik.errors import InputError
from otklik.ingest.files import detect_encoding
from otklik.pipeline.stage import Item
from otklik.services.pipelines import classify_stages, for_classify
from otklik.settings import Settings


class MissingColumn(InputError):
    """A CSV of texts without the column named for the text."""


def has_sentiment() -> bool:
    """True when a sentiment stage is installed (else only the language is reported)."""
    return "sentiment" in classify_stages()


def classify(settings: Settings, texts: Iterable[str]) -> Iterator[list[dict[str, Any]]]:
    """The verdicts on `texts`, a batch (of the settings' batch size) at a time: each a dict
    with text, language, sentiment and score. Needs no database."""
    pipeline = for_classify(settings)
    source = iter(texts)
    while batch := list(islice(source, settings.batch_size)):
        analyses = pipeline.analyse([Item.of(t) for t in batch])
        yield [_row(text, found) for text, found in zip(batch, analyses, strict=True)]


def _row(text: str, found: Analysis) -> dict[str, Any]:
    score = found.sentiment_score
    return {
        "text": text,
        "language": found.language,
        "sentiment": found.sentiment,
        "score": round(score, 4) if isinstance(score, float) else score,
    }


def csv_texts(path: Path, column: str) -> Iterator[str]:
    """The texts in `column` of a CSV file (encoding and delimiter detected); MissingColumn
    when the file has no such column."""
    with path.open("rb") as handle:
        encoding = detect_encoding(handle.read(256 * 1024))
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.readline()
        delimiter = max(",;\t", key=sample.count)
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=delimiter)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise MissingColumn(
                f"{path} has no column {column!r}; its columns: {reader.fieldnames}"
            )
        for row in reader:
            yield row.get(column) or ""
