"""The CLI's output layer: tables, JSON, JSON Lines and CSV on standard output."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

OUTPUT_FORMATS = ("table", "json", "jsonl", "csv")


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    *,
    title: str | None = None,
    widths: Mapping[str, int] | None = None,
) -> None:
    """Write rows to standard output in the chosen format."""
    if fmt == "json":
        print(json.dumps(list(rows), ensure_ascii=False, indent=2, default=_default))
    elif fmt == "jsonl":
        for row in rows:
            print(json.dumps(row, ensure_ascii=False, default=_default))
    elif fmt == "csv":
        write_csv(rows, columns or _columns(rows), sys.stdout)
    else:
        table(rows, columns or _columns(rows), title=title, widths=widths)


def write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str], stream: Any) -> None:
    """CSV with a header; lists are joined with '; '."""
    writer = csv.writer(stream)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    widths: Mapping[str, int] | None = None,
) -> None:
    """A rich table; user text is printed as text, never as markup."""
    console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)
    grid = Table(title=title, show_lines=False)
    for column in columns:
        width = (widths or {}).get(column)
        grid.add_column(column, max_width=width, overflow="ellipsis", no_wrap=column != "text")
    for row in rows:
        grid.add_row(*[_escape(_cell(row.get(c))) for c in columns])
    console.print(grid)


def message(text: str, *, err: bool = False) -> None:
    """A line for the user (errors and summaries go to standard error)."""
    print(text, file=sys.stderr if err else sys.stdout)


def _escape(text: str) -> Any:
    from rich.text import Text

    return Text(text)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(
            _cell(v) if not isinstance(v, dict) else v.get("name", str(v)) for v in value
        )
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows[:100]:
        seen.update(dict.fromkeys(row))
    return list(seen)
