"""Rows for the driver's own cursor: values passed through their column types' converters.

SQLAlchemy's per-row parameter handling costs more than SQLite's insert itself on batches
of thousands; the column types' own converters keep the values identical."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def bound_rows(
    conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The column names of the first row and every row's values as the driver takes them."""
    return bound_columns(conn, table, {name: [row[name] for row in rows] for name in rows[0]})


def bound_columns(
    conn: Connection, table: sa.Table, columns: Mapping[str, Sequence[Any]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Rows from values given column by column (each list one column, all the same length),
    as the driver takes them: one converter over a list costs less than one call per row."""
    dialect = conn.dialect
    by_column = []
    for name, values in columns.items():
        column_type = table.c[name].type
        convert = column_type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            values = _converted(
                convert, list(values), isinstance(column_type, sa.Date | sa.DateTime)
            )
        by_column.append(values)
    return list(columns), list(zip(*by_column, strict=True))


def _converted(convert: Callable[[Any], Any], values: list[Any], repeats: bool) -> list[Any]:
    """Values through a converter; with `repeats` (dates and times, which recur within a
    batch: `now`, a day), each distinct naive value is converted once."""
    if not repeats:
        return list(map(convert, values))
    done: dict[Any, Any] = {}
    out = []
    for value in values:
        if getattr(value, "tzinfo", None) is not None:
            out.append(convert(value))  # equal instants in other zones print differently
            continue
        converted = done.get(value, done)
        if converted is done:
            converted = done[value] = convert(value)
        out.append(converted)
    return out


def sqlite_variables(conn: Connection) -> int:
    """How many ? one SQLite statement may hold (999 before SQLite 3.32, 32766 since)."""
    raw: Any = conn.connection.dbapi_connection
    try:
        return min(int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)), 32766)
    except (AttributeError, sqlite3.Error):
        return 999
