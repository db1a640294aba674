"""A document as HTML: the sections (tables and chart nodes) for a web page, or a whole
self-contained page with Plotly from its package (no CDN) for a file."""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib import resources
from pathlib import Path

from babel import Locale
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from otklik.reports.document import Chart, Document, Writer

_TEMPLATES = Path(__file__).parent / "templates"


def _env() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape())


def _separators(language: str) -> str:
    symbols = Locale.parse(language).number_symbols.get("latn", {})
    return str(symbols.get("decimal", ".")) + str(symbols.get("group", ","))


def body(doc: Document) -> Markup:
    """The report's sections as HTML (charts drawn by static/report.js)."""
    w = Writer(doc.language, doc.timezone)
    html = (
        _env()
        .get_template("body.html")
        .render(
            doc=doc,
            w=w,
            empty=w.gettext("No data for this period"),
            table_word=w.gettext("Table"),
            separators=_separators(doc.language),
            chart_json=lambda chart: json.dumps(_plain(chart), ensure_ascii=False),
        )
    )
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template


def _plain(chart: Chart) -> dict[str, object]:
    return asdict(chart)


def standalone(doc: Document) -> str:
    """A whole HTML page that opens offline: Plotly and the chart script inlined."""
    import plotly

    static = resources.files("otklik.web") / "static"
    plotly_js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(
        encoding="utf-8"
    )
    locale = static / f"plotly-locale-{doc.language}.js"
    return (
        _env()
        .get_template("standalone.html")
        .render(
            doc=doc,
            body=body(doc),
            plotly=Markup(plotly_js),  # noqa: S704 - the package's own script
            locale_js=Markup(locale.read_text(encoding="utf-8")) if locale.is_file() else "",  # noqa: S704
            report_js=Markup((static / "report.js").read_text(encoding="utf-8")),  # noqa: S704
        )
    )
