"""Geometry for the server-rendered SVG bar charts on the statistics page.

Charts are drawn by the template ``reports/includes/chart.html`` from the
shapes computed here: no JavaScript, no inline styles (the CSP forbids
them); colours come from classes in static/css/app.css. Every chart is
paired with a table of the same figures, which is the text alternative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from reports.selectors import Row

CURRENT = "chart-bar-current"
PREVIOUS = "chart-bar-previous"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    css: str = "chart-text"


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "chart-grid"


@dataclass
class Chart:
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


def nice_step(value: int, ticks: int = 4) -> int:
    """A round whole step (1, 2, 2.5 or 5 × 10^n) so that ``ticks`` steps reach ``value``."""
    wanted = max(value, 1) / ticks
    magnitude = 10 ** max(math.floor(math.log10(wanted)), 0)
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= wanted and step == int(step):
            return int(step)
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _shorten(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def horizontal_chart(rows: list[Row]) -> Chart:
    """One row per label; the chosen year's bar above the previous year's."""
    label_width, plot_left, plot_right, width = 196, 204, 580, 640
    row_height, bar_height, top = 34, 12, 6
    chart = Chart(width=width, height=top * 2 + row_height * max(len(rows), 1))
    maximum = max([max(r.figures.current, r.figures.previous) for r in rows] + [1])
    scale = (plot_right - plot_left) / maximum
    chart.lines.append(Line(plot_left, top, plot_left, chart.height - top, "chart-axis"))
    for i, row in enumerate(rows):
        y = top + i * row_height
        chart.texts.append(Text(label_width, y + 21, _shorten(row.label), "end"))
        for offset, value, css in ((4, row.figures.current, CURRENT), (18, row.figures.previous, PREVIOUS)):
            length = value * scale
            chart.rects.append(Rect(plot_left, y + offset, round(length, 1), bar_height, css))
            chart.texts.append(Text(round(plot_left + length + 4, 1), y + offset + 10, str(value), css="chart-value"))
    return chart


def month_chart(rows: list[Row]) -> Chart:
    """Twelve groups of two columns: the chosen year (filled) and the year before (outlined)."""
    width, height = 720, 250
    left, right, top, bottom = 44, 712, 12, 214
    chart = Chart(width=width, height=height)
    step = nice_step(max([max(r.figures.current, r.figures.previous) for r in rows] + [0]))
    maximum = 4 * step
    scale = (bottom - top) / maximum
    for tick in range(5):
        value = step * tick
        y = round(bottom - value * scale, 1)
        chart.lines.append(Line(left, y, right, y, "chart-axis" if tick == 0 else "chart-grid"))
        chart.texts.append(Text(left - 6, y + 4, str(value), "end"))
    group = (right - left) / max(len(rows), 1)
    bar = min(18.0, group / 2 - 4)
    for i, row in enumerate(rows):
        x = left + i * group + group / 2
        for dx, value, css in ((-bar - 1, row.figures.current, CURRENT), (1, row.figures.previous, PREVIOUS)):
            h = round(value * scale, 1)
            chart.rects.append(Rect(round(x + dx, 1), round(bottom - h, 1), round(bar, 1), h, css))
        chart.texts.append(Text(round(x, 1), bottom + 20, row.label, "middle"))
    return chart
