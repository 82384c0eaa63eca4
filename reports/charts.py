"""The pain (NRS) and disability (ODI) chart, drawn with ReportLab graphics.

Two series on one time axis: NRS 0-10 on the left scale, ODI 0-100 % on the
right scale, so a grid line reads as both (NRS 2 = ODI 20 %). The series
differ in line style and marker shape as well as colour (a chart printed in
black and white must still read), and injections are marked with a triangle
under the axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors

from sijdesk.reports import fonts

NRS_COLOUR = colors.HexColor("#1f4e79")
ODI_COLOUR = colors.HexColor("#b35900")
GRID = colors.HexColor("#d0d0d0")
AXIS = colors.HexColor("#444444")


@dataclass(frozen=True)
class ChartPoint:
    day: date
    nrs: int | None
    odi_percent: float | None


def _text(drawing: Drawing, x, y, text, size, *, anchor="start", bold=False, colour=AXIS):
    """A string in the document font (chart labels are ASCII and digits only)."""
    drawing.add(
        String(
            x,
            y,
            text,
            fontName=fonts.SANS_BOLD if bold else fonts.SANS,
            fontSize=size,
            fillColor=colour,
            textAnchor=anchor,
        )
    )


def _ticks(start: date, end: date, count: int) -> list[date]:
    span = (end - start).days
    if span <= 0:
        return [start]
    count = max(2, min(count, span + 1))
    return [start + timedelta(days=round(span * i / (count - 1))) for i in range(count)]


def outcome_chart(
    points: Sequence[ChartPoint],
    *,
    width: float,
    large: bool = False,
    injections: Sequence[date] = (),
) -> Drawing:
    """A drawing of NRS and ODI over time; ``points`` must hold at least one value."""
    fonts.register_fonts()
    size = 10.5 if large else 7.5
    height = width * (0.5 if large else 0.36)
    left, right = size * 5.2, size * 5.2
    bottom, top = size * 4.6, size * (4.6 if large else 3.2)
    plot_w, plot_h = width - left - right, height - bottom - top
    d = fonts.drawing(width, height)

    days = sorted({p.day for p in points} | set(injections))
    start, end = days[0], days[-1]
    if (end - start).days < 14:
        pad = (14 - (end - start).days) // 2 + 1
        start, end = start - timedelta(days=pad), end + timedelta(days=pad)
    span = max((end - start).days, 1)

    def x_of(day: date) -> float:
        return left + plot_w * (day - start).days / span

    def y_of(fraction: float) -> float:
        return bottom + plot_h * fraction

    # Grid and scales.
    d.add(Rect(left, bottom, plot_w, plot_h, fillColor=None, strokeColor=AXIS, strokeWidth=0.6))
    for step in range(6):
        y = y_of(step / 5)
        if 0 < step < 5:
            d.add(Line(left, y, left + plot_w, y, strokeColor=GRID, strokeWidth=0.4))
        _text(d, left - size * 0.6, y - size * 0.35, str(step * 2), size, anchor="end")
        _text(d, left + plot_w + size * 0.6, y - size * 0.35, f"{step * 20}%", size)
    _text(
        d,
        left - size * 0.6,
        y_of(1) + size * 0.9,
        "Pain 0–10",
        size,
        anchor="end",
        bold=True,
        colour=NRS_COLOUR,
    )
    _text(
        d,
        left + plot_w + size * 0.6,
        y_of(1) + size * 0.9,
        "Disability",
        size,
        bold=True,
        colour=ODI_COLOUR,
    )

    for tick in _ticks(start, end, 5 if large else 6):
        x = x_of(tick)
        d.add(Line(x, bottom, x, bottom - size * 0.4, strokeColor=AXIS, strokeWidth=0.6))
        _text(d, x, bottom - size * 1.5, tick.isoformat(), size * 0.95, anchor="middle")

    # Injections: a triangle under the axis.
    for day in injections:
        x = x_of(day)
        s = size * 0.55
        y0 = bottom - size * 2.7
        d.add(
            Polygon(
                [x - s, y0, x + s, y0, x, y0 + s * 1.6],
                fillColor=colors.HexColor("#2e7d32"),
                strokeColor=colors.HexColor("#2e7d32"),
                strokeWidth=0.3,
            )
        )

    # Series.
    nrs = [(x_of(p.day), y_of(p.nrs / 10)) for p in points if p.nrs is not None]
    odi = [(x_of(p.day), y_of(p.odi_percent / 100)) for p in points if p.odi_percent is not None]
    line_w = 1.8 if large else 1.3
    if len(odi) > 1:
        d.add(
            PolyLine(
                [c for xy in odi for c in xy],
                strokeColor=ODI_COLOUR,
                strokeWidth=line_w,
                strokeDashArray=[4, 2.5],
            )
        )
    if len(nrs) > 1:
        d.add(PolyLine([c for xy in nrs for c in xy], strokeColor=NRS_COLOUR, strokeWidth=line_w))
    marker = size * (0.45 if large else 0.42)
    crowded = max(len(nrs), len(odi)) * marker * 2.6 > plot_w
    if crowded:  # many measurements: smaller markers so the lines stay readable
        marker *= 0.5
    for x, y in odi:
        d.add(
            Rect(
                x - marker,
                y - marker,
                2 * marker,
                2 * marker,
                fillColor=colors.white,
                strokeColor=ODI_COLOUR,
                strokeWidth=1.1,
            )
        )
    for x, y in nrs:
        d.add(Circle(x, y, marker, fillColor=NRS_COLOUR, strokeColor=NRS_COLOUR))

    # Latest values written beside their markers.
    latest_nrs = [(p.day, p.nrs) for p in points if p.nrs is not None]
    latest_odi = [(p.day, p.odi_percent) for p in points if p.odi_percent is not None]
    if latest_nrs:
        when, score = latest_nrs[-1]
        _text(
            d,
            x_of(when) - marker * 2,
            y_of(score / 10) + marker * 1.6,
            f"{score}",
            size,
            anchor="end",
            bold=True,
            colour=NRS_COLOUR,
        )
    if latest_odi:
        when, percent = latest_odi[-1]
        value = f"{percent:.0f}%"
        _text(
            d,
            x_of(when) - marker * 2,
            y_of(percent / 100) - marker * 3,
            value,
            size,
            anchor="end",
            bold=True,
            colour=ODI_COLOUR,
        )

    # Legend: symbol and words, not colour alone; two rows when one is too narrow.
    nrs_words = "Pain score (NRS, 0 = no pain, left scale)"
    odi_words = "Disability (ODI %, right scale)"
    item_w = size * 2.8 + fonts.text_width(nrs_words, fonts.SANS, size) + size * 2
    two_rows = item_w + size * 2.8 + fonts.text_width(odi_words, fonts.SANS, size) > plot_w
    y = height - size * 1.3
    x = left
    d.add(
        Line(
            x,
            y + size * 0.3,
            x + size * 2.2,
            y + size * 0.3,
            strokeColor=NRS_COLOUR,
            strokeWidth=line_w,
        )
    )
    d.add(
        Circle(x + size * 1.1, y + size * 0.3, marker, fillColor=NRS_COLOUR, strokeColor=NRS_COLOUR)
    )
    _text(d, x + size * 2.8, y, nrs_words, size)
    if two_rows:
        y -= size * 1.5
    else:
        x = left + item_w
    d.add(
        Line(
            x,
            y + size * 0.3,
            x + size * 2.2,
            y + size * 0.3,
            strokeColor=ODI_COLOUR,
            strokeWidth=line_w,
            strokeDashArray=[4, 2.5],
        )
    )
    d.add(
        Rect(
            x + size * 1.1 - marker,
            y + size * 0.3 - marker,
            2 * marker,
            2 * marker,
            fillColor=colors.white,
            strokeColor=ODI_COLOUR,
            strokeWidth=1.1,
        )
    )
    _text(d, x + size * 2.8, y, odi_words, size)
    if injections:
        _text(d, left + plot_w, 1, "▲ under the dates: an injection", size, anchor="end")
    _text(d, left, 1, "Lower is better on both scales.", size, colour=AXIS)
    return d


class BarChartData(Protocol):
    """A bar chart handed over as plain figures (the outcome service's ReportChart)."""

    @property
    def title(self) -> str: ...

    @property
    def axis(self) -> str: ...

    @property
    def maximum(self) -> float: ...

    @property
    def categories(self) -> tuple[str, ...]: ...

    @property
    def series(self) -> tuple[tuple[str, tuple[float | None, ...]], ...]: ...


# Dark then light: the bars read in black and white as well as in colour.
BAR_COLOURS = (colors.HexColor("#1f4e79"), colors.HexColor("#9dc3e6"))


def bar_chart(chart: BarChartData, *, width: float) -> Drawing:
    """Grouped vertical bars with their values written on them; a value of None is
    not drawn (the caption under the chart says why)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend

    fonts.register_fonts()
    size = 7.5
    height = width * 0.3
    d = fonts.drawing(width, height)
    bars = VerticalBarChart()
    bars.x, bars.y = size * 5, size * 3
    bars.width = width - bars.x - size * (12 if len(chart.series) > 1 else 2)
    bars.height = height - bars.y - size * 2
    bars.data = [list(values) for _, values in chart.series]
    bars.categoryAxis.categoryNames = list(chart.categories)
    bars.categoryAxis.labels.fontName = fonts.SANS
    bars.categoryAxis.labels.fontSize = size
    bars.categoryAxis.labels.dy = -size * 0.4
    bars.valueAxis.valueMin = 0
    bars.valueAxis.valueMax = chart.maximum
    bars.valueAxis.valueStep = chart.maximum / 5
    bars.valueAxis.labels.fontName = fonts.SANS
    bars.valueAxis.labels.fontSize = size
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = GRID
    bars.valueAxis.gridStrokeWidth = 0.4
    bars.barLabelFormat = "%.0f" if chart.maximum > 10 else "%.1f"
    bars.barLabels.fontName = fonts.SANS
    bars.barLabels.fontSize = size * 0.9
    bars.barLabels.nudge = size * 0.8
    bars.groupSpacing = size * 2
    for index in range(len(chart.series)):
        bars.bars[index].fillColor = BAR_COLOURS[index % len(BAR_COLOURS)]
        bars.bars[index].strokeColor = AXIS
        bars.bars[index].strokeWidth = 0.4
    d.add(bars)
    _text(d, bars.x, bars.y + bars.height + size * 0.8, chart.axis, size, bold=True)
    if len(chart.series) > 1:
        legend = Legend()
        legend.x = bars.x + bars.width + size * 1.5
        legend.y = bars.y + bars.height
        legend.fontName = fonts.SANS
        legend.fontSize = size
        legend.boxAnchor = "nw"
        legend.colorNamePairs = [
            (BAR_COLOURS[index % len(BAR_COLOURS)], name)
            for index, (name, _) in enumerate(chart.series)
        ]
        d.add(legend)
    return d
