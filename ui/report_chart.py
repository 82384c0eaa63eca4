"""One of the outcome report's bar charts in the window (Qt Charts).

It draws the service's ReportChart as it is: values hidden for small numbers are
None and not drawn, and the sentence under the chart names them. The chart's
accessible description reads every value as text, so a screen reader user gets
what the bars show.
"""

from __future__ import annotations

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

# Dark then light, as in the PDF: the bars read in black and white too.
BAR_COLOURS = ("#1f4e79", "#9dc3e6")


def _number(value: float, maximum: float) -> str:
    return f"{value:.0f}" if maximum > 10 else f"{value:.1f}"


def described(chart) -> str:
    """The chart's values as a sentence per category (its accessible description)."""
    parts = []
    for index, category in enumerate(chart.categories):
        values = []
        for name, series in chart.series:
            value = series[index]
            shown = "not shown" if value is None else _number(value, chart.maximum)
            values.append(f"{name} {shown}" if len(chart.series) > 1 else shown)
        parts.append(f"{category}: {', '.join(values)}")
    return f"{chart.title} ({chart.axis}). " + "; ".join(parts) + "."


def shown_categories(chart) -> list[str]:
    """The category names, marked where a value is not drawn (its bar would read 0)."""
    return [
        f"{category} (not shown)"
        if any(values[index] is None for _, values in chart.series)
        else category
        for index, category in enumerate(chart.categories)
    ]


class ReportChartView(QWidget):
    """A title, grouped bars with their values on them, and what was not drawn."""

    def __init__(self, chart, parent: QWidget | None = None):
        super().__init__(parent)
        self.report_chart = chart
        self.setObjectName("reportChart")
        title = QLabel(f"<b>{chart.title}</b>")
        title.setTextFormat(Qt.TextFormat.RichText)
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() * 0.85, 7.0))

        self.bars = QBarSeries()
        self.bar_sets: list[QBarSet] = []
        for index, (name, values) in enumerate(chart.series):
            bar_set = QBarSet(name)
            # A hidden value is drawn as nothing; its category is named under the chart.
            # Rounded as the tables show them (78 %, NRS 7.0), so the label on a bar
            # reads as the table's figure.
            places = 0 if chart.maximum > 10 else 1
            bar_set.append([0.0 if value is None else round(value, places) for value in values])
            bar_set.setColor(QColor(BAR_COLOURS[index % len(BAR_COLOURS)]))
            bar_set.setBorderColor(QColor("#444444"))
            bar_set.setLabelColor(QColor("#000000"))
            bar_set.setLabelFont(small)
            self.bar_sets.append(bar_set)
            self.bars.append(bar_set)
        self.bars.setLabelsVisible(True)
        self.bars.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        self.bars.setLabelsFormat("@value")
        self.bars.setLabelsPrecision(3)

        self.chart = QChart()
        self.chart.setMargins(QMargins(2, 2, 2, 2))
        self.chart.setBackgroundRoundness(0)
        self.chart.addSeries(self.bars)
        categories = QBarCategoryAxis()
        categories.append(list(shown_categories(chart)))
        categories.setLabelsFont(small)
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        self.bars.attachAxis(categories)
        values = QValueAxis()
        values.setRange(0, chart.maximum)
        values.setTickCount(6)
        values.setLabelFormat("%d")
        values.setTitleText(chart.axis)
        values.setTitleFont(small)
        values.setLabelsFont(small)
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        self.bars.attachAxis(values)
        legend = self.chart.legend()
        legend.setVisible(len(chart.series) > 1)
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        legend.setFont(small)

        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(220)
        self.view.setAccessibleName(chart.title)
        self.view.setAccessibleDescription(described(chart))
        self.view.setToolTip(described(chart))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.view)
        self.not_drawn = QLabel(chart.not_drawn)
        self.not_drawn.setWordWrap(True)
        self.not_drawn.setStyleSheet("color: palette(placeholder-text);")
        self.not_drawn.setVisible(bool(chart.not_drawn))
        layout.addWidget(self.not_drawn)
