"""A document as an XLSX workbook: one sheet per section, numbers stored as numbers
(percentages as fractions with a percent format), dates as dates."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from otklik.reports.document import Document, Writer

_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, taken: set[str]) -> str:
    base = _BAD.sub(" ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:25]} {n}", n + 1
    taken.add(name.lower())
    return name


def _value(value: Any, kind: str, w: Writer) -> tuple[Any, str | None]:
    if value is None or value == "":
        return None, None
    if kind in ("number", "percent", "decimal") and isinstance(value, int | float):
        pattern = {"percent": "0.0%", "decimal": "0.000"}.get(kind)
        if pattern is None and isinstance(value, float) and not value.is_integer():
            pattern = "#,##0.00"
        return value, pattern
    if kind == "date":
        return date.fromisoformat(str(value)[:10]), "yyyy-mm-dd"
    if kind == "flag":
        return w.cell(value, "flag"), None
    return str(value), None


def render(doc: Document) -> bytes:
    """The document as XLSX bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    w = Writer(doc.language, doc.timezone)
    book = Workbook()
    about = book.active
    assert about is not None
    taken: set[str] = set()
    about.title = _sheet_name(w.gettext("Report"), taken)
    about.append([doc.title])
    about.append([doc.subtitle])
    about["A1"].font = Font(bold=True, size=14)
    for section in doc.sections:
        sheet = book.create_sheet(_sheet_name(section.title, taken))
        sheet.append([section.title])
        sheet["A1"].font = Font(bold=True)
        if section.note:
            sheet.append([section.note])
        sheet.append([c.title for c in section.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in section.rows:
            values = [_value(row.get(c.key), w.kind(row, c), w) for c in section.columns]
            sheet.append([v for v, _ in values])
            for cell, (_, pattern) in zip(sheet[sheet.max_row], values, strict=False):
                if pattern:
                    cell.number_format = pattern
        for i, column in enumerate(section.columns, start=1):
            letter = sheet.cell(row=1, column=i).column_letter
            sheet.column_dimensions[letter].width = 40 if column.kind == "text" else 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
