"""Reading export files row by row: CSV (any common delimiter and encoding), XLSX, JSON, JSONL.

Every reader streams: memory stays flat however long the file is. A row that cannot be
parsed comes out as a `RawRow` with `problem` set, so the importer can reject it and go on.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from otklik.errors import InputError

FORMATS = ("csv", "xlsx", "json", "jsonl")
_SAMPLE = 256 * 1024
_DELIMITERS = (",", ";", "\t", "|")
csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class RawRow:
    """One record as read: its 1-based row number (header is row 1 in CSV/XLSX)."""

    number: int
    data: dict[str, Any]
    raw: str
    problem: str | None = None
    # A JSON object as received (`data` is it flattened to dotted keys for column mapping).
    payload: dict[str, Any] | None = None


@dataclass
class FileInfo:
    """What was detected about a file."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)
    # XLSX: the sheets whose rows were read, and those left out with why.
    sheets: list[str] = field(default_factory=list)
    skipped_sheets: list[SkippedSheet] = field(default_factory=list)


@dataclass(frozen=True)
class SkippedSheet:
    """A workbook sheet that was not read: `reason` "empty" or "different columns" (then
    `columns` are its own)."""

    name: str
    reason: str
    columns: tuple[str, ...] = ()


class ByteCounter(io.RawIOBase):
    """Wraps a binary file and counts bytes read, for progress."""

    def __init__(self, inner: IO[bytes]) -> None:
        self.inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def detect_format(path: Path, given: str | None) -> str:
    """The format named, or the one the file's extension and first bytes say."""
    if given:
        if given not in FORMATS:
            raise InputError(f"unknown format {given!r}; choose from {', '.join(FORMATS)}")
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix == "json":
        return "json"
    if suffix in ("csv", "tsv", "txt"):
        return "csv"
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK"):
        return "xlsx"
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by BOM, else the best single-byte guess."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # a character cut by the end of the sample
            return "utf-8"
    return _single_byte_guess(sample)


def _single_byte_guess(sample: bytes) -> str:
    # Russian and Kazakh exports that are not UTF-8 are Windows-1251 in practice; KOI8-R
    # and CP866 survive in old systems. Score each by how much of it reads as Cyrillic words.
    best, best_score = "cp1251", -1.0
    for encoding in ("cp1251", "koi8-r", "cp866"):
        text = sample.decode(encoding, errors="replace")
        letters = sum(1 for ch in text if "а" <= ch <= "я" or ch == "ё")
        upper = sum(1 for ch in text if "А" <= ch <= "Я" or ch == "Ё")
        score = letters - 2 * upper  # real text is mostly lower case
        if score > best_score:
            best, best_score = encoding, score
    return best


@dataclass
class OpenedFile:
    """A file being read: what was detected, its rows, bytes read so far; close when done."""

    info: FileInfo
    rows: Iterator[RawRow]
    counter: ByteCounter

    def close(self) -> None:
        """Release the file, also when its rows were never read."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()
        self.counter.inner.close()


def open_rows(path: Path, fmt: str | None = None, sheets: Sequence[str] = ()) -> OpenedFile:
    """Detect the format and open the file for reading rows (of an XLSX workbook, every
    sheet with the first one's columns, or the `sheets` named)."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file")
    fmt = detect_format(path, fmt)
    binary = path.open("rb")
    counter = ByteCounter(binary)
    try:
        if fmt == "xlsx":
            info, rows = _xlsx(path, counter, sheets)
        elif fmt == "jsonl":
            info, rows = _jsonl(counter)
        elif fmt == "json":
            info, rows = _json(counter)
        else:
            info, rows = _csv(counter)
    except Exception:
        binary.close()
        raise
    return OpenedFile(info, rows, counter)


def _text_stream(counter: ByteCounter) -> tuple[str, io.TextIOWrapper]:
    buffered = io.BufferedReader(counter, buffer_size=_SAMPLE)
    sample = buffered.peek(_SAMPLE)[:_SAMPLE]
    if not sample.strip():
        raise InputError("the file is empty")
    encoding = detect_encoding(sample)
    if b"\x00" in sample and not encoding.startswith("utf-16"):
        raise InputError("this looks like a binary file, not CSV or JSON text")
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="surrogateescape", newline="")
    return encoding, text


def _csv(counter: ByteCounter) -> tuple[FileInfo, Iterator[RawRow]]:
    encoding, text = _text_stream(counter)
    header_line = text.readline()
    delimiter = _delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter), [])
    columns = [h.strip() for h in header]
    if not any(columns):
        raise InputError("the first line has no column names")
    info = FileInfo("csv", encoding, delimiter, columns)
    return info, _csv_rows(text, columns, delimiter, encoding)


