"""NRS and ODI over the episode, with the minimal-important-change band from baseline.

The band spans baseline ± the minimal important change (NRS 2 points, ODI 10
points; Ostelo 2008): a later value outside it is a change the patient is
likely to notice. Triangles mark injections and stars the pathway decisions
(step changes). Every series is named in the legend, and the chart's
accessible description reads the values as text.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCharts import (
    QAreaSeries,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QDateTime, QMargins, QPointF, Qt, QTime, Slot
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QStackedLayout, QToolTip, QWidget

from sijdesk.kinds.outcome import OutcomeRecord
from sijdesk.pathway.scores import odi_percent
from sijdesk.services import TimelineEntry

log = logging.getLogger(__name__)

NRS_COLOUR = "#c62828"
ODI_COLOUR = "#1565c0"
INJECTION_COLOUR = "#c25400"
DECISION_COLOUR = "#8e24aa"

# Shown as defaults; the advice's own thresholds replace them when known.
DEFAULT_MIC_NRS = 2
DEFAULT_MIC_ODI = 10


@functools.lru_cache(maxsize=4096)
def msecs(day: date) -> float:
    # Cached: Qt's local-time conversion costs about 0.06 ms, and a long episode
    # draws a hundred points each time it is shown.
    return float(QDateTime(QDate(day.year, day.month, day.day), QTime(12, 0)).toMSecsSinceEpoch())


def outcome_points(
    entries: Sequence[TimelineEntry],
) -> tuple[list[tuple[date, float]], list[tuple[date, float]]]:
    """(NRS points, ODI points), oldest first."""
    nrs: list[tuple[date, float]] = []
    odi: list[tuple[date, float]] = []
    for entry in sorted(entries, key=lambda e: (e.event_date, e.root_id)):
        record = entry.record
        if not isinstance(record, OutcomeRecord) or entry.entered_in_error:
            continue
        if record.nrs is not None:
            nrs.append((entry.event_date, float(record.nrs)))
        if record.odi_items:
            percent = odi_percent(tuple(record.odi_items))
            if percent is not None:
                odi.append((entry.event_date, percent))
    return nrs, odi


class OutcomeChart(QWidget):
    """The chart, or a sentence saying what to record when there is nothing to draw."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.mic_nrs: float = DEFAULT_MIC_NRS
        self.mic_odi: float = DEFAULT_MIC_ODI
        self._markers: dict[int, list[tuple[float, str]]] = {}
        self.chart = QChart()
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart.setBackgroundRoundness(0)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setAccessibleName("Outcome chart: NRS and ODI over time")
        self.view.setToolTip(
            "NRS: numeric rating scale of pain, 0 (none) to 10 (worst imaginable).\n"
            "ODI: Oswestry Disability Index, 0-100 %.\n"
            "Shaded band: baseline ± the minimal important change (NRS 2 points, ODI 10 points);\n"
            "a later value outside the band is a change the patient is likely to notice.\n"
            "▲ injections, ★ pathway decisions (hover a marker for details)."
        )
        self.view.setMinimumHeight(150)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName("Outcome chart")
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.show_empty("Choose an episode to see its NRS and ODI over time.")
        self.points: tuple[list[tuple[date, float]], list[tuple[date, float]]] = ([], [])

    def show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)

    def set_mic(self, nrs_points: float | None, odi_points: float | None) -> None:
        self.mic_nrs = DEFAULT_MIC_NRS if nrs_points is None else nrs_points
        self.mic_odi = DEFAULT_MIC_ODI if odi_points is None else odi_points

    def set_entries(self, entries: Sequence[TimelineEntry], today: date) -> None:
        nrs, odi = outcome_points(entries)
        self.points = (nrs, odi)
        if not nrs and not odi:
            self.show_empty(
                "No NRS or ODI recorded in this episode yet — Record ▸ Outcome measures "
                "(Ctrl+R) to start the chart."
            )
            return
        injections = [e for e in entries if e.kind == "injection" and not e.entered_in_error]
        decisions = [e for e in entries if e.kind == "decision" and not e.entered_in_error]
        self._draw(nrs, odi, injections, decisions, today)
        self.stack.setCurrentWidget(self.view)

    def _draw(self, nrs, odi, injections, decisions, today: date) -> None:
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self._markers = {}
        # QAreaSeries does not own its boundary lines: keep them alive with the chart.
        self._keep: list[QLineSeries] = []
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() * 0.85, 7.0))
        chart.legend().setFont(small)

        days = [d for d, _ in nrs + odi] + [e.event_date for e in injections + decisions]
        first, last = min(days), max(days)
        if (last - first).days < 28:  # a short episode: a four-week window around it
            middle = first + (last - first) / 2
            first, last = middle - timedelta(days=14), middle + timedelta(days=14)
        pad = (last - first).days * 24 * 3600 * 1000 * 0.04
        x_axis = QDateTimeAxis()
        x_axis.setFormat("yyyy-MM-dd")
        x_axis.setLabelsFont(small)
        x_axis.setTickCount(5)
        x_axis.setRange(
            QDateTime.fromMSecsSinceEpoch(int(msecs(first) - pad)),
            QDateTime.fromMSecsSinceEpoch(int(msecs(last) + pad)),
        )
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        x_min, x_max = msecs(first) - pad, msecs(last) + pad

        nrs_axis = QValueAxis()
        nrs_axis.setRange(0, 10)
        nrs_axis.setTickCount(6)
        nrs_axis.setLabelFormat("%d")
        nrs_axis.setTitleText("NRS (0-10)")
        nrs_axis.setTitleFont(small)
        nrs_axis.setLabelsFont(small)
        nrs_axis.setLabelsColor(QColor(NRS_COLOUR))
        chart.addAxis(nrs_axis, Qt.AlignmentFlag.AlignLeft)
        odi_axis = QValueAxis()
        odi_axis.setRange(0, 100)
        odi_axis.setTickCount(6)
        odi_axis.setLabelFormat("%d %%")
        odi_axis.setTitleText("ODI (%)")
        odi_axis.setTitleFont(small)
        odi_axis.setLabelsFont(small)
        odi_axis.setLabelsColor(QColor(ODI_COLOUR))
        chart.addAxis(odi_axis, Qt.AlignmentFlag.AlignRight)
        marker_axis = QValueAxis()
        marker_axis.setRange(0, 1)
        marker_axis.setVisible(False)
        chart.addAxis(marker_axis, Qt.AlignmentFlag.AlignRight)

        if nrs:
            self._band(
                nrs[0][1], self.mic_nrs, 0, 10, x_min, x_max, NRS_COLOUR, "NRS", x_axis, nrs_axis
            )
        if odi:
            self._band(
                odi[0][1], self.mic_odi, 0, 100, x_min, x_max, ODI_COLOUR, "ODI", x_axis, odi_axis
            )
        if nrs:
            self._line("NRS", nrs, NRS_COLOUR, x_axis, nrs_axis)
        if odi:
            self._line("ODI %", odi, ODI_COLOUR, x_axis, odi_axis)
        if injections:
            self._markers_series(
                "▲ Injection",
                [(e.event_date, e.summary) for e in injections],
                0.95,
                QScatterSeries.MarkerShape.MarkerShapeTriangle,
                INJECTION_COLOUR,
                x_axis,
                marker_axis,
            )
        if decisions:
            self._markers_series(
                "★ Decision",
                [(e.event_date, e.summary) for e in decisions],
                0.86,
                QScatterSeries.MarkerShape.MarkerShapeStar,
                DECISION_COLOUR,
                x_axis,
                marker_axis,
            )
        self.view.setAccessibleDescription(self.describe())

    def _band(self, baseline, mic, low, high, x_min, x_max, colour, name, x_axis, y_axis) -> None:
        upper, lower = QLineSeries(), QLineSeries()
        top, bottom = min(high, baseline + mic), max(low, baseline - mic)
        upper.append(x_min, top)
        upper.append(x_max, top)
        lower.append(x_min, bottom)
        lower.append(x_max, bottom)
        area = QAreaSeries(upper, lower)
        self._keep += [upper, lower]
        fill = QColor(colour)
        fill.setAlpha(38)
        area.setBrush(QBrush(fill))
        edge = QColor(colour)
        edge.setAlpha(90)
        area.setPen(QPen(edge, 1, Qt.PenStyle.DashLine))
        area.setName(f"{name} baseline ± {mic:g} (no important change)")
        self.chart.addSeries(area)
        area.attachAxis(x_axis)
        area.attachAxis(y_axis)

    def _line(self, name, points, colour, x_axis, y_axis) -> None:
        series = QLineSeries()
        series.setName(name)
        pen = QPen(QColor(colour), 2.2)
        series.setPen(pen)
        series.setPointsVisible(True)
        series.append([QPointF(msecs(day), value) for day, value in points])
        self.chart.addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    def _markers_series(self, name, items, y, shape, colour, x_axis, y_axis) -> None:
        series = QScatterSeries()
        series.setName(name)
        series.setMarkerShape(shape)
        series.setMarkerSize(13)
        series.setColor(QColor(colour))
        series.setBorderColor(QColor(colour).darker(140))
        series.append([QPointF(msecs(day), y) for day, _text in items])
        self._markers[id(series)] = [
            (msecs(day), f"{day.isoformat()}: {text}") for day, text in items
        ]
        series.hovered.connect(lambda point, state, s=series: self._on_hover(s, point, state))
        self.chart.addSeries(series)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)

    @Slot()
    def _on_hover(self, series: QScatterSeries, point: QPointF, state: bool) -> None:
        if not state:
            QToolTip.hideText()
            return
        items = self._markers.get(id(series), [])
        if not items:
            return
        nearest = min(items, key=lambda item: abs(item[0] - point.x()))
        from PySide6.QtGui import QCursor

        QToolTip.showText(QCursor.pos(), nearest[1], self.view)

    def describe(self) -> str:
        nrs, odi = self.points
        parts = []
        if nrs:
            parts.append("NRS " + ", ".join(f"{v:g} on {d.isoformat()}" for d, v in nrs))
        if odi:
            parts.append("ODI " + ", ".join(f"{v:g} % on {d.isoformat()}" for d, v in odi))
        return "; ".join(parts)
