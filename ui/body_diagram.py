"""A back view of the body with the belt line, drawn with QPainter.

Clicking above or below the belt line marks that half as painful (clicking a
marked half clears it); both halves marked is "both". Radio buttons beside
the diagram do the same for keyboard users; the diagram is a convenience.

Signals:
    regionChanged(object): "above_belt", "below_belt", "both" or None.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

# The canvas is 100 wide and 200 high; the belt line runs across the iliac crests.
BELT_Y = 104.0


def region_of(above: bool, below: bool) -> str | None:
    if above and below:
        return "both"
    if above:
        return "above_belt"
    if below:
        return "below_belt"
    return None


def halves_of(region: str | None) -> tuple[bool, bool]:
    return region in ("above_belt", "both"), region in ("below_belt", "both")


class BodyDiagram(QWidget):
    regionChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._above = False
        self._below = False
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the radio buttons serve the keyboard
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Body diagram, back view, with the belt line")
        self.setAccessibleDescription(
            "Click above or below the belt line to mark where the pain is; "
            "the pain region buttons do the same."
        )
        self.setToolTip(
            "Back view. Click above or below the dashed belt line to mark the painful area;\n"
            "click a marked area again to clear it.\n"
            "Pain below the belt line points to the SIJ or hip."
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(130, 250)

    def minimumSizeHint(self) -> QSize:
        return QSize(90, 170)

    def region(self) -> str | None:
        return region_of(self._above, self._below)

    def set_region(self, region: str | None) -> None:
        above, below = halves_of(region)
        if (above, below) != (self._above, self._below):
            self._above, self._below = above, below
            self.update()
            self.regionChanged.emit(self.region())

    def _transform(self) -> tuple[float, float, float]:
        scale = min(self.width() / 100.0, self.height() / 200.0)
        dx = (self.width() - 100 * scale) / 2
        dy = (self.height() - 200 * scale) / 2
        return scale, dx, dy

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        scale, _dx, dy = self._transform()
        y = (event.position().y() - dy) / scale
        if y < BELT_Y:
            self._above = not self._above
        else:
            self._below = not self._below
        self.update()
        self.regionChanged.emit(self.region())
        event.accept()

    def click_half(self, above: bool) -> None:
        """What a click above (True) or below (False) the belt line does (for tests)."""
        if above:
            self._above = not self._above
        else:
            self._below = not self._below
        self.update()
        self.regionChanged.emit(self.region())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale, dx, dy = self._transform()
        painter.translate(dx, dy)
        painter.scale(scale, scale)

        body = _body_path()
        painter.setPen(QPen(QColor("#5f6b73"), 1.2))
        painter.setBrush(QColor("#f1e3d3"))
        painter.drawPath(body)

        # marked halves, clipped to the body outline
        painter.save()
        painter.setClipPath(body)
        hatch = QColor("#d84315")
        hatch.setAlpha(120)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(hatch)
        if self._above:
            painter.drawRect(QRectF(0, 0, 100, BELT_Y))
        if self._below:
            painter.drawRect(QRectF(0, BELT_Y, 100, 200 - BELT_Y))
        painter.restore()

        # spine, PSIS dimples and the belt line
        painter.setPen(QPen(QColor("#8d6e63"), 0.8, Qt.PenStyle.DotLine))
        painter.drawLine(QPointF(50, 34), QPointF(50, 112))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#6d4c41"))
        for x in (43.0, 57.0):
            painter.drawEllipse(QPointF(x, 110), 1.6, 1.6)
        belt = QPen(QColor("#263238"), 1.6, Qt.PenStyle.DashLine)
        painter.setPen(belt)
        painter.drawLine(QPointF(4, BELT_Y), QPointF(96, BELT_Y))
        font = painter.font()
        font.setPixelSize(7)
        painter.setFont(font)
        painter.setPen(QColor("#263238"))
        painter.drawText(QRectF(0, BELT_Y - 10, 100, 9), Qt.AlignmentFlag.AlignRight, "belt line")
        painter.drawText(QRectF(0, 190, 100, 10), Qt.AlignmentFlag.AlignHCenter, "back view")
        painter.end()


def _body_path() -> QPainterPath:
    path = QPainterPath()
    path.addEllipse(QRectF(40, 4, 20, 24))  # head
    torso = QPainterPath()
    torso.moveTo(44, 27)
    torso.lineTo(56, 27)
    torso.lineTo(58, 33)
    torso.cubicTo(70, 34, 80, 36, 82, 44)  # right shoulder
    torso.lineTo(90, 98)  # right arm
    torso.lineTo(84, 100)
    torso.lineTo(76, 62)
    torso.cubicTo(74, 80, 76, 96, 80, 112)  # flank to hip
    torso.lineTo(74, 188)  # right leg
    torso.lineTo(58, 188)
    torso.lineTo(51, 130)
    torso.lineTo(49, 130)
    torso.lineTo(42, 188)  # left leg
    torso.lineTo(26, 188)
    torso.lineTo(20, 112)
    torso.cubicTo(24, 96, 26, 80, 24, 62)
    torso.lineTo(16, 100)  # left arm
    torso.lineTo(10, 98)
    torso.lineTo(18, 44)
    torso.cubicTo(20, 36, 30, 34, 42, 33)
    torso.closeSubpath()
    return path.united(torso)
