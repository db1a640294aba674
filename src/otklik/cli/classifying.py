"""`otklik classify`: the pipeline's verdict on texts, nothing stored."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import click

from otklik import output
from otklik.analysis import build_pipeline
from otklik.cli.context import AppContext
from otklik.errors import OtklikError
from otklik.ingest.files import detect_encoding
from otklik.pipeline.sentiment_backends.base import SentimentBackend
from otklik.pipeline.stage import Item

_STAGES_WANTED = ("normalise", "language", "sentiment")
_ENCODER_LANGUAGES = frozenset({"ru", "kk", "en"})


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
    encoder = None if fast or not has_sentiment else _encoder_or_none(app)
    rows: list[dict[str, Any]] = []
    while batch := list(islice(source, app.settings.batch_size)):
        items = pipeline.run([Item.of(t) for t in batch])
        out = [_row(text, item) for text, item in zip(batch, items, strict=True)]
        if encoder is not None:
            _relabel(encoder, items, out)
        if fmt == "jsonl":
            output.emit(out, "jsonl")
        else:
            rows.extend(out)
    if fmt != "jsonl":
        output.emit(
            rows, fmt, ["language", "sentiment", "score", "tier", "text"], widths={"text": 80}
        )


def _row(text: str, item: Item) -> dict[str, Any]:
    score = item.get("sentiment_score")
    return {
        "text": text,
        "language": item.get("language"),
        "sentiment": item.get("sentiment"),
        "score": round(score, 4) if isinstance(score, float) else score,
        "tier": "compact" if item.get("sentiment") is not None else None,
    }


def _encoder_or_none(app: AppContext) -> SentimentBackend | None:
    # A model the user configured (OTKLIK_SENTIMENT_MODEL) is theirs to keep; otherwise the
    # encoder tier, or the compact one with a note when the encoder extra is not installed.
    if app.settings.sentiment_model is not None:
        return None
    from otklik.pipeline.sentiment_backends import load_tier

    try:
        backend = load_tier("encoder")
        backend.load()
    except OtklikError as exc:
        output.message(f"note: {exc}; using the compact tier", err=True)
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
    for k, prediction in zip(chosen, predictions, strict=True):
        rows[k].update(
            sentiment=prediction.label, score=round(prediction.score, 4), tier=encoder.name
        )


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
