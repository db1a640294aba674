"""A document as PDF (fpdf2): DejaVu Sans from matplotlib's package data covers Cyrillic
and Kazakh; tables wrap their cells; charts are PNG images."""

from __future__ import annotations

import io
from pathlib import Path

from otklik.reports.charts import png
from otklik.reports.document import Document, Writer

_MAX_ROWS = 60  # longer tables are cut in the PDF (the XLSX has them all)


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def render(doc: Document) -> bytes:
    """The document as PDF bytes."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    w = Writer(doc.language, doc.timezone)
    pdf = FPDF(format="A4")
    pdf.set_title(doc.title)
    pdf.set_lang(doc.language)
    fonts = _font_dir()
    pdf.add_font("dejavu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 16)
    pdf.multi_cell(0, 8, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 10)
    pdf.multi_cell(0, 5, doc.subtitle, new_x="LMARGIN", new_y="NEXT")
    heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))
    for section in doc.sections:
        pdf.ln(4)
        pdf.set_font("dejavu", "B", 12)
        pdf.multi_cell(0, 6, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("dejavu", "", 8)
        if section.note:
            pdf.multi_cell(0, 4, section.note, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        if section.rows:
            widths = [{"text": 3.0, "date": 1.6}.get(c.kind, 1.2) for c in section.columns]
            with pdf.table(
                col_widths=widths,
                text_align="LEFT",
                headings_style=heading,
                line_height=4.5,
                first_row_as_headings=True,
            ) as table:
                head = table.row()
                for column in section.columns:
                    head.cell(column.title)
                for row in section.rows[:_MAX_ROWS]:
                    cells = table.row()
                    for column in section.columns:
                        cells.cell(w.cell(row.get(column.key), w.kind(row, column)))
        else:
            pdf.multi_cell(
                0, 5, w.gettext("No data for this period"), new_x="LMARGIN", new_y="NEXT"
            )
        if section.chart is not None:
            pdf.ln(2)
            pdf.image(io.BytesIO(png(section.chart, doc.language)), w=pdf.epw)
    return bytes(pdf.output())
