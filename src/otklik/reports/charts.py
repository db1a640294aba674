"""Charts as static PNG images drawn with matplotlib (for PDF); DejaVu Sans, which ships
inside matplotlib, has every Kazakh and Russian letter."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from otklik.reports.document import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter

_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2")
_SENTIMENT = {"negative": "#d9534f", "neutral": "#9e9e9e", "positive": "#5cb85c"}


def png(chart: Chart, language: str = "en", width_in: float = 7.0, height_in: float = 2.8) -> bytes:
    """The chart as a PNG image, numbers written as `language` writes them."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from otklik.i18n import Formats

    fmt = Formats(language)
    percent = FuncFormatter(lambda v, _pos: fmt.percent(v, fraction=True))
    number = FuncFormatter(lambda v, _pos: fmt.number(v))

    plt.rcParams["font.family"] = "DejaVu Sans"
    fig, ax = plt.subplots(figsize=(width_in, height_in), dpi=110)
    try:
        if chart.kind == "heatmap":
            _heatmap(fig, ax, chart, percent)
        elif chart.kind == "hbar":
            values = [v or 0.0 for v in chart.series[0][1]]
            ax.barh(chart.x[::-1], values[::-1], color=_COLOURS[0])
        else:
            _bars(ax, chart)
        if chart.is_percent and chart.kind != "heatmap":
            ax.yaxis.set_major_formatter(percent)
        elif chart.kind != "heatmap":
            axis = ax.xaxis if chart.kind == "hbar" else ax.yaxis
            axis.set_major_locator(MaxNLocator(integer=True))
            axis.set_major_formatter(number)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def _bars(ax: Axes, chart: Chart) -> None:
    count = max(len(chart.series), 1)
    width = 0.8 / (1 if chart.kind in ("stacked", "line") else count)
    bottom = [0.0] * len(chart.x)
    positions = list(range(len(chart.x)))
    for i, (name, values) in enumerate(chart.series):
        clean = [0.0 if v is None or math.isnan(v) else float(v) for v in values]
        colour = _COLOURS[i % len(_COLOURS)]
        if chart.kind == "stacked":
            colour = list(_SENTIMENT.values())[i % 3] if count == 3 else colour
            ax.bar(positions, clean, width, bottom=bottom, label=name, color=colour)
            bottom = [b + c for b, c in zip(bottom, clean, strict=True)]
        elif chart.kind == "line":
            ax.plot(positions, clean, label=name, color=colour)
        else:
            shifted = [p + (i - (count - 1) / 2) * width for p in positions]
            ax.bar(shifted, clean, width, label=name, color=colour)
    step = max(1, len(chart.x) // 12)
    ax.set_xticks(positions[::step], chart.x[::step], rotation=30, ha="right", fontsize=7)
    if count > 1:
        ax.legend(fontsize=7, frameon=False)


def _heatmap(fig: Figure, ax: Axes, chart: Chart, percent: Formatter) -> None:
    import numpy as np

    grid = np.array([[np.nan if v is None else v for v in row] for row in chart.z], dtype=float)
    image = ax.imshow(grid, aspect="auto", cmap="Blues")
    ax.set_xticks(range(len(chart.x)), chart.x, fontsize=7, rotation=45)
    ax.set_yticks(range(len(chart.y)), chart.y, fontsize=7)
    for r, row in enumerate(chart.counts):
        for c, count in enumerate(row):
            if count:
                ax.text(c, r, str(count), ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, format=percent)
