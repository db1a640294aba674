"""Analysing texts without storing them: language, sentiment and score per text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from otklik.domain.mention import Analysis
from otklik.errors import InputError, OtklikError
from otklik.ingest.files import detect_encoding
from otklik.pipeline.sentiment_backends import load_tier
from otklik.pipeline.sentiment_backends.base import SentimentBackend
from otklik.pipeline.sentiment_backends.flags import with_service_evidence
from otklik.pipeline.stage import Item
from otklik.services.pipelines import classify_stages, for_classify
from otklik.settings import Settings


class MissingColumn(InputError):
    """A CSV of texts without the column named for the text."""


def has_sentiment() -> bool:
    """True when a sentiment stage is installed (else only the language is reported)."""
    return "sentiment" in classify_stages()


_ENCODER_LANGUAGES = frozenset({"ru", "kk", "en"})


def classify(
    settings: Settings, texts: Iterable[str], *, fast: bool = False, notes: list[str] | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The verdicts on `texts`, a batch (of the settings' batch size) at a time: each a dict
    with text, language, sentiment, score and the tier that labelled it. The encoder tier
    relabels ru/kk/en texts unless `fast` (or its extra is missing: a line goes to `notes`).
    Needs no database."""
    pipeline = for_classify(settings)
    encoder = None if fast or not has_sentiment() else _encoder_or_none(settings, notes)
    source = iter(texts)
    while batch := list(islice(source, settings.batch_size)):
        items = [Item.of(t) for t in batch]
        analyses = pipeline.analyse(items)
        rows = [_row(text, found) for text, found in zip(batch, analyses, strict=True)]
        if encoder is not None:
            _relabel(encoder, items, rows)
        yield rows


def _row(text: str, found: Analysis) -> dict[str, Any]:
    score = found.sentiment_score
    return {
        "text": text,
        "language": found.language,
        "sentiment": found.sentiment,
        "score": round(score, 4) if isinstance(score, float) else score,
        "tier": "compact" if found.sentiment is not None else None,
    }


def _encoder_or_none(settings: Settings, notes: list[str] | None) -> SentimentBackend | None:
    # A model the user configured (OTKLIK_SENTIMENT_MODEL) is theirs to keep; otherwise the
    # encoder tier, or the compact one with a note when the encoder extra is not installed.
    if settings.sentiment_model is not None:
        return None
    try:
        backend = load_tier("encoder")
        backend.load()
    except OtklikError as exc:
        if notes is not None:
            notes.append(f"{exc}; using the compact tier")
        return None
    return backend


def _relabel(encoder: SentimentBackend, items: Sequence[Item], rows: list[dict[str, Any]]) -> None:
    # Texts in ru, kk or en with some text get the encoder's label; the rest keep the
    # compact tier's (with its rule for other languages).
    chosen = [
        k
        for k, item in enumerate(items)
        if item.get("language") in _ENCODER_LANGUAGES and str(item.get("clean_text") or "").strip()
    ]
    predictions = encoder.predict(
        [str(items[k].get("clean_text")) for k in chosen],
        [items[k].get("language") for k in chosen],
    )
    for k, found in zip(chosen, predictions, strict=True):
        prediction = with_service_evidence(found, str(items[k].get("clean_text")))
        rows[k].update(
            sentiment=prediction.label, score=round(prediction.score, 4), tier=encoder.name
        )


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