def _delimiter(header_line: str) -> str:
    counts = {d: _count_outside_quotes(header_line, d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _count_outside_quotes(line: str, char: str) -> int:
    inside, count = False, 0
    for ch in line:
        if ch == '"':
            inside = not inside
        elif ch == char and not inside:
            count += 1
    return count


def _csv_rows(
    text: io.TextIOWrapper, columns: list[str], delimiter: str, encoding: str
) -> Iterator[RawRow]:
    number = 1
    for line, chunk, problem in _record_chunks(text, delimiter, len(columns), first_line=2):
        if problem:
            number += 1
            yield RawRow(number, {}, chunk.rstrip("\r\n"), problem)
            continue
        try:
            records = list(csv.reader(io.StringIO(chunk, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            number += 1
            yield RawRow(
                number, {}, chunk.rstrip("\r\n"), f"CSV syntax error on line {line}: {exc}"
            )
            continue
        for values in records:
            if not any(v.strip() for v in values):
                continue  # blank line
            number += 1
            yield _csv_record(number, values, columns, delimiter, encoding)


def _csv_record(
    number: int, values: list[str], columns: list[str], delimiter: str, encoding: str
) -> RawRow:
    raw = _csv_line(values, delimiter)
    problem = None
    if any(_has_bad_bytes(v) for v in values):
        problem = f"bytes that are not valid {encoding}; the file mixes encodings"
        values = [v.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for v in values]
        raw = _csv_line(values, delimiter)
    if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
        problem = problem or (
            f"row has {len(values)} fields but the header has {len(columns)}; "
            "a field with the delimiter in it is probably not quoted"
        )
    return RawRow(number, dict(zip(columns, values, strict=False)), raw, problem)


_MAX_OPEN_LINES = 2000
_MAX_OPEN_CHARS = 2_000_000


def _record_chunks(
    lines: Iterable[str], delimiter: str, width: int, first_line: int
) -> Iterator[tuple[int, str, str | None]]:
    """Physical lines grouped so that every quote opened is closed: (line, text, problem).

    A quote that never closes would swallow the rest of the file into one field; then
    its line alone is reported and the lines after it are read again as rows.
    """
    pending: list[tuple[int, str]] = []  # lines pushed back to be read again
    source = iter(lines)
    number = first_line - 1
    buffer: list[tuple[int, str]] = []
    odd = False
    size = 0

    def next_line() -> tuple[int, str] | None:
        nonlocal number
        if pending:
            return pending.pop()
        line = next(source, None)
        if line is None:
            return None
        number += 1
        return number, line

    while True:
        item = next_line()
        if item is not None:
            buffer.append(item)
            size += len(item[1])
            if item[1].count('"') % 2:
                odd = not odd
            if odd and len(buffer) <= _MAX_OPEN_LINES and size <= _MAX_OPEN_CHARS:
                continue
        if not buffer:
            return
        text = "".join(t for _, t in buffer)
        if len(buffer) == 1 or _is_sound(text, delimiter, width):
            yield buffer[0][0], text, None
        else:
            line_no, first = buffer[0]
            yield line_no, first, f"a quote opened on line {line_no} is never closed"
            pending.extend(reversed(buffer[1:]))
        buffer, odd, size = [], False, 0


def _is_sound(text: str, delimiter: str, width: int) -> bool:
    """False when a multi-line record looks like a stray quote ate the rows after it."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return False
    return all(len(r) == width or not any("\n" in v for v in r) for r in records)


_BAD_BYTES = re.compile("[\udc80-\udcff]")


def _has_bad_bytes(value: str) -> bool:
    """True when decoding left undecodable bytes in (surrogate escapes)."""
    return _BAD_BYTES.search(value) is not None


def _csv_line(values: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(values)
    return out.getvalue()


def _jsonl(counter: ByteCounter) -> tuple[FileInfo, Iterator[RawRow]]:
    encoding, text = _text_stream(counter)

    def rows() -> Iterator[RawRow]:
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            raw = line.rstrip("\r\n")
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield RawRow(number, {}, raw, f"not valid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(value, dict):
                yield RawRow(number, {}, raw, f"expected a JSON object, got {type(value).__name__}")
                continue
            yield RawRow(number, flatten(value), raw, payload=value)

    return FileInfo("jsonl", encoding), rows()


def _json(counter: ByteCounter) -> tuple[FileInfo, Iterator[RawRow]]:
    encoding, text = _text_stream(counter)
    first = text.read(1)
    while first and first.isspace():
        first = text.read(1)
    if first == "[":
        return FileInfo("json", encoding), _json_array(text)
    if first == "{":
        rest = first + text.read()
        try:
            document = json.loads(rest)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from exc
        items = _items_in(document)
        if items is None:
            raise InputError(
                "the JSON object holds no list of items; give an array of objects or an object "
                "with one (under items, data, results or mentions)"
            )
        return FileInfo("json", encoding), _json_items(items)
    raise InputError("not valid JSON: expected '[' or '{' at the start of the file")


def _items_in(document: dict[str, Any]) -> list[Any] | None:
    for key in ("items", "data", "results", "mentions", "reviews", "records", "rows"):
        if isinstance(document.get(key), list):
            return list(document[key])
    lists = [v for v in document.values() if isinstance(v, list)]
    return lists[0] if len(lists) == 1 else None


def _json_items(items: list[Any]) -> Iterator[RawRow]:
    for number, value in enumerate(items, start=1):
        raw = json.dumps(value, ensure_ascii=False)
        if isinstance(value, dict):
            yield RawRow(number, flatten(value), raw, payload=value)
        else:
            yield RawRow(number, {}, raw, f"expected a JSON object, got {type(value).__name__}")


def _json_array(text: io.TextIOWrapper) -> Iterator[RawRow]:
    decoder = json.JSONDecoder()
    buffer = ""
    number = 0
    consumed_lines = 1
    expect_value = True
    while True:
        if len(buffer) < 65536:
            chunk = text.read(1 << 20)
            buffer += chunk
        else:
            chunk = "x"
        stripped = buffer.lstrip()
        consumed_lines += buffer[: len(buffer) - len(stripped)].count("\n")
        buffer = stripped
        if not buffer:
            if not chunk:
                yield RawRow(number + 1, {}, "", "the JSON array is not closed (file ends early)")
                return
            continue
        if buffer[0] == "]":
            return
        if buffer[0] == "," and not expect_value:
            buffer = buffer[1:]
            expect_value = True
            continue
        try:
            value, end = decoder.raw_decode(buffer)
        except json.JSONDecodeError as exc:
            if chunk:
                if len(buffer) < 64 * 1024 * 1024:
                    more = text.read(1 << 20)
                    if more:
                        buffer += more
                        continue
            rest = buffer + text.read()
            yield RawRow(
                number + 1,
                {},
                rest,
                f"not valid JSON at line {consumed_lines + exc.lineno - 1}: {exc.msg}; "
                "the rest of the file is kept as this one rejected row",
            )
            return
        number += 1
        raw = buffer[:end]
        consumed_lines += raw.count("\n")
        buffer = buffer[end:]
        expect_value = False
        if isinstance(value, dict):
            yield RawRow(number, flatten(value), raw, payload=value)
        else:
            yield RawRow(number, {}, raw, f"expected a JSON object, got {type(value).__name__}")


def flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys: {"author": {"name": x}} → {"author.name": x}."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and item:
            out.update(flatten(item, f"{name}."))
        else:
            out[name] = item
    return out


def _xlsx(
    path: Path, counter: ByteCounter, chosen: Sequence[str]
) -> tuple[FileInfo, Iterator[RawRow]]:
    import zipfile

    from openpyxl import load_workbook

    counter.inner.close()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"cannot open {path.name} as an Excel workbook: {exc}") from exc
    try:
        info, plan = _sheet_plan(book, chosen)
    except InputError:
        book.close()
        raise
    return info, _xlsx_rows(book, plan, counter, path.stat().st_size)


def _sheet_plan(book: Any, chosen: Sequence[str]) -> tuple[FileInfo, list[tuple[str, list[str]]]]:
    """Which sheets to read, each with its columns: those whose column names are the first
    non-empty sheet's (in any order); the others are skipped with their reason."""
    names = list(book.sheetnames)
    unknown = [name for name in chosen if name not in names]
    if unknown:
        raise InputError(
            f"no sheet named {', '.join(map(repr, unknown))}; "
            f"the workbook's sheets are {', '.join(map(repr, names))}"
        )
    wanted = list(dict.fromkeys(chosen)) or names
    info = FileInfo("xlsx")
    plan: list[tuple[str, list[str]]] = []
    for name in wanted:
        columns = _sheet_columns(book[name])
        if columns is None:
            info.skipped_sheets.append(SkippedSheet(name, "empty"))
        elif not plan:
            info.columns = columns
            plan.append((name, columns))
        elif set(columns) != set(info.columns):
            info.skipped_sheets.append(SkippedSheet(name, "different columns", tuple(columns)))
        else:
            plan.append((name, columns))
    if not plan:
        which = "none of the sheets named has" if chosen else "no sheet has"
        raise InputError(f"{which} column names in its first row")
    info.sheets = [name for name, _ in plan]
    return info, plan


def _sheet_columns(sheet: Any) -> list[str] | None:
    header = next(sheet.iter_rows(max_row=1, values_only=True), None)
    if header is None or not any(h is not None and str(h).strip() for h in header):
        return None
    return [str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)]


def _xlsx_rows(
    book: Any, plan: list[tuple[str, list[str]]], counter: ByteCounter, size: int
) -> Iterator[RawRow]:
    # A row's raw form names its sheet, so a rejected row says where it is in the workbook.
    try:
        for name, columns in plan:
            rows = book[name].iter_rows(min_row=2, values_only=True)
            for number, values in enumerate(rows, start=2):
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                data = {c: v for c, v in zip(columns, values, strict=False) if v is not None}
                raw = json.dumps({"sheet": name, "cells": data}, ensure_ascii=False, default=str)
                counter.count = min(size, counter.count + len(raw))
                yield RawRow(number, data, raw)
    finally:
        book.close()
        counter.count = size
